"""Trending: the score, its refresh (core, background thread, CLI) and its doors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from paperboy.core.trending import Refresher, compute, refresh, score
from paperboy.store import open_store

from .community_helpers import papers, sign_in

KEYS = {"id", "score", "votes", "saves", "imported_upvotes", "age_hours", "why"}


def test_the_score_is_the_documented_formula():
    # docs/trending.md's worked example.
    assert score(12, 3, 150, 10) == pytest.approx(0.6867, abs=1e-4)
    assert score(0, 0, 2000, 75) == pytest.approx(0.1925, abs=1e-4)
    assert score(0, 0, 0, 1) == 0
    assert score(5, 0, 0, 1) > score(5, 0, 0, 50) > score(5, 0, 0, 500)


def test_fifty_fresh_votes_put_a_paper_of_the_newest_day_first(app_store):
    app, store = app_store
    now = datetime.now(UTC)
    before = [r.paper_id for r in compute(store, now)]
    assert before[0] != "2601.00003" and "2601.00003" not in before  # no signal yet
    for i in range(50):
        voter = sign_in(app, store, f"reader{i}@example.org")
        assert (
            voter.client.post(
                "/papers/2601.00003/vote", headers={"Authorization": f"Bearer {voter.api_token}"}
            ).json()["votes"]
            == i + 1
        )
    report = refresh(store, now)
    assert report.rows == 5 - 1  # 2601.00005 has no signal
    top = store.trending.top(3)
    assert top[0].paper_id == "2601.00003" and top[0].votes == 50
    data = TestClient(app).get("/api/paperboy/trending").json()["papers"]
    assert KEYS <= data[0].keys() and data[0]["id"] == "2601.00003"
    assert data[0]["why"].startswith("0 imported upvotes, 50 votes, 0 saves")
    assert data[0]["paper"]["upvotes"] == 50
    daily = TestClient(app).get("/api/daily_papers", params={"sort": "trending"}).json()
    assert daily[0]["paper"]["id"] == "2601.00003"
    page = TestClient(app).get("/trending").text
    assert page.index("2601.00003") < page.index("2601.00001")
    found = (
        TestClient(app)
        .get(
            "/api/paperboy/search", params={"q": "abstract", "sort": "trending", "facets": "false"}
        )
        .json()["results"]
    )
    ranked = [x["paper"]["id"] for x in found]
    assert ranked[:2] == ["2601.00003", "2601.00001"] and len(ranked) == 5


def test_votes_refresh_trending_in_the_background(app_store):
    app, store = app_store
    ada = sign_in(app, store, "ada@example.org")
    version = store.trending.version()
    ada.client.post("/papers/2601.00005/vote", headers={"Authorization": f"Bearer {ada.api_token}"})
    deadline = time.monotonic() + 10
    while store.trending.version() == version and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.trending.version() > version
    assert "2601.00005" in [r.paper_id for r in store.trending.top()]
    ids = [x["id"] for x in TestClient(app).get("/api/paperboy/trending").json()["papers"]]
    assert "2601.00005" in ids  # the cached answer keyed on the table's version moved


def test_only_candidates_are_scored(app_store):
    _, store = app_store
    old = datetime.now(UTC) - timedelta(days=400)
    from .community_helpers import paper

    store.papers.upsert_papers([paper("2001.00001", old.date(), upvotes=50)])
    assert "2001.00001" not in [r.paper_id for r in compute(store, datetime.now(UTC))]


def test_cli_refresh(tmp_path):
    from paperboy.cli import app as cli

    db = tmp_path / "cli.db"
    with open_store(str(db)) as store:
        store.papers.upsert_papers(papers())
    result = CliRunner().invoke(cli, ["--db", str(db), "trending", "refresh", "--json"])
    assert result.exit_code == 0, result.output
    assert '"rows": 3' in result.stdout
    with open_store(str(db)) as store:
        assert store.trending.top(1)[0].paper_id == "2601.00001"


def test_a_refresh_by_another_process_after_the_votes_is_not_repeated(tmp_path):
    # Two workers' refreshers on one database file: the second one's votes were counted by
    # the first one's later refresh, so it skips; a vote after that refresh is refreshed.
    path = str(tmp_path / "two.db")
    first, second = open_store(path), open_store(path)
    first.papers.upsert_papers(papers())
    ada, _ = first.users.get_or_create("ada@example.org")
    here, there = Refresher(first, interval=0.01), Refresher(second, interval=0.01)
    try:
        second.votes.vote(ada.id, "2601.00003")
        there._asked = datetime.now(UTC)  # its poke, not yet served
        here.poke()
        _wait(lambda: here.refreshes == 1)
        there.poke()
        _wait(lambda: there.skipped == 1)
        assert there.refreshes == 0
        assert {r.paper_id: r.votes for r in second.trending.top(10)}["2601.00003"] == 1
        second.votes.vote(ada.id, "2601.00001")
        there.poke()
        _wait(lambda: there.refreshes == 1)
    finally:
        here.close(), there.close(), first.close(), second.close()


def _wait(done, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the refresher did not get there in time"
        time.sleep(0.01)
