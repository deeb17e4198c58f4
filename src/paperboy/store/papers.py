"""Papers and their full-text index: what every backend's paper store answers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from paperboy.models.arxiv_id import parse_arxiv_id
from paperboy.models.paper import Paper, merge, settle_listing_day
from paperboy.models.query import FieldWeights, Filters, Hit, TextQuery, UpsertCounts

ORDERS = ("listing", "published", "upvotes", "id")
LISTED_ORDERS = ("listing", "upvotes")
T = TypeVar("T")


def merge_batch(papers: Sequence[Paper]) -> dict[str, Paper]:
    """Duplicates within one batch merge first, in arrival order."""
    batch: dict[str, Paper] = {}
    for p in papers:
        batch[p.id] = merge(batch[p.id], p) if p.id in batch else p
    return batch


class PaperStore(ABC):
    """Papers, their full-text index and the papers-changed counter."""

    def __init__(self) -> None:
        self._remembered: dict[str, tuple[int, Any]] = {}  # name -> (papers version, value)

    def _per_version(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, remembered until the papers-changed counter moves: for what every
        list, search or render asks and only a paper write (or a hide) changes."""
        version = self.version()
        held = self._remembered.get(name)
        if held is None or held[0] != version:
            held = self._remembered[name] = (version, compute())
        return held[1]

    def upsert_papers(self, papers: Sequence[Paper]) -> UpsertCounts:
        """Merge a batch into the store in one transaction (all or nothing).

        Duplicates within the batch merge first; a paper whose merged content hashes the same
        as what is stored is left untouched, which keeps re-imports cheap and idempotent.
        Backends lock the stored rows they merge with, so two concurrent imports of
        overlapping batches end as one after the other would. A paper that no source gave a
        listing day gets one (``settle_listing_day``: from its first-version date, else the UTC
        day it was first stored), so it shows in a daily list.
        """
        raw = merge_batch(papers)
        today = datetime.now(UTC).date()
        batch = {pid: settle_listing_day(p, today) for pid, p in raw.items()}
        counts = UpsertCounts()
        with self._write_transaction():
            hashes = self._stored_hashes(list(batch))
            exact = {pid for pid, h in hashes.items() if batch[pid].content_hash() == h}
            counts.unchanged += len(exact)
            to_merge = [pid for pid in hashes if pid not in exact]
            stored = self._load_papers(to_merge) if to_merge else {}
            writes: list[tuple[Paper, bool]] = []
            for pid, incoming in batch.items():
                if pid in exact:
                    continue
                if pid in stored:
                    old = stored[pid]
                    first_day = old.first_seen.date() if old.first_seen else today
                    merged = merge(old, settle_listing_day(raw[pid], first_day))
                    if merged.content_hash() == hashes[pid]:
                        counts.unchanged += 1
                        continue
                    writes.append((merged, False))
                    counts.updated += 1
                else:
                    writes.append((incoming, True))
                    counts.added += 1
                counts.changed_ids.append(pid)
            if writes:
                self._write_papers(writes)
                self._bump_version()
        return counts

    def prepare(self, papers: Sequence[Paper]) -> None:
        """A hint that ``papers`` are upserted soon (the importer gives the next batch while
        it writes this one): a backend may start work that needs no lock and nothing stored,
        such as indexing their text. Never required; the upsert checks whatever it uses."""
        return None

    @abstractmethod
    def _write_transaction(self):  # noqa: ANN202 - a context manager
        """Hold the writer for one transaction; commits on success, rolls back on error."""

    @abstractmethod
    def _stored_hashes(self, ids: list[str]) -> dict[str, str]:
        """Content hashes of those ``ids`` that are stored (locking their rows if need be)."""

    @abstractmethod
    def _load_papers(self, ids: list[str]) -> dict[str, Paper]:
        """Papers by id, read inside the write transaction."""

    @abstractmethod
    def _write_papers(self, papers: list[tuple[Paper, bool]]) -> None:
        """Insert (True) or update (False) each paper; called inside the write transaction."""

    @abstractmethod
    def _bump_version(self) -> None:
        """Move the papers-changed counter; called inside the write transaction."""

    @abstractmethod
    def version(self) -> int:
        """The papers-changed counter: moves with every committed paper write, in any process,
        and with nothing else (votes, sessions and importer state leave it alone)."""

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.get_papers([paper_id]).get(paper_id)

    def find_paper(self, raw_id: str) -> Paper | None:
        """A paper by any id form people paste (``2401.01234v2``, ``arXiv:…``, an abs URL),
        or by a corpus id as given."""
        raw_id = raw_id.strip()
        if not raw_id or len(raw_id) > 300 or not raw_id.isprintable():
            return None  # no stored id has control characters (they are refused at import)
        try:
            canonical = parse_arxiv_id(raw_id).id
        except ValueError:
            return self.get_paper(raw_id)
        return self.get_paper(canonical) or self.get_paper(raw_id)

    def find_paper_id(self, raw_id: str) -> str | None:
        """``find_paper``'s id only: a vote needs to know the paper is there (and not hidden),
        not to read and build its whole row on every click."""
        raw_id = raw_id.strip()
        if not raw_id or len(raw_id) > 300 or not raw_id.isprintable():
            return None
        try:
            canonical = parse_arxiv_id(raw_id).id
        except ValueError:
            canonical = raw_id
        found = self.filter_ids(list(dict.fromkeys([canonical, raw_id])), Filters())
        return canonical if canonical in found else raw_id if raw_id in found else None

    @abstractmethod
    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]: ...

    def count_papers(self, filters: Filters | None = None) -> int:
        """Papers passing ``filters``; the total, asked for on every search, is remembered."""
        if filters:
            return self._count_filtered(filters)
        return self._per_version("total", self._count_all)

    @abstractmethod
    def _count_all(self) -> int:
        """Every paper that is not hidden."""

    @abstractmethod
    def _count_filtered(self, filters: Filters) -> int: ...

    @abstractmethod
    def list_papers(
        self,
        filters: Filters | None = None,
        *,
        order: str = "listing",  # listing | published | upvotes | id
        limit: int = 50,
        offset: int = 0,
    ) -> list[Paper]: ...

    @abstractmethod
    def iter_papers(self, batch_size: int = 1000) -> Iterator[list[Paper]]:
        """Every paper once, in insertion order, in batches."""

    def listing_dates(self, filters: Filters | None = None) -> list[date]:
        """Distinct listing days, newest first; all of them (every list, feed and trending
        render asks) remembered."""
        if filters:
            return self._listing_dates(filters)
        return list(self._per_version("days", lambda: self._listing_dates(None)))

    @abstractmethod
    def _listing_dates(self, filters: Filters | None) -> list[date]: ...

    @abstractmethod
    def filter_ids(self, ids: Sequence[str], filters: Filters) -> set[str]:
        """The subset of ``ids`` that pass ``filters``."""

    @abstractmethod
    def list_listed(
        self, start: date, end: date, *, order: str = "listing", limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        """Papers whose listing day is in [start, end]: the daily, weekly and monthly lists."""

    @abstractmethod
    def count_listed(self, start: date, end: date) -> int: ...

    @abstractmethod
    def stats(self) -> dict:
        """Counts by namespace and the first and last listing day."""

    # --- moderation ---------------------------------------------------------------------
    @abstractmethod
    def set_hidden(self, paper_id: str, hidden: bool) -> bool:
        """Hide a paper from every list, feed, search and lookup (or show it again); True
        when it exists. Moves the papers-changed counter, so no cached page keeps it."""

    def hidden_ids(self) -> list[str]:
        """Every hidden paper (for admins, and for vector searches to leave out), remembered."""
        return list(self._per_version("hidden", self._hidden_ids))

    @abstractmethod
    def _hidden_ids(self) -> list[str]: ...

    # --- full text ----------------------------------------------------------------------
    @abstractmethod
    def lexical_search(
        self,
        query: TextQuery,
        filters: Filters | None = None,
        *,
        limit: int = 100,
        weights: FieldWeights = FieldWeights(),
    ) -> list[Hit]:
        """BM25-ranked hits, best first; scores are larger-is-better.

        Mode "two" (three or more parts) finds papers with at least two of them. A paper
        with exactly two scores as in the OR query; one with more may score higher (SQLite
        counts each part once per matching pair), which callers avoid by taking the
        all-words (AND) matches first."""

    @abstractmethod
    def document_counts(self, terms: Sequence[str]) -> dict[str, int]:
        """How many papers each term (as the full-text index tokenises it) occurs in."""

    @abstractmethod
    def find_by_title(self, title: str, limit: int = 5) -> list[str]:
        """Ids of papers whose title equals ``title`` ignoring case and spacing."""
