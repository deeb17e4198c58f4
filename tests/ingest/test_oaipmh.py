"""OAI-PMH harvesting against a local replay server: pages, cursor, resume, delta, errors."""

from __future__ import annotations

from datetime import date

import pytest

from paperboy.ingest.harvest.http import Fetcher
from paperboy.ingest.harvest.oaipmh import HarvestError, harvest, state_keys

from .helpers import OAI, new_store, snapshot

TOKENS = ("6960524|1001", "6960524|2001")


def serve_pages(server, *, page2=None) -> None:
    Reply = server.Reply
    page = lambda n: Reply(body=(OAI / f"listrecords-arxiv-page{n}.xml").read_bytes())  # noqa: E731
    server.route("/oai", page(1), params={"metadataPrefix": "arXiv"})
    server.route("/oai", page2 or page(2), params={"resumptionToken": TOKENS[0]})
    server.route("/oai", page(3), params={"resumptionToken": TOKENS[1]})


def run(store, server, **kw):
    with Fetcher(delay=0, max_retries=kw.pop("max_retries", 0)) as f:
        return harvest(store, f, server.url + "/oai", **kw)


WINDOW = dict(from_=date(2024, 1, 1), until=date(2024, 1, 19), set_="cs")


def test_harvest_follows_resumption_tokens(tmp_path, replay_server):
    serve_pages(replay_server)
    with new_store(tmp_path) as store:
        report = run(store, replay_server, **WINDOW)
        assert (report.pages, report.deleted) == (3, 1)
        assert report.summary() == {"added": 4, "updated": 1, "unchanged": 0, "rejected": 0}
        assert store.papers.get_paper("2401.00001").title.endswith("(revised)")
        cursor_key, hwm_key = state_keys("arXiv", "cs")
        assert store.state.get_state(cursor_key) is None
        assert store.state.get_state(hwm_key) == "2024-01-19"
    first, second, third = replay_server.requests_to("/oai")
    assert first == {
        "verb": "ListRecords",
        "metadataPrefix": "arXiv",
        "from": "2024-01-01",
        "until": "2024-01-19",
        "set": "cs",
    }
    assert second == {"verb": "ListRecords", "resumptionToken": TOKENS[0]}
    assert third == {"verb": "ListRecords", "resumptionToken": TOKENS[1]}


def test_cursor_is_saved_after_each_page(tmp_path, replay_server):
    seen_cursor = []

    def page2(query):
        with new_store(tmp_path) as other:  # a second connection sees only committed state
            seen_cursor.append(other.state.get_state(state_keys("arXiv", "cs")[0]))
            seen_cursor.append(other.papers.count_papers())
        return replay_server.Reply(body=(OAI / "listrecords-arxiv-page2.xml").read_bytes())

    serve_pages(replay_server, page2=page2)
    with new_store(tmp_path) as store:
        run(store, replay_server, **WINDOW)
    cursor, papers_so_far = seen_cursor
    assert f'"token": "{TOKENS[0]}"' in cursor and '"from_": "2024-01-01"' in cursor
    assert papers_so_far == 2


def test_interrupted_harvest_resumes_where_it_stopped(tmp_path, replay_server):
    Reply = replay_server.Reply
    serve_pages(replay_server, page2=Reply(500, "down"))
    with new_store(tmp_path, "resumed.db") as store:
        with pytest.raises(HarvestError) as exc:
            run(store, replay_server, **WINDOW)
        assert exc.value.report.summary()["added"] == 2 and "HTTP 500" in str(exc.value)
        replay_server.requests.clear()
        serve_pages(replay_server)
        report = run(store, replay_server, set_="cs")  # no window: the saved one resumes
        assert report.resumed and report.pages == 2
        assert replay_server.requests_to("/oai")[0] == {
            "verb": "ListRecords",
            "resumptionToken": TOKENS[0],
        }
        resumed = snapshot(store)
        assert store.state.get_state(state_keys("arXiv", "cs")[1]) == "2024-01-19"
    with new_store(tmp_path, "clean.db") as clean:
        run(clean, replay_server, **WINDOW)
        assert snapshot(clean) == resumed


def test_next_run_without_from_starts_at_the_high_water_mark(tmp_path, replay_server):
    serve_pages(replay_server)
    with new_store(tmp_path) as store:
        run(store, replay_server, **WINDOW)
        replay_server.requests.clear()
        run(store, replay_server, set_="cs", today=date(2024, 1, 25))
        assert replay_server.requests_to("/oai")[0]["from"] == "2024-01-19"
        assert "until" not in replay_server.requests_to("/oai")[0]
        assert store.state.get_state(state_keys("arXiv", "cs")[1]) == "2024-01-25"


def test_no_records_match_is_zero_papers_not_an_error(tmp_path, replay_server):
    body = (OAI / "error-no-records-match.xml").read_bytes()
    replay_server.route("/oai", replay_server.Reply(body=body))
    with new_store(tmp_path) as store:
        report = run(store, replay_server, from_=date(2030, 1, 1), today=date(2030, 1, 2))
        assert report.ok and report.summary()["added"] == 0
        assert store.state.get_state(state_keys("arXiv", None)[1]) == "2030-01-02"


def test_bad_argument_is_a_clear_error(tmp_path, replay_server):
    body = (OAI / "error-bad-argument.xml").read_bytes()
    replay_server.route("/oai", replay_server.Reply(400, body))
    with new_store(tmp_path) as store, pytest.raises(HarvestError) as exc:
        run(store, replay_server, from_=date(2024, 1, 1))
    assert "rejected the request" in str(exc.value) and "Illegal date format" in str(exc.value)


def test_bad_resumption_token_drops_the_cursor_with_a_clear_message(tmp_path, replay_server):
    bad = replay_server.Reply(body=(OAI / "error-bad-resumption-token.xml").read_bytes())
    serve_pages(replay_server, page2=bad)
    with new_store(tmp_path) as store:
        with pytest.raises(HarvestError) as exc:
            run(store, replay_server, **WINDOW)
        assert "refused the resumption token" in str(exc.value)
        assert "run the harvest again" in str(exc.value)
        assert store.state.get_state(state_keys("arXiv", "cs")[0]) is None
        assert store.papers.count_papers() == 2  # page 1 stays imported


def test_arxivraw_prefix(tmp_path, replay_server):
    body = (OAI / "listrecords-arxivraw.xml").read_bytes()
    replay_server.route(
        "/oai", replay_server.Reply(body=body), params={"metadataPrefix": "arXivRaw"}
    )
    with new_store(tmp_path) as store:
        report = run(store, replay_server, prefix="arXivRaw", from_=date(2024, 1, 1))
        assert report.summary()["added"] == 2 and report.deleted == 1
        assert store.papers.get_paper("2401.00001").version == 3


def test_unknown_prefix_is_refused(tmp_path, replay_server):
    with new_store(tmp_path) as store, pytest.raises(ValueError, match="arXivRaw"):
        run(store, replay_server, prefix="oai_dc")
