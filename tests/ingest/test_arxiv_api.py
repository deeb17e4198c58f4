"""Atom look-ups by id against recorded arXiv API responses on a local server."""

from __future__ import annotations

import pytest

from paperboy.ingest.harvest.arxiv_api import lookup
from paperboy.ingest.harvest.http import Fetcher
from paperboy.ingest.harvest.stopped import IngestStopped

from .helpers import new_store, recorded


def reply_for(server, name: str):
    r = recorded(name)
    return server.Reply(r["status_code"], r["body"], "application/atom+xml; charset=utf-8")


def run(store, server, ids, **kw):
    with Fetcher(delay=0, max_retries=0) as f:
        return lookup(store, f, server.url + "/api/query", ids, **kw)


def test_lookup_imports_papers_by_id(tmp_path, replay_server):
    replay_server.route(
        "/api/query",
        reply_for(replay_server, "id_quant-ph_0201082v1"),
        params={"id_list": "quant-ph/0201082v1"},
    )
    replay_server.route(
        "/api/query", reply_for(replay_server, "id_1707.08567"), params={"id_list": "1707.08567"}
    )
    with new_store(tmp_path) as store:
        ids = ["arXiv:quant-ph/0201082v1", "https://arxiv.org/abs/1707.08567"]
        report = run(store, replay_server, ids, batch_size=1)
        assert report.ok and report.summary()["added"] == 2
        assert store.papers.get_paper("quant-ph/0201082").categories == ["quant-ph", "cs.PL"]
    assert {q["id_list"] for q in replay_server.requests_to("/api/query")} == {
        "quant-ph/0201082v1",
        "1707.08567",
    }


def test_unknown_ids_are_reported_one_by_one(tmp_path, replay_server):
    # the real API answers an id it does not know with an empty feed (recorded for 0000.0000)
    # or, in a batch, with the papers it does know (recorded for 0808.05394,1707.08567)
    replay_server.route("/api/query", reply_for(replay_server, "id_0000.0000"))
    replay_server.route(
        "/api/query",
        reply_for(replay_server, "id_0808.05394_1707.08567"),
        params={"id_list": "2101.99999,1707.08567"},
    )
    with new_store(tmp_path) as store:
        report = run(
            store, replay_server, ["2101.99999", "1707.08567", "2102.99999", "abc"], batch_size=2
        )
        assert store.papers.count_papers() == 1
    reasons = {e.location: e.reason for e in report.errors}
    assert reasons == {
        "abc": "not an arXiv id (e.g. 2401.01234 or hep-th/9901001)",
        "2101.99999": "unknown id: arXiv returned no paper for it",
        "2102.99999": "unknown id: arXiv returned no paper for it",
    }
    # "abc" never reached the API; the others went in batches of two
    assert [q["id_list"] for q in replay_server.requests_to("/api/query")] == [
        "2101.99999,1707.08567",
        "2102.99999",
    ]
    assert report.rejected == 3


def test_the_api_error_entry_is_a_rejection(tmp_path, replay_server):
    replay_server.route("/api/query", reply_for(replay_server, "id_abc"))  # HTTP 400 + error feed
    with new_store(tmp_path) as store:
        report = run(store, replay_server, ["2101.00001"])
        assert store.papers.count_papers() == 0
    (error,) = report.errors
    assert "arXiv API error: incorrect id format for abc" in error.reason


def test_batches_hold_at_most_100_ids(tmp_path, replay_server):
    replay_server.route("/api/query", reply_for(replay_server, "id_0000.0000"))
    ids = [f"2101.{n:05d}" for n in range(1, 251)]
    with new_store(tmp_path) as store:
        report = run(store, replay_server, ids, batch_size=500)
    sizes = [len(q["id_list"].split(",")) for q in replay_server.requests_to("/api/query")]
    assert sizes == [100, 100, 50]
    assert all(
        q["max_results"] == str(n)
        for q, n in zip(replay_server.requests_to("/api/query"), sizes, strict=True)
    )
    assert report.rejected == 250


def test_a_server_that_is_down_stops_with_the_partial_report(tmp_path, replay_server):
    replay_server.route("/api/query", replay_server.Reply(503, "down"))
    with new_store(tmp_path) as store, pytest.raises(IngestStopped) as exc:
        run(store, replay_server, ["abc", "2101.00001"])
    assert "HTTP 503" in str(exc.value) and exc.value.report.rejected == 1
