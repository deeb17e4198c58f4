"""The core's use cases called as a worker would: plain values in, domain errors out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paperboy.config import load_settings
from paperboy.core.embed import ModelUnavailable, embed_new
from paperboy.core.errors import InvalidParameter, NotFound, ParamError
from paperboy.core.harvest import IngestStopped, fetch_hf, harvest_arxiv, lookup_arxiv_ids
from paperboy.core.lists import daily_list
from paperboy.core.papers import find_paper_or_raise
from paperboy.models.paper import Paper
from paperboy.store import open_store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOKENS = ("6960524|1001", "6960524|2001")  # the resumption tokens in the OAI fixture pages


def env_for(server) -> dict[str, str]:
    return {
        "PAPERBOY_ARXIV_OAI_URL": server.url + "/oai",
        "PAPERBOY_ARXIV_API_URL": server.url + "/api/query",
        "PAPERBOY_HF_URL": server.url,
        "PAPERBOY_REQUEST_DELAY": "0",
        "PAPERBOY_MAX_RETRIES": "0",
    }


def serve_pages(server) -> None:
    def page(n: int):
        return server.Reply(body=(FIXTURES / "oai" / f"listrecords-arxiv-page{n}.xml").read_bytes())

    server.route("/oai", page(1), params={"metadataPrefix": "arXiv"})
    server.route("/oai", page(2), params={"resumptionToken": TOKENS[0]})
    server.route("/oai", page(3), params={"resumptionToken": TOKENS[1]})


@pytest.fixture
def store(tmp_path):
    with open_store(str(tmp_path / "core.db")) as s:
        yield s


def test_paper_lookup_raises_not_found_naming_the_id(store):
    store.papers.upsert_papers([Paper(id="2401.01234", title="T", abstract="A.", version=2)])
    assert find_paper_or_raise(store, "arXiv:2401.01234v2").id == "2401.01234"
    with pytest.raises(NotFound, match="no paper '2401.99999'"):
        find_paper_or_raise(store, "2401.99999")


def test_bad_list_parameters_are_invalid_parameters(store):
    assert ParamError is InvalidParameter
    with pytest.raises(InvalidParameter, match=r"week: expected YYYY-Www \(2026-W26\)"):
        daily_list(store, week="2026-26")
    with pytest.raises(InvalidParameter, match="date, week and month: give at most one"):
        daily_list(store, day="2026-01-01", month="2026-01")


def test_fetch_hf_imports_one_day_and_refuses_a_bad_period_before_any_request(store, replay_server):
    settings = load_settings(env_for(replay_server))
    body = (FIXTURES / "hf" / "daily_papers-2025-10-29.json").read_bytes()
    replay_server.route("/api/daily_papers", replay_server.Reply(body=body))
    seen: list[int] = []
    report = fetch_hf(store, settings, day="2025-10-29", progress=seen.append)
    assert report.counts.added == 3 and sum(seen) == 3
    asked = len(replay_server.requests)
    with pytest.raises(InvalidParameter, match="expected the form 2025-W09"):
        fetch_hf(store, settings, week="44")
    assert len(replay_server.requests) == asked


def test_harvest_arxiv_and_lookup_through_the_settings(store, replay_server):
    settings = load_settings(env_for(replay_server))
    serve_pages(replay_server)
    report = harvest_arxiv(
        store, settings, since=date(2024, 1, 1), until=date(2024, 1, 19), set_spec="cs"
    )
    assert report.pages == 3 and report.counts.added == 4
    with pytest.raises(InvalidParameter, match="--from 2024-02-01 is after --until 2024-01-01"):
        harvest_arxiv(store, settings, since=date(2024, 2, 1), until=date(2024, 1, 1))
    with pytest.raises(InvalidParameter, match="expected one of arXiv, arXivRaw"):
        harvest_arxiv(store, settings, metadata_format="oai_dc")
    replay_server.route("/api/query", replay_server.Reply(status=503, body=b"busy"))
    with pytest.raises(IngestStopped) as stopped:
        lookup_arxiv_ids(store, settings, ["2401.00001"])
    assert "503" in str(stopped.value) and stopped.value.report.counts.added == 0


def test_embed_new_sizes_the_job_then_names_a_missing_model(store):
    store.papers.upsert_papers([Paper(id="2401.01234", title="T", abstract="A.")])
    settings = load_settings({"PAPERBOY_EMBED_MODEL": "/nonexistent/model"})
    totals: list[int] = []
    with pytest.raises(ModelUnavailable, match="/nonexistent/model"):
        embed_new(store, settings, passages=False, on_total=totals.append)
    assert totals == [1]
