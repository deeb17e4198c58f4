"""The subscriber part of the store contract, on every backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from paperboy.models.subscription import (
    CONFIRMED,
    PENDING,
    SUSPENDED,
    UNSUBSCRIBED,
    WEEKLY,
    Preferences,
)
from paperboy.store import Store

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PREFS = Preferences(
    cadence=WEEKLY,
    weekday=4,
    timezone="Europe/Berlin",
    send_hour=8,
    trending_count=5,
    categories=("cs.CL",),
    searches=("speech recognition", "diffusion"),
    authors=("Ada Lovelace",),
    more_like_mine=True,
)


def test_a_subscriber_keeps_preferences_and_status(store: Store) -> None:
    sub, created = store.subscribers.add("ada@example.org", PREFS, PENDING, NOW)
    assert created and sub.status == PENDING and not sub.active and sub.prefs == PREFS
    assert sub.created_at == NOW and sub.confirmed_at is None and sub.failures == 0
    assert store.subscribers.find("ada@example.org") == sub == store.subscribers.get(sub.id)
    assert store.subscribers.set_status(sub.id, CONFIRMED, NOW)
    assert not store.subscribers.set_status(sub.id, CONFIRMED, NOW)
    got = store.subscribers.get(sub.id)
    assert got is not None and got.active and got.confirmed_at == NOW
    assert [s.email for s in store.subscribers.iter_confirmed(batch=1)] == ["ada@example.org"]


def test_subscribing_again_never_changes_a_confirmed_address(store: Store) -> None:
    sub, _ = store.subscribers.add("ada@example.org", PREFS, CONFIRMED, NOW)
    again, created = store.subscribers.add("ada@example.org", Preferences(), PENDING, NOW)
    assert not created and again == sub and again.status == CONFIRMED
    store.subscribers.set_status(sub.id, UNSUBSCRIBED, NOW)
    back, _ = store.subscribers.add("ada@example.org", Preferences(), PENDING, NOW)
    assert back.id == sub.id and back.status == PENDING and back.prefs == Preferences()


def test_bad_preferences_are_refused_with_a_reason(store: Store) -> None:
    with pytest.raises(ValueError, match="time zone"):
        store.subscribers.add("a@example.org", Preferences(timezone="Mars/Base"), PENDING, NOW)
    with pytest.raises(ValueError, match="send hour"):
        Preferences(send_hour=24).checked()
    assert store.subscribers.count() == 0


def test_repeated_failures_suspend_and_confirming_clears_them(store: Store) -> None:
    sub, _ = store.subscribers.add("bob@example.org", Preferences(), CONFIRMED, NOW)
    assert store.subscribers.record_failure(sub.id, NOW, suspend_after=2) == 1
    assert store.subscribers.get(sub.id).status == CONFIRMED  # type: ignore[union-attr]
    assert store.subscribers.record_failure(sub.id, NOW, suspend_after=2) == 2
    got = store.subscribers.get(sub.id)
    assert got is not None and got.status == SUSPENDED and got.failures == 2
    store.subscribers.set_status(sub.id, CONFIRMED, NOW)
    assert store.subscribers.get(sub.id).failures == 0  # type: ignore[union-attr]
    store.subscribers.record_failure(sub.id, NOW, suspend_after=3)
    store.subscribers.clear_failures(sub.id)
    assert store.subscribers.get(sub.id).failures == 0  # type: ignore[union-attr]


def test_listing_counting_linking_and_removing(store: Store) -> None:
    for i in range(5):
        status = CONFIRMED if i % 2 == 0 else PENDING
        store.subscribers.add(f"r{i}@example.org", Preferences(), status, NOW)
    assert store.subscribers.count() == 5 and store.subscribers.count(CONFIRMED) == 3
    assert [s.email for s in store.subscribers.list(PENDING)] == [
        "r1@example.org",
        "r3@example.org",
    ]
    assert len(store.subscribers.list(limit=2, offset=4)) == 1
    user, _ = store.users.get_or_create("r2@example.org")
    sub = store.subscribers.find("r2@example.org")
    assert sub is not None and store.subscribers.for_user(user.id) == sub  # by address
    other, _ = store.users.get_or_create("other@example.org")
    store.subscribers.link_user(sub.id, other.id)
    assert store.subscribers.for_user(other.id).email == "r2@example.org"  # type: ignore[union-attr]
    assert store.subscribers.remove(sub.id) and not store.subscribers.remove(sub.id)
    assert store.subscribers.find("r2@example.org") is None
    assert [s.email for s in store.subscribers.iter_confirmed(batch=1)] == [
        "r0@example.org",
        "r4@example.org",
    ]


def test_concurrent_subscriptions_of_one_address_make_one_row(store: Store) -> None:
    from paperboy.store import open_store

    results: list[bool] = []

    def subscribe() -> None:
        with open_store(store.url) as other:
            results.append(other.subscribers.add("c@example.org", PREFS, PENDING, NOW)[1])

    threads = [threading.Thread(target=subscribe) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 6 and results.count(True) == 1 and store.subscribers.count() == 1
