"""The community part of the store contract: accounts, sessions, tokens, votes, saves, rate
limits and hidden papers, on every backend (``store`` is parametrised in conftest.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from paperboy.models.community import PaperCounts
from paperboy.models.query import Filters, TextQuery
from paperboy.store import Store

from .contract import paper

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_accounts_are_made_once_by_email(store: Store) -> None:
    ada, created = store.users.get_or_create("ada@example.org", "Ada")
    again, created_again = store.users.get_or_create("ada@example.org", "Someone else")
    assert created and not created_again and again == ada
    assert (ada.display_name, ada.name, ada.is_admin, ada.banned) == ("Ada", "Ada", False, False)
    assert store.users.find_user("ada@example.org") == ada and store.users.get_user(ada.id) == ada
    bob, _ = store.users.get_or_create("bob@example.org")
    assert bob.name == "bob" and store.users.count_users() == 2
    assert [u.email for u in store.users.list_users()] == ["ada@example.org", "bob@example.org"]
    store.users.set_admin(bob.id, True)
    store.users.set_display_name(bob.id, "Bob B.")
    got = store.users.get_user(bob.id)
    assert got is not None and got.is_admin and got.name == "Bob B."


def test_concurrent_first_sign_ins_make_one_account(store: Store) -> None:
    from paperboy.store import open_store

    ids: list[int] = []

    def sign_in() -> None:
        with open_store(store.url) as s:
            ids.append(s.users.get_or_create("same@example.org")[0].id)

    threads = [threading.Thread(target=sign_in) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(ids) == 6 and len(set(ids)) == 1 and store.users.count_users() == 1


def test_sessions_end_by_expiry_sign_out_and_ban(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    store.users.create_session(ada.id, "h1", NOW + timedelta(days=30))
    store.users.create_session(ada.id, "h2", NOW + timedelta(days=30))
    assert store.users.session_user("h1", NOW) == ada
    assert store.users.session_user("h1", NOW + timedelta(days=31)) is None  # expired
    assert store.users.session_user("forged", NOW) is None
    store.users.end_session("h1")
    assert store.users.session_user("h1", NOW) is None and store.users.session_user("h2", NOW)
    store.users.set_banned(ada.id, True)
    assert store.users.session_user("h2", NOW) is None  # a ban ends every session
    store.users.set_banned(ada.id, False)
    assert store.users.session_user("h2", NOW) is None  # ... for good
    assert store.users.end_sessions(ada.id) == 0


def test_one_time_tokens_are_spent_once_and_expire(store: Store) -> None:
    store.users.add_token("t1", "login", "ada@example.org", NOW + timedelta(minutes=15))
    assert store.users.token_state("t1", "login", NOW) == "valid"
    assert store.users.use_token("t1", "subscribe", NOW) is None  # another purpose
    assert store.users.use_token("t1", "login", NOW) == "ada@example.org"
    assert store.users.use_token("t1", "login", NOW) is None
    assert store.users.token_state("t1", "login", NOW) == "used"
    store.users.add_token("t2", "login", "bob@example.org", NOW + timedelta(minutes=15))
    late = NOW + timedelta(minutes=16)
    assert store.users.use_token("t2", "login", late) is None
    assert store.users.token_state("t2", "login", late) == "expired"
    assert store.users.token_state("nope", "login", NOW) == "unknown"


def test_a_token_used_twice_at_once_signs_in_once(store: Store) -> None:
    from paperboy.store import open_store

    store.users.add_token("race", "login", "ada@example.org", NOW + timedelta(minutes=15))
    got: list[str | None] = []

    def use() -> None:
        with open_store(store.url) as s:
            got.append(s.users.use_token("race", "login", NOW))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert got.count("ada@example.org") == 1 and got.count(None) == 7


def test_api_tokens_create_list_revoke(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    token = store.users.create_api_token(ada.id, "laptop script", "th1")
    assert token.name == "laptop script" and store.users.api_token_user("th1") == ada
    assert [t.id for t in store.users.list_api_tokens(ada.id)] == [token.id]
    bob, _ = store.users.get_or_create("bob@example.org")
    assert not store.users.revoke_api_token(bob.id, token.id)  # not bob's
    assert store.users.revoke_api_token(ada.id, token.id)
    assert store.users.api_token_user("th1") is None and store.users.list_api_tokens(ada.id) == []


def test_votes_and_saves_are_idempotent_and_counted(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    ada, _ = store.users.get_or_create("ada@example.org")
    bob, _ = store.users.get_or_create("bob@example.org")
    before = store.votes.version()
    papers_version = store.papers.version()
    assert store.votes.vote(ada.id, "2401.00001") and not store.votes.vote(ada.id, "2401.00001")
    assert store.votes.vote(bob.id, "2401.00001") and store.votes.save(ada.id, "2401.00002")
    assert store.votes.version() > before
    assert store.papers.version() == papers_version  # votes never empty the page caches
    assert store.votes.counts(["2401.00001", "2401.00002", "2401.00009"]) == {
        "2401.00001": PaperCounts(votes=2, saves=0),
        "2401.00002": PaperCounts(votes=0, saves=1),
    }
    assert store.votes.marks(ada.id, ["2401.00001", "2401.00002"]) == (
        {"2401.00001"},
        {"2401.00002"},
    )
    assert store.votes.state(ada.id, "2401.00001") == (True, False, 2, 0)
    assert store.votes.state(ada.id, "2401.00002") == (False, True, 0, 1)
    assert store.votes.state(bob.id, "2401.00009") == (False, False, 0, 0)  # no counts row
    assert store.votes.unvote(bob.id, "2401.00001") and not store.votes.unvote(bob.id, "2401.00001")
    assert store.votes.counts(["2401.00001"])["2401.00001"].votes == 1
    assert [pid for pid, _ in store.votes.library(ada.id)] == ["2401.00002"]
    assert store.votes.count_library(ada.id) == 1
    assert set(store.votes.active_since(NOW - timedelta(days=3650))) == {"2401.00001", "2401.00002"}


def test_fifty_accounts_voting_twice_at_once_count_fifty(store: Store) -> None:
    from paperboy.store import open_store

    store.papers.upsert_papers([paper("2401.00001")])
    users = [store.users.get_or_create(f"u{i}@example.org")[0].id for i in range(50)]
    errors: list[BaseException] = []

    def vote(chunk: list[int]) -> None:
        try:
            with open_store(store.url) as s:
                for uid in chunk:
                    s.votes.vote(uid, "2401.00001")
                    s.votes.vote(uid, "2401.00001")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=vote, args=(users[i::5],)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert store.votes.counts(["2401.00001"])["2401.00001"].votes == 50


def test_apply_answers_the_state_its_own_action_left(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001")])
    ada, _ = store.users.get_or_create("ada@example.org")
    bob, _ = store.users.get_or_create("bob@example.org")
    before = store.votes.version()
    assert store.votes.apply("vote", ada.id, "2401.00001") == (True, True, False, 1, 0)
    assert store.votes.apply("vote", ada.id, "2401.00001") == (False, True, False, 1, 0)
    assert store.votes.apply("save", bob.id, "2401.00001") == (True, False, True, 1, 1)
    assert store.votes.apply("unvote", ada.id, "2401.00001") == (True, False, False, 0, 1)
    assert store.votes.apply("unsave", ada.id, "2401.00001") == (False, False, False, 0, 1)
    assert store.votes.version() > before
    with pytest.raises(ValueError, match="action"):
        store.votes.apply("delete", ada.id, "2401.00001")
    store.users.set_banned(bob.id, True)
    store.votes.recount(bob.id)
    assert store.votes.apply("vote", bob.id, "2401.00001") == (False, False, True, 0, 0)


def test_fifty_accounts_applying_votes_twice_at_once_count_fifty(store: Store) -> None:
    from paperboy.store import open_store

    store.papers.upsert_papers([paper("2401.00001")])
    users = [store.users.get_or_create(f"u{i}@example.org")[0].id for i in range(50)]
    answers: list[tuple] = []
    errors: list[BaseException] = []

    def vote(chunk: list[int]) -> None:
        try:
            with open_store(store.url) as s:
                for uid in chunk:
                    answers.append(s.votes.apply("vote", uid, "2401.00001"))
                    answers.append(s.votes.apply("vote", uid, "2401.00001"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=vote, args=(users[i::5],)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert store.votes.counts(["2401.00001"])["2401.00001"].votes == 50
    assert sum(a[0] for a in answers) == 50  # one change per account
    assert sorted(a[3] for a in answers if a[0]) == list(range(1, 51))  # each saw its own


def test_a_banned_accounts_votes_stop_counting(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001")])
    ada, _ = store.users.get_or_create("ada@example.org")
    bob, _ = store.users.get_or_create("bob@example.org")
    store.votes.vote(ada.id, "2401.00001")
    store.votes.vote(bob.id, "2401.00001")
    store.users.set_banned(bob.id, True)
    store.votes.recount(bob.id)
    assert store.votes.counts(["2401.00001"])["2401.00001"].votes == 1
    assert not store.votes.vote(bob.id, "2401.00001")  # a banned account cannot vote
    store.votes.unvote(bob.id, "2401.00001")  # nor move the count by unvoting
    assert store.votes.counts(["2401.00001"])["2401.00001"].votes == 1
    store.users.set_banned(bob.id, False)
    store.votes.recount(bob.id)
    assert store.votes.counts(["2401.00001"])["2401.00001"].votes == 1  # bob's vote is gone


def test_rate_limit_windows_count_per_bucket(store: Store) -> None:
    assert [store.limits.hit("login:ada", 60, NOW) for _ in range(3)] == [1, 2, 3]
    assert store.limits.hit("login:bob", 60, NOW) == 1
    assert store.limits.hit("login:ada", 60, NOW + timedelta(seconds=61)) == 1


def test_hidden_papers_leave_every_read(store: Store) -> None:
    store.papers.upsert_papers(
        [paper("2401.00001", title="Quokka detection"), paper("2401.00002", title="Quokka care")]
    )
    store.vectors.save_vectors(
        "m", [("2401.00001", "h", np.ones(4, np.float32)), ("2401.00002", "h", np.ones(4))]
    )
    ada, _ = store.users.get_or_create("ada@example.org")
    store.votes.save(ada.id, "2401.00001")
    version = store.papers.version()
    assert store.papers.set_hidden("2401.00001", True) and store.papers.version() > version
    assert not store.papers.set_hidden("2409.99999", True)
    assert store.papers.hidden_ids() == ["2401.00001"]
    assert store.papers.get_paper("2401.00001") is None
    assert store.papers.find_paper("arXiv:2401.00001") is None
    assert store.papers.find_paper_id("arXiv:2401.00001") is None
    assert store.papers.find_paper_id(" https://arxiv.org/abs/2401.00002v3 ") == "2401.00002"
    assert store.papers.find_paper_id("2409.99999") is None and not store.papers.find_paper_id("")
    assert [p.id for p in store.papers.list_papers()] == ["2401.00002"]
    day = paper("x").listing_date
    assert [p.id for p in store.papers.list_listed(day, day)] == ["2401.00002"]
    assert store.papers.count_listed(day, day) == 1 and store.papers.count_papers() == 1
    assert store.papers.count_papers(Filters(categories=("cs",))) == 1
    hits = store.papers.lexical_search(TextQuery(terms=("quokka",)))
    assert [h.id for h in hits] == ["2401.00002"]
    assert store.papers.find_by_title("Quokka detection") == []
    assert store.papers.filter_ids(["2401.00001", "2401.00002"], Filters()) == {"2401.00002"}
    assert [h.id for h in store.vectors.nearest("m", np.ones(4), 5)] == ["2401.00002"]
    assert store.votes.library(ada.id) == [] and store.votes.count_library(ada.id) == 0
    store.papers.set_hidden("2401.00001", False)
    assert store.papers.get_paper("2401.00001") is not None
    assert len(store.vectors.nearest("m", np.ones(4), 5)) == 2


def test_nearest_skips_many_hidden_neighbours(store: Store) -> None:
    """More hidden papers among the nearest than any fixed margin: still the k nearest
    shown ones, in order (PostgreSQL falls back from its index-first query)."""
    rng = np.random.default_rng(3)
    q = np.zeros(8)
    q[0] = 1.0
    ids = [f"2402.{i:05d}" for i in range(40)]
    store.papers.upsert_papers([paper(pid) for pid in ids])
    rows = []
    for i, pid in enumerate(ids):  # paper i is the i-th nearest to q
        v = q + (0.02 * i + 0.01) * rng.normal(size=8)
        rows.append((pid, "h", v / np.linalg.norm(v)))
    store.vectors.save_vectors("m", rows)
    order = [h.id for h in store.vectors.nearest("m", q, 40)]
    for pid in order[:30]:
        store.papers.set_hidden(pid, True)
    assert [h.id for h in store.vectors.nearest("m", q, 3)] == order[30:33]
    store.papers.set_hidden(order[0], False)
    assert [h.id for h in store.vectors.nearest("m", q, 2)] == [order[0], order[30]]


def test_hidden_papers_leave_the_top_hits_and_the_listing_days(store: Store) -> None:
    """The best match hidden: a one-hit search still finds the next one, and a day whose
    only paper is hidden leaves the listing days (both are remembered between calls)."""
    from datetime import date

    store.papers.upsert_papers([
        paper("2401.00001", title="Quokka quokka quokka", listing_date=date(2024, 1, 3)),
        paper("2401.00002", title="Quokka care"),
    ])  # fmt: skip
    query = TextQuery(terms=("quokka",))
    assert [h.id for h in store.papers.lexical_search(query, limit=1)] == ["2401.00001"]
    assert store.papers.listing_dates() == [date(2024, 1, 3), date(2024, 1, 2)]
    store.papers.set_hidden("2401.00001", True)
    assert [h.id for h in store.papers.lexical_search(query, limit=1)] == ["2401.00002"]
    assert store.papers.listing_dates() == [date(2024, 1, 2)]
    store.papers.set_hidden("2401.00001", False)
    assert store.papers.listing_dates() == [date(2024, 1, 3), date(2024, 1, 2)]
    assert [h.id for h in store.papers.lexical_search(query, limit=1)] == ["2401.00001"]
