"""The discussion part of the store contract: submissions and comments, on every backend
(``store`` is parametrised in conftest.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from paperboy.store import Store

from .contract import paper

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DAY = date(2026, 11, 27)


def test_the_first_submitter_wins(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    ada, _ = store.users.get_or_create("ada@example.org", "Ada")
    bob, _ = store.users.get_or_create("bob@example.org")
    version = store.submissions.version()
    assert store.submissions.submit(ada.id, "2401.00001", DAY, NOW)
    assert store.submissions.version() > version
    assert not store.submissions.submit(bob.id, "2401.00001", DAY, NOW)  # already submitted
    assert store.submissions.submit(bob.id, "2401.00002", DAY, NOW + timedelta(minutes=1))
    assert store.submissions.submitted_on(DAY) == [("2401.00001", ada), ("2401.00002", bob)]
    assert store.submissions.submitted_on(DAY + timedelta(days=1)) == []
    got = store.submissions.submitter("2401.00001")
    assert got is not None and (got.user_id, got.author, got.day) == (ada.id, "Ada", DAY)
    assert got.submitted_at == NOW
    assert store.submissions.submitter("2401.00003") is None
    both = store.submissions.submitters(["2401.00002", "2401.00001", "2401.00009"])
    assert {k: v.author for k, v in both.items()} == {"2401.00001": "Ada", "2401.00002": "bob"}


def test_the_daily_cap_counts_one_account_since_a_moment(store: Store) -> None:
    store.papers.upsert_papers([paper(f"2401.0000{i}") for i in range(1, 4)])
    ada, _ = store.users.get_or_create("ada@example.org")
    bob, _ = store.users.get_or_create("bob@example.org")
    store.submissions.submit(ada.id, "2401.00001", DAY, NOW - timedelta(days=1))
    store.submissions.submit(ada.id, "2401.00002", DAY, NOW)
    store.submissions.submit(bob.id, "2401.00003", DAY, NOW)
    assert store.submissions.count_by_user_since(ada.id, NOW - timedelta(hours=1)) == 1
    assert store.submissions.count_by_user_since(ada.id, NOW - timedelta(days=2)) == 2
    assert store.submissions.count_by_user_since(bob.id, NOW + timedelta(seconds=1)) == 0


def test_picks_are_submitted_or_upvoted_papers_ranked_by_votes(store: Store) -> None:
    listed = date(2026, 11, 27)
    store.papers.upsert_papers(
        [
            paper("2611.00001", listing_date=listed),  # listed, nobody cares
            paper("2611.00002", listing_date=listed, upvotes=3),  # imported upvotes
            paper("2611.00003", listing_date=listed),  # one local vote
            paper("2401.00004", listing_date=date(2024, 1, 2)),  # old, submitted today
            paper("2611.00005", listing_date=listed),  # hidden
        ]
    )
    ada, _ = store.users.get_or_create("ada@example.org")
    bob, _ = store.users.get_or_create("bob@example.org")
    store.votes.vote(ada.id, "2611.00003")
    store.votes.vote(ada.id, "2611.00005")
    store.papers.set_hidden("2611.00005", True)
    store.submissions.submit(bob.id, "2401.00004", listed, NOW)
    ids, total = store.submissions.picks(listed, listed, 10, 0)
    assert ids == ["2611.00002", "2611.00003", "2401.00004"] and total == 3
    assert store.submissions.picks(listed, listed, 1, 1) == (["2611.00003"], 3)
    for _ in range(5):  # local votes rank too
        user, _ = store.users.get_or_create(f"u{_}@example.org")
        store.votes.vote(user.id, "2401.00004")
    assert store.submissions.picks(listed, listed, 10, 0)[0][0] == "2401.00004"
    assert store.submissions.picks(date(2026, 11, 28), date(2026, 11, 30), 10, 0) == ([], 0)


def test_comments_thread_replies_edits_and_soft_deletes(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    ada, _ = store.users.get_or_create("ada@example.org", "Ada")
    bob, _ = store.users.get_or_create("bob@example.org")
    version = store.comments.version()
    first = store.comments.add("2401.00001", ada.id, "First *post*", None, NOW)
    assert store.comments.version() > version
    assert (first.author, first.parent_id, first.body, first.created_at) == (
        "Ada", None, "First *post*", NOW,
    )  # fmt: skip
    second = store.comments.add("2401.00001", bob.id, "Second", None, NOW)
    reply = store.comments.add("2401.00001", bob.id, "A reply", first.id, NOW)
    store.comments.add("2401.00002", bob.id, "Elsewhere", None, NOW)
    assert [c.id for c in store.comments.thread("2401.00001")] == [first.id, reply.id, second.id]
    assert store.comments.get(reply.id) == reply and store.comments.get(99_999) is None

    later = NOW + timedelta(minutes=5)
    assert not store.comments.edit(first.id, bob.id, "hijacked", later)  # not the author
    assert store.comments.edit(first.id, ada.id, "First, edited", later)
    edited = store.comments.get(first.id)
    assert edited is not None and (edited.body, edited.edited_at) == ("First, edited", later)

    assert not store.comments.delete(first.id, bob.id, later)
    assert store.comments.delete(first.id, ada.id, later)
    assert not store.comments.delete(first.id, ada.id, later)  # once
    assert not store.comments.edit(first.id, ada.id, "back", later)  # deleted stays deleted
    gone = store.comments.get(first.id)
    assert gone is not None and gone.deleted_at == later and gone.body == "" and not gone.visible
    thread = store.comments.thread("2401.00001")
    assert [c.id for c in thread] == [first.id, reply.id, second.id]  # the reply keeps its place
    assert store.comments.counts(["2401.00001", "2401.00002", "2401.00003"]) == {
        "2401.00001": 2, "2401.00002": 1,
    }  # fmt: skip


def test_admins_hide_and_show_comments(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001")])
    ada, _ = store.users.get_or_create("ada@example.org")
    c = store.comments.add("2401.00001", ada.id, "spam", None, NOW)
    version = store.comments.version()
    assert store.comments.set_hidden(c.id, True, NOW)
    assert not store.comments.set_hidden(c.id, True, NOW)  # already hidden
    assert store.comments.version() > version
    hidden = store.comments.get(c.id)
    assert hidden is not None and hidden.hidden_at == NOW and hidden.body == "spam"
    assert store.comments.counts(["2401.00001"]) == {}
    assert store.comments.set_hidden(c.id, False, NOW)
    assert store.comments.counts(["2401.00001"]) == {"2401.00001": 1}
    assert not store.comments.set_hidden(424242, True, NOW)
