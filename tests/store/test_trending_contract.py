"""Trending scores and library-feed secrets on every backend (``store`` is parametrised)."""

from __future__ import annotations

from datetime import UTC, datetime

from paperboy.models.trending import TrendingRow
from paperboy.store import Store

from .contract import paper

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_a_refresh_replaces_the_table_and_moves_the_version(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002"), paper("2401.00003")])
    assert store.trending.computed_at() is None and store.trending.top() == []
    before = store.trending.version()
    rows = [
        TrendingRow("2401.00001", 1.5, 3, 1, 10, 20.0),
        TrendingRow("2401.00002", 2.5, 5, 0, 0, 4.5),
        TrendingRow("2499.99999", 9.0, 1, 0, 0, 1.0),  # gone meanwhile: skipped, no error
    ]
    store.trending.replace(rows, NOW)
    assert [r.paper_id for r in store.trending.top()] == ["2401.00002", "2401.00001"]
    assert store.trending.top(limit=1, offset=1) == [rows[0]]
    assert store.trending.count() == 2 and store.trending.version() == before + 1
    assert store.trending.scores(["2401.00001", "2401.00003"]) == {"2401.00001": 1.5}
    assert store.trending.computed_at() == NOW
    store.trending.replace([TrendingRow("2401.00003", 0.5, 1, 0, 0, 2.0)], NOW)
    assert [r.paper_id for r in store.trending.top()] == ["2401.00003"]


def test_hidden_papers_leave_trending_at_once(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    store.trending.replace(
        [
            TrendingRow("2401.00001", 2.0, 1, 0, 0, 1.0),
            TrendingRow("2401.00002", 1.0, 1, 0, 0, 1.0),
        ],
        NOW,
    )
    store.papers.set_hidden("2401.00001", True)
    assert [r.paper_id for r in store.trending.top()] == ["2401.00002"]
    assert store.trending.count() == 1


def test_a_feed_secret_is_one_per_account_and_rotates(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    bob, _ = store.users.get_or_create("bob@example.org")
    assert not store.feed_tokens.has_feed_token(ada.id)
    store.feed_tokens.set_feed_token(ada.id, "old")
    store.feed_tokens.set_feed_token(bob.id, "bobs")
    assert store.feed_tokens.feed_user("old") == ada.id and store.feed_tokens.has_feed_token(ada.id)
    store.feed_tokens.set_feed_token(ada.id, "new")
    assert store.feed_tokens.feed_user("old") is None
    assert store.feed_tokens.feed_user("new") == ada.id
    assert store.feed_tokens.feed_user("bobs") == bob.id
    store.users.set_banned(bob.id, True)
    assert store.feed_tokens.feed_user("bobs") is None


def test_concurrent_refreshes_replace_the_table_one_at_a_time(store: Store) -> None:
    import threading

    from paperboy.store import open_store

    store.papers.upsert_papers([paper(f"2401.{i:05d}") for i in range(1, 30)])
    rows = [TrendingRow(f"2401.{i:05d}", float(i), i, 0, 0, 1.0) for i in range(1, 30)]
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            with open_store(store.url) as s:
                for _ in range(5):
                    s.trending.replace(rows, NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert [r.paper_id for r in store.trending.top(100)] == [r.paper_id for r in rows[::-1]]
