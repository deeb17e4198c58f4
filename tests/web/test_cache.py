"""Rendered responses are cached per data version; any commit to the store invalidates them."""

from __future__ import annotations

from datetime import date

from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.models.paper import Paper
from paperboy.store import open_store
from paperboy.web.app import create_app


def _paper(pid: str, title: str, day: date, upvotes: int | None = None) -> Paper:
    return Paper(
        id=pid, title=title, abstract="About caching.", authors=["A. Author"],
        categories=["cs.DB"], listing_date=day, published=day, upvotes=upvotes,
    )  # fmt: skip


def test_a_commit_invalidates_cached_lists_and_pages(tmp_path):
    store = open_store(str(tmp_path / "c.db"))
    store.papers.upsert_papers([_paper("2601.00001", "First title", date(2026, 1, 5))])
    app = create_app(load_settings({}), store)
    with TestClient(app) as client:
        first = client.get("/api/daily_papers").json()
        assert [x["paper"]["id"] for x in first] == ["2601.00001"]
        assert client.get("/api/daily_papers").json() == first
        cache = app.state.paperboy.cache
        assert cache.hits >= 1

        store.papers.upsert_papers([_paper("2601.00002", "Second title", date(2026, 1, 5))])
        again = client.get("/api/daily_papers").json()
        assert [x["paper"]["id"] for x in again] == ["2601.00002", "2601.00001"]

        assert "First title" in client.get("/papers/2601.00001").text
        store.papers.upsert_papers([_paper("2601.00001", "Renamed title", date(2026, 1, 5), 3)])
        page = client.get("/papers/2601.00001").text
        assert "Renamed title" in page and "First title" not in page


def test_a_write_from_another_connection_invalidates_too(tmp_path):
    path = str(tmp_path / "c.db")
    store = open_store(path)
    store.papers.upsert_papers([_paper("2601.00001", "First title", date(2026, 1, 5))])
    with TestClient(create_app(load_settings({}), store)) as client:
        assert len(client.get("/feeds/daily.atom").text) > 0
        other = open_store(path)  # as `paperboy import` in another process would
        other.papers.upsert_papers([_paper("2601.00003", "From elsewhere", date(2026, 1, 5))])
        other.close()
        assert "From elsewhere" in client.get("/feeds/daily.atom").text


def test_etag_revalidation_answers_304(tmp_path, picks_window):
    store = open_store(str(tmp_path / "c.db"))
    store.papers.upsert_papers([_paper("2601.00001", "First title", date(2026, 1, 5))])
    with TestClient(create_app(load_settings({}), store)) as client:
        etag = client.get("/").headers["etag"]
        assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
        store.papers.upsert_papers([_paper("2601.00002", "Second", date(2026, 1, 5))])
        assert client.get("/", headers={"If-None-Match": etag}).status_code == 200


def test_errors_are_not_cached(tmp_path):
    store = open_store(str(tmp_path / "c.db"))
    app = create_app(load_settings({}), store)
    with TestClient(app) as client:
        assert client.get("/api/papers/2601.00001").status_code == 404
        assert client.get("/?date=nonsense").status_code == 422
        assert not app.state.paperboy.cache._entries
        store.papers.upsert_papers([_paper("2601.00001", "Now here", date(2026, 1, 5))])
        assert client.get("/api/papers/2601.00001").json()["title"] == "Now here"
