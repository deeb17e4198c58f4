"""`paperboy copy`: an instance moves between SQLite and PostgreSQL whole, and verified."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.core import copy as copy_mod
from paperboy.core.copy import (
    CopyReport,
    PaperStep,
    StateStep,
    TargetNotEmpty,
    copy_instance,
    default_steps,
)
from paperboy.core.errors import InvalidParameter
from paperboy.models.paper import DERIVED, IMPORTED, Paper
from paperboy.models.subscription import (
    CONFIRMED,
    PENDING,
    SUSPENDED,
    UNSUBSCRIBED,
    Preferences,
)
from paperboy.store import Store, open_store

N = 300
HOSTILE = [
    "<script>alert(1)</script> & \"quotes\" 'single'",
    "Robert'); DROP TABLE papers;-- %s %(x)s ? $1 \\x00 \\",
    "Ünïcødé ÆØÅ 数学 𝔘𝔫𝔦 🚀🧪 עברית العربية e\u0301 \u200b zero width",
    "tab\there\nnew line\r\nwindows",
]


def _paper(i: int) -> Paper:
    day = date(2024, 1, 1) + timedelta(days=i % 40)
    hostile = HOSTILE[i % len(HOSTILE)]
    basis = (None, DERIVED, IMPORTED)[i % 3]
    return Paper(
        id=f"2401.{i:05d}" if i % 7 else f"corpus-{i}/{hostile[:8]}",
        title=f"Paper {i}: {hostile.splitlines()[0]}",
        abstract=f"Abstract {i}. {hostile} " + "long " * (i % 50),
        authors=[f"Author {i}", "<b>Eve</b>", "O'Neil, Mallory"],
        categories=["cs.LG", "cs.CL"] if i % 2 else ["math.AG"],
        namespace="arxiv" if i % 7 else "corpus",
        version=1 + i % 3,
        published=day - timedelta(days=3),
        updated=day if i % 5 else None,
        listing_date=day,
        listing_basis=basis,
        comment=hostile if i % 4 == 0 else None,
        journal_ref="J. Hostile 1 (2024)" if i % 6 == 0 else None,
        doi=f"10.1000/{i}" if i % 9 == 0 else None,
        code_links=[f"https://github.com/x/repo{i}"] if i % 3 == 0 else [],
        upvotes=i * 3 if i % 2 else None,
        upvote_sources=["hf"] if i % 2 else [],
    )


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def fill(store: Store) -> list[Paper]:
    """A few hundred papers with hostile text, vectors of two models, passages and state."""
    papers = [_paper(i) for i in range(N)]
    store.papers.upsert_papers(papers)
    rng = np.random.default_rng(9)
    ids = [p.id for p in papers]
    store.vectors.save_vectors("model-a", [(pid, f"h{pid}", _unit(rng, 8)) for pid in ids])
    store.vectors.save_vectors("model-b", [(pid, f"b{pid}", _unit(rng, 12)) for pid in ids[::3]])
    passages = [
        (pid, f"p{pid}", np.stack([_unit(rng, 8) for _ in range(1 + k % 4)]))
        for k, pid in enumerate(ids[::2])
    ]
    store.vectors.save_passage_vectors("model-a", passages)
    store.state.set_state("oai:cursor", "2024-02-01")
    store.state.set_state("hf:last", json.dumps({"day": "2024-02-01", "note": "ünï 🚀"}))
    # The community: accounts (an admin, a banned one), votes and saves, a hidden paper.
    ada, _ = store.users.get_or_create("ada@example.org", "Ada <b>L</b>")
    bob, _ = store.users.get_or_create("bob@example.org")
    eve, _ = store.users.get_or_create("eve@example.org")
    store.users.set_admin(ada.id, True)
    for user in (ada, bob, eve):
        for pid in ids[:5]:
            store.votes.vote(user.id, pid)
    store.votes.save(ada.id, ids[1])
    store.dismissals.dismiss(ada.id, ids[7], datetime(2026, 1, 2, tzinfo=UTC))
    store.dismissals.dismiss(bob.id, ids[8], datetime(2026, 1, 3, tzinfo=UTC))
    store.users.set_banned(eve.id, True)
    store.votes.recount(eve.id)
    store.papers.set_hidden(ids[-1], True)
    # Digest subscribers: one per status, one linked to an account, one with failures.
    early = datetime(2024, 2, 1, 7, 30, 15, 123456, tzinfo=UTC)
    prefs = Preferences(
        cadence="weekly",
        weekday=4,
        timezone="Asia/Tokyo",
        send_hour=6,
        searches=('"world <models>"',),
        authors=("Ada L",),
        more_like_mine=True,
    )
    subs = store.subscribers
    linked, _ = subs.add("ada@example.org", prefs, CONFIRMED, early, ada.id)
    subs.record_failure(linked.id, early, suspend_after=5)
    subs.add("pending@example.org", Preferences(), PENDING, early)
    left, _ = subs.add("left@example.org", Preferences(), CONFIRMED, early)
    subs.set_status(left.id, UNSUBSCRIBED, early + timedelta(days=3))
    bounced, _ = subs.add("bounced@example.org", Preferences(), CONFIRMED, early)
    for _ in range(2):
        subs.record_failure(bounced.id, early, suspend_after=2)
    return papers


def _stored(store: Store) -> dict[str, Paper]:
    """Every paper as stored, without the bookkeeping a copy restarts."""
    return {
        p.id: replace(p, first_seen=None, last_seen=None)
        for batch in store.papers.iter_papers()
        for p in batch
    }


def _assert_same(source: Store, target: Store) -> None:
    theirs, ours = _stored(target), _stored(source)
    assert theirs == ours and len(ours) == N
    assert {i: p.content_hash() for i, p in theirs.items()} == {
        i: p.content_hash() for i, p in ours.items()
    }
    assert target.vectors.models() == ["model-a", "model-b"]
    assert target.vectors.count("model-b") == len(range(0, N, 3))
    for model in ("model-a", "model-b"):
        assert target.vectors.vector_text_hashes(model) == source.vectors.vector_text_hashes(model)
    assert target.vectors.passage_models() == ["model-a"]
    some = [p for p in list(ours)[:40:2]]
    got, want = (s.vectors.get_passage_vectors("model-a", some) for s in (target, source))
    assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in got)
    assert target.state.all_state() == source.state.all_state()
    assert target.papers.hidden_ids() == source.papers.hidden_ids() == [_paper(N - 1).id]
    users = {u.email: u for u in target.users.list_users()}
    assert set(users) == {"ada@example.org", "bob@example.org", "eve@example.org"}
    assert users["ada@example.org"].is_admin and users["eve@example.org"].banned
    assert users["ada@example.org"].display_name == "Ada <b>L</b>"
    first = [_paper(i).id for i in range(5)]
    assert target.votes.counts(first) == source.votes.counts(first)  # banned votes don't count
    assert target.votes.counts(first)[first[0]].votes == 2
    ada_id = users["ada@example.org"].id
    assert [p for p, _ in target.votes.library(ada_id)] == [first[1]]
    assert target.dismissals.dismissed(ada_id) == [(_paper(7).id, datetime(2026, 1, 2, tzinfo=UTC))]
    # The target's own indexes work: full text and nearest neighbours find copied papers.
    assert target.papers.find_by_title(_paper(5).title) == ["2401.00005"]
    query = source.vectors.get_vectors("model-a", ["2401.00005"])["2401.00005"]
    assert target.vectors.nearest("model-a", query, 1)[0].id == "2401.00005"
    subs = {s.email: s for s in target.subscribers.list()}
    theirs = {s.email: s for s in source.subscribers.list()}
    assert {e: s.status for e, s in subs.items()} == {
        "ada@example.org": CONFIRMED, "pending@example.org": PENDING,
        "left@example.org": UNSUBSCRIBED, "bounced@example.org": SUSPENDED,
    }  # fmt: skip
    for email, sub in subs.items():
        want = theirs[email]
        assert (sub.prefs, sub.created_at, sub.confirmed_at, sub.failures) == (
            want.prefs,
            want.created_at,
            want.confirmed_at,
            want.failures,
        )
    assert subs["ada@example.org"].user_id == ada_id and subs["ada@example.org"].failures == 1
    assert target.subscribers.for_user(ada_id).email == "ada@example.org"


def _copy(source: Store, target: Store, **kw) -> tuple[CopyReport, list]:
    events: list[tuple[str, int, int]] = []
    report = copy_instance(source, target, progress=lambda *e: events.append(e), **kw)
    return report, events


def test_sqlite_to_postgres_keeps_everything_and_verifies(tmp_path: Path, postgres_url) -> None:
    with open_store(str(tmp_path / "src.db")) as source:
        fill(source)
        with open_store(postgres_url, migrate="apply") as target:
            report, events = _copy(source, target, batch_size=64)
            assert report.problem is None and report.verified
            assert report.summary() == {
                "papers": N,
                "vectors": N + len(range(0, N, 3)),
                "passages": len(range(0, N, 2)),
                "state": 2,
                "users": 3,
                "marks": 16,
                "subscribers": 4,
                "dismissals": 2,
                "deliveries": 0,
                "verified": True,
            }
            _assert_same(source, target)
    copied = [e for e in events if e[0] == "copy papers"]
    assert copied[0] == ("copy papers", 0, N)
    assert sum(n for _, n, _ in copied) == N and max(n for _, n, _ in copied) == 64
    assert [e[0] for e in events if e[1] == 0] == [
        f"{stage} {name}"
        for stage in ("copy", "verify")
        for name in (
            "papers",
            "vectors",
            "passages",
            "state",
            "users",
            "marks",
            "subscribers",
            "dismissals",
            "deliveries",
        )
    ]


def test_postgres_to_sqlite_keeps_everything_and_verifies(tmp_path: Path, postgres_url) -> None:
    with open_store(postgres_url) as source, open_store(str(tmp_path / "dst.db")) as target:
        fill(source)
        report, _ = _copy(source, target, batch_size=100)
        assert report.verified and report.counts["papers"] == N
        _assert_same(source, target)


def test_refuses_a_non_empty_target_and_merges_when_asked(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "a.db")) as source, open_store(str(tmp_path / "b.db")) as target:
        fill(source)
        target.state.set_state("mine", "kept")
        with pytest.raises(TargetNotEmpty, match=r"not empty \(1 state\).*--merge"):
            copy_instance(source, target)
        assert target.papers.count_papers() == 0 and target.vectors.models() == []
        extra = replace(_paper(1), id="2499.00001", title="Only in the target")
        target.papers.upsert_papers([extra])
        with pytest.raises(TargetNotEmpty, match=r"1 papers, 1 state"):
            copy_instance(source, target)

        report, _ = _copy(source, target, merge=True)
        assert report.verified, report.problem
        assert target.stats()["papers"] == N + 1
        assert target.state.get_state("mine") == "kept"
        # An interrupted copy resumes the same way: merging again changes nothing.
        version = target.papers.version()
        report, _ = _copy(source, target, merge=True)
        assert report.verified and target.papers.version() == version


def test_refuses_the_same_database(tmp_path: Path) -> None:
    path = tmp_path / "same.db"
    with (
        open_store(str(path)) as a,
        open_store(f"sqlite:///{tmp_path}/../{tmp_path.name}/same.db") as b,
    ):
        with pytest.raises(InvalidParameter, match="same database"):
            copy_instance(a, b, merge=True)


class _LossyPapers(PaperStep):
    """Changes one title on the way, as a broken backend would."""

    def copy_batches(self, source, target, batch_size):
        for batch in source.papers.iter_papers(batch_size):
            target.papers.upsert_papers(
                [replace(p, title="changed") if p.id == "2401.00008" else p for p in batch]
            )
            yield len(batch)


class _LossyState(StateStep):
    def copy_batches(self, source, target, batch_size):
        yield from super().copy_batches(source, target, batch_size)
        target.state.set_state("oai:cursor", "1999-01-01")


def test_verification_names_the_first_difference(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "a.db")) as source:
        fill(source)
        with open_store(str(tmp_path / "b.db")) as target:
            report = copy_instance(source, target, steps=[_LossyPapers(), StateStep()])
        assert not report.verified
        assert report.problem == (
            "papers: '2401.00008' differs (title: 'Paper 8: <script>alert(1)</script> & "
            "\"quotes\" \\'single\\'' became 'changed')"
        )
        with open_store(str(tmp_path / "c.db")) as target:
            report = copy_instance(source, target, steps=[PaperStep(), _LossyState()])
        assert (
            report.problem == "state: 'oai:cursor' is '1999-01-01' in the target, not '2024-02-01'"
        )
        with open_store(str(tmp_path / "d.db")) as target:
            steps = default_steps()
            report = copy_instance(source, target, steps=steps)
            assert report.verified
            target.vectors.save_vectors(
                "model-a", [("2401.00003", "stale", np.ones(8, np.float32))]
            )
            problem = steps[1].verify(source, target, exact=True, tick=lambda n: None)
            assert problem == (
                "vectors of model-a: '2401.00003' has text hash 'stale', not 'h2401.00003'"
            )
            target.vectors.save_vectors("model-c", [("2401.00003", "x", np.ones(8, np.float32))])
            problem = steps[1].verify(source, target, exact=True, tick=lambda n: None)
            assert problem == "vectors: the target has models the source lacks: ['model-c']"


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_copy_json_refusal_merge_and_mismatch(
    tmp_path: Path, postgres_url, monkeypatch
) -> None:
    src = str(tmp_path / "src.db")
    with open_store(src) as source:
        fill(source)
    code, out, err = run(
        "copy", "--from", src, "--to", postgres_url, "--json", "--batch-size", "70"
    )
    assert code == 0, err
    assert json.loads(out) == {
        "papers": N,
        "vectors": N + N // 3,
        "passages": N // 2,
        "state": 2,
        "users": 3,
        "marks": 16,
        "subscribers": 4,
        "dismissals": 2,
        "deliveries": 0,
        "verified": True,
    }
    code, out, err = run("copy", "--from", src, "--to", postgres_url)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "not empty (300 papers" in err and "--merge" in err
    password = urlsplit(postgres_url).password
    assert not password or password not in err
    code, out, err = run("copy", "--from", src, "--to", postgres_url, "--merge")
    assert code == 0 and "verified" in err

    back = str(tmp_path / "back.db")
    code, out, err = run("copy", "--from", postgres_url, "--to", back, "--json")
    assert code == 0 and json.loads(out)["verified"] is True

    monkeypatch.setattr(copy_mod, "default_steps", lambda: [_LossyPapers()])
    code, out, err = run("copy", "--from", src, "--to", str(tmp_path / "bad.db"), "--json")
    assert code == 1
    assert json.loads(out) == {"papers": N, "verified": False}
    assert err.count("\n") == 1 and "verification failed: papers: '2401.00008' differs" in err


def test_cli_copy_bad_urls(tmp_path: Path) -> None:
    code, _, err = run("copy", "--from", "mysql://x/y", "--to", str(tmp_path / "t.db"))
    assert code == 1 and "unsupported database scheme 'mysql'" in err
    code, _, err = run("copy", "--from", str(tmp_path / "s.db"), "--to", str(tmp_path / "s.db"))
    assert code == 1 and "same database" in err
    code, _, err = run("copy", "--to", str(tmp_path / "t.db"))
    assert code == 2 and "--from" in err
