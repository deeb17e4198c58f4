"""Moving an instance: copy one store into another (either backend to either), then verify.

Each entity is one ``CopyStep`` (papers, document vectors, passage vectors, importer state),
so users, votes, subscriptions and deliveries join later as more steps without touching the
loop. Rows go through the stores' ordinary writers (``upsert_papers``, ``save_vectors``...),
so the target keeps its own indexes and statistics (FTS5, tsvector, BM25 terms, HNSW) up to
date; into an empty target ``upsert_papers`` stores each paper as given, so every content
hash survives. Only ``first_seen``/``last_seen`` restart at the copy: they are bookkeeping,
outside the content hash.

Verification reads everything back, batch by batch (memory stays bounded at a million
papers): papers by id and content hash, vectors by model, paper id, text hash and value,
and the state as a dict. A plain copy demands equality; ``merge`` (into a non-empty target,
or to resume an interrupted copy) demands that the target holds the source: merging the
source in again would change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from paperboy.core.errors import InvalidParameter
from paperboy.models.community import User
from paperboy.models.paper import Paper, merge, settle_listing_day
from paperboy.models.subscription import CONFIRMED, PENDING, Subscriber
from paperboy.store import Store

__all__ = [
    "CopyReport",
    "CopyStep",
    "TargetNotEmpty",
    "copy_instance",
    "default_steps",
]

# progress(step name, rows just done, the step's total): called with 0 when a step starts.
Progress = Callable[[str, int, int], None]
Tick = Callable[[int], None]
VECTOR_ATOL = 1e-6  # stores may hand vectors back normalised; float32 rounding stays below this


class TargetNotEmpty(InvalidParameter):
    """The target already holds data and the caller did not ask to merge into it."""


class CopyStep(Protocol):
    """One entity's part of a copy. ``name`` is its key in the summary."""

    @property
    def name(self) -> str: ...

    def count(self, store: Store) -> int:
        """How many rows ``store`` holds (sizes the progress bar, tells an empty target)."""
        ...

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        """Copy every row, yielding the number written after each batch."""
        ...

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        """None when the target holds the source (``exact``: and nothing else), else a
        one-line reason naming the first difference; ``tick(n)`` counts rows checked."""
        ...


class PaperStep:
    name = "papers"

    def count(self, store: Store) -> int:
        return int(store.stats()["papers"])  # hidden papers too

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        for batch in source.papers.iter_papers(batch_size):
            target.papers.upsert_papers(batch)
            yield len(batch)
        for paper_id in source.papers.hidden_ids():  # moderation travels with the papers
            target.papers.set_hidden(paper_id, True)

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        if exact and (problem := _counts("papers", self.count(source), self.count(target))):
            return problem
        hidden = source.papers.hidden_ids()
        today = datetime.now(UTC).date()
        skip = set(hidden)  # hidden papers cannot be read back; their flag was checked
        for batch in source.papers.iter_papers(1000):
            batch = [p for p in batch if p.id not in skip]
            copied = target.papers.get_papers(p.id for p in batch)
            for paper in batch:
                stored = copied.get(paper.id)
                if stored is None:
                    return f"papers: {paper.id!r} is missing from the target"
                if exact and stored.content_hash() != paper.content_hash():
                    return f"papers: {paper.id!r} differs ({_first_field(paper, stored)})"
                if not exact and _merged(stored, paper, today) != stored.content_hash():
                    return f"papers: {paper.id!r} in the target lacks the source's content"
            tick(len(batch))
        missing = sorted(set(hidden) - set(target.papers.hidden_ids()))
        if missing:
            return f"papers: {missing[0]!r} is hidden in the source but not in the target"
        return None


def _merged(stored: Paper, incoming: Paper, today) -> str:  # noqa: ANN001 - a date
    return merge(stored, settle_listing_day(incoming, today)).content_hash()


def _first_field(a: Paper, b: Paper) -> str:
    """The first content field that differs, for the error message."""
    for name in Paper.__dataclass_fields__:
        if name not in ("first_seen", "last_seen") and getattr(a, name) != getattr(b, name):
            return f"{name}: {getattr(a, name)!r} became {getattr(b, name)!r}"
    return "content hash"


@dataclass(frozen=True)
class VectorStep:
    """Document vectors (``passages=False``) or passage vectors, every model."""

    passages: bool = False

    @property
    def name(self) -> str:
        return "passages" if self.passages else "vectors"

    def _models(self, store: Store) -> list[str]:
        v = store.vectors
        return v.passage_models() if self.passages else v.models()

    def _hashes(self, store: Store, model: str) -> dict[str, str]:
        v = store.vectors
        return v.passage_text_hashes(model) if self.passages else v.vector_text_hashes(model)

    def _count(self, store: Store, model: str) -> int:
        return len(self._hashes(store, model)) if self.passages else store.vectors.count(model)

    def count(self, store: Store) -> int:
        return sum(self._count(store, m) for m in self._models(store))

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        v, t = source.vectors, target.vectors
        for model in self._models(source):
            if self.passages:
                for rows in v.iter_passage_vectors(model, batch_size):
                    t.save_passage_vectors(model, rows)
                    yield len(rows)
            else:
                for rows in v.iter_vectors(model, batch_size):
                    t.save_vectors(model, rows)
                    yield len(rows)

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        models = self._models(source)
        if exact:
            extra = sorted(set(self._models(target)) - set(models))
            if extra:
                return f"{self.name}: the target has models the source lacks: {extra}"
        for model in models:
            counts = self._count(source, model), self._count(target, model)
            if exact and (problem := _counts(f"{self.name} of {model}", *counts)):
                return problem
            hashes = self._hashes(target, model)
            for rows in self._iter(source, model):
                values = self._get(target, model, [pid for pid, _, _ in rows])
                for pid, text_hash, vector in rows:
                    where = f"{self.name} of {model}: {pid!r}"
                    if pid not in hashes or pid not in values:
                        return f"{where} is missing from the target"
                    if hashes[pid] != text_hash:
                        return f"{where} has text hash {hashes[pid]!r}, not {text_hash!r}"
                    if not _same_vectors(vector, values[pid], unit=not self.passages):
                        return f"{where} has different values"
                tick(len(rows))
        return None

    def _iter(self, store: Store, model: str) -> Iterator[list]:
        v = store.vectors
        return v.iter_passage_vectors(model) if self.passages else v.iter_vectors(model)

    def _get(self, store: Store, model: str, ids: list[str]) -> dict[str, np.ndarray]:
        v = store.vectors
        return v.get_passage_vectors(model, ids) if self.passages else v.get_vectors(model, ids)


def _same_vectors(source: np.ndarray, copied: np.ndarray, *, unit: bool) -> bool:
    a = np.asarray(source, dtype=np.float32)
    b = np.asarray(copied, dtype=np.float32)
    if a.shape != b.shape:
        return False
    if unit:  # document vectors come back unit-length from get_vectors
        a = a / max(float(np.linalg.norm(a)), 1e-12)
    return bool(np.allclose(a, b, rtol=0, atol=VECTOR_ATOL))


class StateStep:
    name = "state"

    def count(self, store: Store) -> int:
        return len(store.state.all_state())

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        for key, value in source.state.all_state().items():
            target.state.set_state(key, value)
            yield 1

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        ours, theirs = source.state.all_state(), target.state.all_state()
        tick(len(ours))
        for key, value in ours.items():
            if theirs.get(key) != value:
                return f"state: {key!r} is {theirs.get(key)!r} in the target, not {value!r}"
        if exact and (extra := sorted(set(theirs) - set(ours))):
            return f"state: the target has keys the source lacks: {extra}"
        return None


class AccountStep:
    """Accounts with their names and roles; sessions and mailed tokens stay behind (people
    sign in again on the new instance), personal API tokens travel (scripts keep working)."""

    name = "users"

    def count(self, store: Store) -> int:
        return store.users.count_users()

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        for user in _all_users(source, batch_size):
            copied, _ = target.users.get_or_create(user.email, user.display_name)
            if user.is_admin:
                target.users.set_admin(copied.id, True)
            if user.banned:
                target.users.set_banned(copied.id, True)
            yield 1

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        if exact and (problem := _counts("users", self.count(source), self.count(target))):
            return problem
        for user in _all_users(source, 1000):
            copied = target.users.find_user(user.email)
            if copied is None:
                return f"users: {user.email!r} is missing from the target"
            ours = (user.display_name, user.is_admin, user.banned)
            theirs = (copied.display_name, copied.is_admin, copied.banned)
            if ours != theirs:
                return f"users: {user.email!r} is {theirs} in the target, not {ours}"
            tick(1)
        return None


class MarkStep:
    """Votes and saves, with their times, mapped onto the target's account ids by email."""

    name = "marks"

    def count(self, store: Store) -> int:
        return sum(len(batch) for batch in store.votes.export_marks())

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        ids = _id_map(source, target)
        for batch in source.votes.export_marks(batch_size):
            target.votes.import_marks([(k, ids[u], p, at) for k, u, p, at in batch if u in ids])
            yield len(batch)

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        ids = _id_map(source, target)
        theirs = {(k, u, p) for batch in target.votes.export_marks() for k, u, p, _ in batch}
        ours = set()
        for batch in source.votes.export_marks():
            for kind, user_id, paper_id, _ in batch:
                mark = (kind, ids.get(user_id, -1), paper_id)
                if mark not in theirs:
                    return f"marks: {kind} of {paper_id!r} by user {user_id} is missing"
                ours.add(mark)
            tick(len(batch))
        if exact and (problem := _counts("marks", len(ours), len(theirs))):
            return problem
        return None


class DeliveryStep:
    """The digest delivery log and the papers each digest mailed, mapped onto the target's
    subscribers by address (so copied readers are never mailed a paper twice, nor a period's
    digest again). Runs after the subscribers are copied; rows of addresses the target does
    not have stay behind."""

    name = "deliveries"

    def count(self, store: Store) -> int:
        return store.deliveries.count()

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        ids: dict[str, int | None] = {}
        for batch in source.deliveries.export(batch_size):
            rows = []
            for rec, papers in batch:
                email = rec.email or ""
                if email not in ids:
                    found = target.subscribers.find(email)
                    ids[email] = found.id if found else None
                if ids[email] is not None:
                    rows.append((ids[email], rec, papers))
            target.deliveries.import_deliveries(rows)  # type: ignore[arg-type]
            yield len(batch)

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        theirs = {
            (rec.email, rec.period): (rec.status, tuple(papers))
            for batch in target.deliveries.export()
            for rec, papers in batch
        }
        seen = 0
        for batch in source.deliveries.export():
            for rec, papers in batch:
                copied = theirs.get((rec.email, rec.period))
                if copied is None and target.subscribers.find(rec.email or "") is not None:
                    return f"deliveries: {rec.period} to {rec.email!r} is missing"
                if copied is not None and copied != (rec.status, tuple(papers)):
                    return f"deliveries: {rec.period} to {rec.email!r} differs in the target"
                seen += copied is not None
            tick(len(batch))
        if exact and (problem := _counts("deliveries", seen, len(theirs))):
            return problem
        return None


class SubscriberStep:
    """Digest subscribers with their status, preferences, times and failure counts, linked
    to the target's accounts by email. Ids are the target's own, so the signed links in mails
    sent before the move stop working (the next digest carries new ones); pending
    confirmation links stay behind with the other mailed tokens. Merging keeps an address
    the target already has as it is there."""

    name = "subscribers"

    def count(self, store: Store) -> int:
        return store.subscribers.count()

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        ids = _id_map(source, target)
        for batch in _batches(source, batch_size):
            for sub in batch:
                if target.subscribers.find(sub.email) is None:
                    _copy_subscriber(target, sub, ids.get(sub.user_id or 0))
            yield len(batch)

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        if exact and (problem := _counts("subscribers", self.count(source), self.count(target))):
            return problem
        ids = _id_map(source, target)
        for batch in _batches(source, 1000):
            for sub in batch:
                copied = target.subscribers.find(sub.email)
                if copied is None:
                    return f"subscribers: {sub.email!r} is missing from the target"
                if exact:
                    ours = _subscriber_fields(sub, ids.get(sub.user_id or 0))
                    theirs = _subscriber_fields(copied, copied.user_id)
                    if ours != theirs:
                        return f"subscribers: {sub.email!r} is {theirs} in the target, not {ours}"
            tick(len(batch))
        return None


def _batches(store: Store, batch_size: int) -> Iterator[list[Subscriber]]:
    offset = 0
    while batch := store.subscribers.list(limit=batch_size, offset=offset):
        yield batch
        offset += len(batch)


def _copy_subscriber(target: Store, sub: Subscriber, user_id: int | None) -> None:
    """``sub`` into ``target`` through the ordinary writers, times and counts kept."""
    made = sub.created_at or datetime.now(UTC)
    copied, _ = target.subscribers.add(sub.email, sub.prefs, PENDING, made, user_id)
    if sub.confirmed_at is not None:
        target.subscribers.set_status(copied.id, CONFIRMED, sub.confirmed_at)
    if sub.status != CONFIRMED and sub.status != copied.status:
        target.subscribers.set_status(copied.id, sub.status, made)
    for _ in range(sub.failures):  # never suspends: the status was copied above
        target.subscribers.record_failure(copied.id, made, suspend_after=sub.failures + 1)


def _subscriber_fields(sub: Subscriber, user_id: int | None) -> tuple:
    return (sub.status, sub.prefs, user_id, sub.created_at, sub.confirmed_at, sub.failures)


class DismissalStep:
    """ "Not interested" marks, with their times, mapped onto the target's accounts by email."""

    name = "dismissals"

    def count(self, store: Store) -> int:
        return sum(len(batch) for batch in store.dismissals.export())

    def copy_batches(self, source: Store, target: Store, batch_size: int) -> Iterator[int]:
        ids = _id_map(source, target)
        for batch in source.dismissals.export(batch_size):
            target.dismissals.import_marks([(ids[u], p, at) for u, p, at in batch if u in ids])
            yield len(batch)

    def verify(self, source: Store, target: Store, *, exact: bool, tick: Tick) -> str | None:
        ids = _id_map(source, target)
        theirs = {(u, p) for batch in target.dismissals.export() for u, p, _ in batch}
        for batch in source.dismissals.export():
            for user_id, paper_id, _ in batch:
                if (ids.get(user_id, -1), paper_id) not in theirs:
                    return f"dismissals: {paper_id!r} of user {user_id} is missing"
            tick(len(batch))
        if exact and (problem := _counts("dismissals", self.count(source), len(theirs))):
            return problem
        return None


def _all_users(store: Store, batch_size: int) -> Iterator[User]:
    offset = 0
    while batch := store.users.list_users(batch_size, offset):
        yield from batch
        offset += len(batch)


def _id_map(source: Store, target: Store) -> dict[int, int]:
    """Source account id → target account id, matched by email."""
    out = {}
    for user in _all_users(source, 1000):
        copied = target.users.find_user(user.email)
        if copied is not None:
            out[user.id] = copied.id
    return out


def _counts(what: str, source: int, target: int) -> str | None:
    return None if source == target else f"{what}: {source} in the source, {target} in the target"


def _identity(store: Store) -> str:
    """The database a store opened, one spelling per database (SQLite paths resolved)."""
    prefix = "sqlite:///"
    if store.url.startswith(prefix):
        return prefix + str(Path(store.url[len(prefix) :]).resolve())
    return store.url


def default_steps() -> list[CopyStep]:
    """Everything an instance holds today, in an order where each step's rows refer only to
    rows copied before it (vectors belong to papers)."""
    return [
        PaperStep(),
        VectorStep(),
        VectorStep(passages=True),
        StateStep(),
        AccountStep(),
        MarkStep(),
        SubscriberStep(),
        DismissalStep(),
        DeliveryStep(),  # after the subscribers: rows are mapped by address
    ]


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)  # rows copied, by step name
    verified: bool = False
    problem: str | None = None  # why verification failed

    def summary(self) -> dict:
        return {**self.counts, "verified": self.verified}


def copy_instance(
    source: Store,
    target: Store,
    *,
    merge: bool = False,
    batch_size: int = 1000,
    steps: list[CopyStep] | None = None,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy everything in ``source`` into ``target``, then verify it.

    Raises ``TargetNotEmpty`` when ``target`` holds anything and ``merge`` is false, and
    ``InvalidParameter`` when both are the same database. Progress is reported per step
    (``copy papers``..., then ``verify papers``...).
    """
    if batch_size < 1:
        raise InvalidParameter(f"batch size {batch_size}: expected at least 1")
    if _identity(source) == _identity(target):
        raise InvalidParameter("the source and the target are the same database")
    steps = default_steps() if steps is None else steps
    report = progress or (lambda step, n, total: None)
    if not merge:
        held = {s.name: n for s in steps if (n := s.count(target))}
        if held:
            what = ", ".join(f"{n} {name}" for name, n in held.items())
            raise TargetNotEmpty(
                f"the target is not empty ({what}); copy into an empty database, "
                "or pass --merge to merge into this one"
            )
    totals = {s.name: s.count(source) for s in steps}
    result = CopyReport()
    for step in steps:
        label, total = f"copy {step.name}", totals[step.name]
        report(label, 0, total)
        done = 0
        for n in step.copy_batches(source, target, batch_size):
            done += n
            report(label, n, total)
        result.counts[step.name] = done
    for step in steps:
        label = f"verify {step.name}"
        total = totals[step.name]
        report(label, 0, total)
        problem = step.verify(source, target, exact=not merge, tick=_ticker(report, label, total))
        if problem:
            result.problem = problem
            return result
    result.verified = True
    return result


def _ticker(
    report: Callable[[str, int, int], None], label: str, total: int
) -> Callable[[int], None]:
    """A progress callback for one labelled stage."""

    def tick(n: int) -> None:
        report(label, n, total)

    return tick
