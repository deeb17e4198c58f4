"""The "not interested" part of the store contract, and the positives picks read (votes and
saves together), on every backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from paperboy.store import Store

from .contract import paper

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_marks_are_kept_once_listed_newest_first_and_reset(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002"), paper("2401.00003")])
    ada, _ = store.users.get_or_create("ada@example.org")
    bob, _ = store.users.get_or_create("bob@example.org")
    assert store.dismissals.dismiss(ada.id, "2401.00001", NOW)
    assert not store.dismissals.dismiss(ada.id, "2401.00001", NOW)  # idempotent
    assert store.dismissals.dismiss(ada.id, "2401.00002", NOW + timedelta(minutes=1))
    assert not store.dismissals.dismiss(ada.id, "2499.99999", NOW)  # no such paper
    assert store.dismissals.dismiss(bob.id, "2401.00003", NOW)
    assert store.dismissals.dismissed(ada.id) == [
        ("2401.00002", NOW + timedelta(minutes=1)),
        ("2401.00001", NOW),
    ]
    assert store.dismissals.among(ada.id, ["2401.00001", "2401.00003", "x"]) == {"2401.00001"}
    assert store.dismissals.count(ada.id) == 2
    assert store.dismissals.undismiss(ada.id, "2401.00001")
    assert not store.dismissals.undismiss(ada.id, "2401.00001")
    assert store.dismissals.reset(ada.id) == 1 and store.dismissals.count(ada.id) == 0
    assert store.dismissals.count(bob.id) == 1  # another reader's marks stay


def test_concurrent_marks_of_one_paper_add_one(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001")])
    ada, _ = store.users.get_or_create("ada@example.org")
    added: list[bool] = []

    def mark() -> None:
        added.append(store.dismissals.dismiss(ada.id, "2401.00001", NOW))

    threads = [threading.Thread(target=mark) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert added.count(True) == 1 and store.dismissals.count(ada.id) == 1


def test_liked_is_votes_and_saves_once_each_without_hidden_papers(store: Store) -> None:
    store.papers.upsert_papers([paper(f"2401.0000{i}") for i in range(1, 5)])
    ada, _ = store.users.get_or_create("ada@example.org")
    assert store.votes.liked(ada.id) == []
    store.votes.vote(ada.id, "2401.00001")
    store.votes.save(ada.id, "2401.00001")
    store.votes.save(ada.id, "2401.00002")
    store.votes.vote(ada.id, "2401.00003")
    store.papers.set_hidden("2401.00003", True)
    liked = [pid for pid, _ in store.votes.liked(ada.id)]
    assert sorted(liked) == ["2401.00001", "2401.00002"]
    assert len(store.votes.liked(ada.id, limit=1)) == 1
