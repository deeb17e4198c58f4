"""Worker job leases on every backend (``store`` is parametrised): one holder at a time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from paperboy.store import Store

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_one_holder_until_it_releases_or_its_lease_expires(store: Store) -> None:
    assert store.job_locks.acquire("ingest", "a", NOW, 60)
    assert not store.job_locks.acquire("ingest", "b", NOW + timedelta(seconds=59), 60)
    assert store.job_locks.acquire("embed", "b", NOW, 60)  # another job is another lease
    (held, other) = store.job_locks.current(NOW)
    assert (held.name, held.holder, held.acquired_at) == ("embed", "b", NOW)
    assert (other.name, other.holder) == ("ingest", "a")
    assert other.expires_at == NOW + timedelta(seconds=60)

    assert store.job_locks.acquire("ingest", "a", NOW + timedelta(seconds=30), 60)  # re-entry
    assert not store.job_locks.acquire("ingest", "b", NOW + timedelta(seconds=89), 60)
    assert store.job_locks.acquire("ingest", "b", NOW + timedelta(seconds=90), 60)  # expired
    assert not store.job_locks.renew("ingest", "a", NOW + timedelta(seconds=91), 60)
    assert not store.job_locks.release("ingest", "a")  # no longer theirs
    assert [lk.holder for lk in store.job_locks.current(NOW + timedelta(seconds=91))] == ["b"]
    assert store.job_locks.release("ingest", "b")
    assert store.job_locks.acquire("ingest", "a", NOW + timedelta(seconds=92), 60)


def test_renewing_keeps_the_lease_past_its_first_expiry(store: Store) -> None:
    assert store.job_locks.acquire("digest", "a", NOW, 10)
    assert store.job_locks.renew("digest", "a", NOW + timedelta(seconds=8), 10)
    assert not store.job_locks.acquire("digest", "b", NOW + timedelta(seconds=15), 10)
    assert store.job_locks.current(NOW + timedelta(seconds=17.5))[0].holder == "a"
    assert store.job_locks.current(NOW + timedelta(seconds=18)) == []
    with pytest.raises(ValueError, match="positive"):
        store.job_locks.acquire("digest", "a", NOW, 0)


def test_racing_holders_never_both_win(store: Store) -> None:
    """Eight threads (each its own connection on PostgreSQL) take one free lease at once."""
    start = threading.Barrier(8)
    won: list[str] = []

    def take(holder: str) -> None:
        start.wait()
        if store.job_locks.acquire("trending", holder, NOW, 60):
            won.append(holder)

    threads = [threading.Thread(target=take, args=(f"h{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert [lk.holder for lk in store.job_locks.current(NOW)] == won
