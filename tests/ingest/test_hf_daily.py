"""Hugging Face daily papers fetched from a local replay server."""

from __future__ import annotations

import json

import pytest

from paperboy.ingest.harvest.hf_daily import fetch_daily, period_params
from paperboy.ingest.harvest.http import Fetcher
from paperboy.ingest.harvest.stopped import IngestStopped

from .helpers import HF, new_store

DAILY = HF / "daily_papers-2025-10-29.json"


def run(store, server, **kw):
    with Fetcher(delay=0, max_retries=0) as f:
        return fetch_daily(store, f, server.url, **kw)


def test_one_date_imports_with_upvotes(tmp_path, replay_server):
    replay_server.route(
        "/api/daily_papers",
        replay_server.Reply(body=DAILY.read_bytes(), content_type="application/json"),
        params={"date": "2025-10-29"},
    )
    with new_store(tmp_path) as store:
        report = run(store, replay_server, date="2025-10-29")
        assert report.ok and report.summary()["added"] == 3
        p = store.papers.get_paper("2510.24001")
        assert (p.upvotes, p.upvote_sources) == (42, ["hf"])
        assert run(store, replay_server, date="2025-10-29").summary()["unchanged"] == 3
    (first, *_) = replay_server.requests_to("/api/daily_papers")
    assert first == {"date": "2025-10-29", "p": "0", "limit": "100"}


def test_pages_until_a_short_one(tmp_path, replay_server):
    items = json.loads(DAILY.read_text(encoding="utf-8"))
    Reply = replay_server.Reply
    replay_server.route("/api/daily_papers", Reply(body=json.dumps(items[:2])), params={"p": "0"})
    replay_server.route("/api/daily_papers", Reply(body=json.dumps(items[2:])), params={"p": "1"})
    with new_store(tmp_path) as store:
        report = run(store, replay_server, week="2025-W44", limit=2)
        assert report.summary()["added"] == 3
    pages = [(q["p"], q["week"]) for q in replay_server.requests_to("/api/daily_papers")]
    assert pages == [("0", "2025-W44"), ("1", "2025-W44")]


def test_a_server_that_ignores_paging_does_not_loop(tmp_path, replay_server):
    body = json.dumps(json.loads(DAILY.read_text(encoding="utf-8"))[:2])
    replay_server.route("/api/daily_papers", replay_server.Reply(body=body))
    with new_store(tmp_path) as store:
        report = run(store, replay_server, month="2025-10", limit=2)
    assert report.summary()["added"] == 2
    assert len(replay_server.requests_to("/api/daily_papers")) == 2


def test_errors_stop_with_a_clear_message(tmp_path, replay_server):
    replay_server.route("/api/daily_papers", replay_server.Reply(404, "not found"))
    with new_store(tmp_path) as store, pytest.raises(IngestStopped, match="HTTP 404"):
        run(store, replay_server, date="2025-10-29")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"date": "29-10-2025"}, "expected the form 2025-10-29"),
        ({"week": "2025-44"}, "expected the form 2025-W09"),
        ({"date": "2025-10-29", "month": "2025-10"}, "give one of"),
    ],
)
def test_period_options_are_checked(kw, message):
    with pytest.raises(ValueError, match=message):
        period_params(**kw)
