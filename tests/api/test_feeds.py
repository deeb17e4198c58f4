"""Atom feeds parse cleanly with feedparser and carry hostile text as text."""

from __future__ import annotations

import feedparser
import pytest

FEEDS = [
    "/feeds/daily.atom",
    "/feeds/daily.atom?week=2026-W27",
    "/feeds/daily.atom?month=2026-06",
    "/feeds/trending.atom",
    "/feeds/search.atom?q=alignment",
    "/feeds/search.atom?q=onerror",
]


@pytest.mark.parametrize("path", FEEDS)
def test_feed_parses_without_bozo(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.entries
    entry = feed.entries[0]
    assert entry.link.startswith("http://testserver/papers/")
    assert entry.title and entry.summary and entry.published_parsed


@pytest.mark.parametrize("path", ["/feeds/daily.atom", "/feeds/trending.atom", FEEDS[-1]])
def test_hostile_text_stays_text_in_feeds(client, path, hostile_paper):
    raw = client.get(path).text
    assert "<img src=x" not in raw and "<script>" not in raw
    feed = feedparser.parse(raw)
    hostile = [e for e in feed.entries if e.link.endswith("/papers/2606.99999")]
    assert hostile, "the hostile paper should be in this feed"
    assert hostile[0].title_detail.type == "text/plain"
    assert hostile[0].title == hostile_paper.title
    assert hostile[0].summary_detail.type == "text/plain"


def test_daily_feed_links_its_page_and_itself(client):
    feed = feedparser.parse(client.get("/feeds/daily.atom?month=2026-06").content)
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["alternate"] == "http://testserver/month/2026-06"
    assert links["self"] == "http://testserver/feeds/daily.atom?month=2026-06"
    assert len(feed.entries) == 50


def test_trending_feed_says_why(client):
    feed = feedparser.parse(client.get("/feeds/trending.atom").content)
    assert feed.entries[0].summary.startswith("999999 imported upvotes, 0 votes, 0 saves")


def test_feed_errors(client):
    assert client.get("/feeds/search.atom").status_code == 422
    bad = client.get("/feeds/daily.atom?date=yesterday")
    assert bad.status_code == 422 and "date:" in bad.json()["error"]


def test_control_characters_cannot_break_a_feed(tmp_path):
    from datetime import date

    from starlette.testclient import TestClient

    from paperboy.config import load_settings
    from paperboy.models.paper import Paper
    from paperboy.store import open_store
    from paperboy.web.app import create_app

    store = open_store(str(tmp_path / "f.db"))
    day = date(2026, 1, 2)
    bad = Paper(
        id="2601.00001", title="Bell\x07 and \x1b escape", abstract="f\x0c", listing_date=day
    )
    store.papers.upsert_papers([bad])
    with TestClient(create_app(load_settings({}), store)) as client:
        feed = feedparser.parse(client.get("/feeds/daily.atom").content)
    assert feed.bozo == 0 and feed.entries[0].title == "Bell and  escape"
