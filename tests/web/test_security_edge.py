"""Issue 7, web edge: each probe from the review, run against the real app."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.models.paper import Paper
from paperboy.store import open_store
from paperboy.web.app import create_app

SECURITY = ("content-security-policy", "x-content-type-options", "permissions-policy")


def _paper(pid: str, authors: int = 1) -> Paper:
    day = date(2026, 6, 3)
    return Paper(
        id=pid, title=f"Paper {pid}", abstract="About the edge.",
        authors=[f"Author {i}" for i in range(authors)], categories=["cs.CR"],
        listing_date=day, published=day, code_links=["https://github.com/a/b"],
    )  # fmt: skip


@pytest.fixture
def store(tmp_path):
    store = open_store(str(tmp_path / "edge.db"))
    store.papers.upsert_papers([_paper("2606.00001"), _paper("2606.00002", authors=250)])
    yield store
    store.close()


def _app(store, **env: str) -> FastAPI:
    return create_app(load_settings(env), store)


# --- H1: feed poisoning through Host ----------------------------------------------------


def test_a_hostile_host_never_reaches_another_client(store):
    with TestClient(_app(store)) as client:
        poisoned = client.get("/feeds/daily.atom", headers={"Host": "attacker.example"})
        assert poisoned.status_code == 200 and "attacker.example" in poisoned.text
        plain = client.get("/feeds/daily.atom")
        assert plain.status_code == 200
        assert "attacker.example" not in plain.text
        assert "http://testserver/papers/2606.00001" in plain.text


def test_public_url_is_the_only_origin_of_absolute_links(store):
    app = _app(store, PAPERBOY_PUBLIC_URL="https://papers.example.org/")
    with TestClient(app) as client:
        for path in ("/feeds/daily.atom", "/feeds/trending.atom", "/feeds/daily.atom?junk=1"):
            for headers in ({"Host": "attacker.example"}, {}):
                body = client.get(path, headers=headers).text
                assert "attacker.example" not in body and "testserver" not in body
        feed = client.get("/feeds/daily.atom?month=2026-06&junk=<x>").text
        assert 'href="https://papers.example.org/feeds/daily.atom?month=2026-06"' in feed
        assert "https://papers.example.org/papers/2606.00001" in feed
        assert "junk" not in feed


def test_allowed_hosts_refuse_others_but_healthz_answers(store):
    app = _app(store, PAPERBOY_ALLOWED_HOSTS="papers.example.org, testserver")
    with TestClient(app) as client:
        assert client.get("/feeds/daily.atom").status_code == 200
        refused = client.get("/feeds/daily.atom", headers={"Host": "attacker.example"})
        assert refused.status_code == 400 and "attacker.example" not in refused.text
        assert refused.headers["x-content-type-options"] == "nosniff"
        health = client.get("/healthz", headers={"Host": "10.0.0.7:8000"})
        assert health.status_code == 200 and health.text == "ok"


def test_a_bad_public_url_names_its_variable():
    with pytest.raises(ValueError, match="PAPERBOY_PUBLIC_URL"):
        load_settings({"PAPERBOY_PUBLIC_URL": "papers.example.org"})


# --- M1: cache keyed on validated parameters, bounded by bytes ---------------------------


def test_junk_parameters_share_one_cache_entry(store):
    app = _app(store)
    cache = app.state.paperboy.cache
    with TestClient(app) as client:
        first = client.get("/api/daily_papers?month=2026-06&limit=100")
        assert first.status_code == 200
        before = len(cache)
        for i in range(300):
            url = f"/api/daily_papers?month=2026-06&limit=100&junk={i}"
            assert client.get(url).status_code == 200
        assert len(cache) == before == 1
        # A limit above the cap is the same request as the cap itself.
        client.get("/api/daily_papers?month=2026-06&limit=100000")
        assert len(cache) == 1
        assert cache.bytes <= cache.max_bytes


def test_cache_bytes_stay_under_the_cap_and_big_bodies_are_not_kept(store):
    app = _app(store)
    cache = app.state.paperboy.cache
    cache.max_bytes, cache.max_body = 2_000, 1_000
    with TestClient(app) as client:
        for p in range(40):
            assert client.get(f"/api/paperboy/trending?p={p}&limit=1").status_code == 200
            assert cache.bytes <= cache.max_bytes
        assert 0 < len(cache) < 40
        assert cache.bytes == sum(len(r.body) for r in cache._entries.values())
        big = client.get("/api/daily_papers?month=2026-06&limit=100")
        assert len(big.content) > cache.max_body
        assert not any(k[0] == "/api/daily_papers" for k in cache._entries)


def test_list_json_caps_authors_and_counts_them(store):
    with TestClient(_app(store)) as client:
        items = {x["paper"]["id"]: x for x in client.get("/api/daily_papers").json()}
        crowd = items["2606.00002"]
        assert len(crowd["paper"]["authors"]) == 100
        assert crowd["paperboy"]["authorCount"] == 250
        assert items["2606.00001"]["paperboy"]["authorCount"] == 1
        full = client.get("/api/papers/2606.00002").json()
        assert len(full["authors"]) == 250


# --- M4: hostile dates are 422; a 500 keeps the headers and names a request id ----------


@pytest.mark.parametrize(
    "path",
    [
        "/month/9999-12",
        "/week/9999-W52",
        "/?date=9999-12-31",
        "/month/0001-01",
        "/api/daily_papers?month=9999-12",
        "/api/daily_papers?week=9999-W52",
        "/api/daily_papers?date=9999-12-31",
        "/feeds/daily.atom?month=9999-12",
        "/feeds/daily.atom?week=9999-W52",
    ],
)
def test_hostile_dates_are_422(store, path):
    with TestClient(_app(store)) as client:
        answer = client.get(path)
        assert answer.status_code == 422, answer.text
        assert "year must be between" in answer.text


def test_an_unexpected_error_is_a_500_with_headers_and_a_request_id(store, caplog):
    app = _app(store)

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/boom")
    async def boom_page() -> None:
        raise OverflowError("date value out of range")

    with TestClient(app) as client, caplog.at_level(logging.ERROR, "paperboy.web.edge"):
        answer = client.get("/api/boom")
        page = client.get("/boom")
    assert answer.status_code == 500 and page.status_code == 500
    for response in (answer, page):
        for name in SECURITY:
            assert name in response.headers, name
        assert "secret internals" not in response.text
    request_id = answer.headers["x-request-id"]
    assert request_id in answer.json()["error"]
    assert page.headers["x-request-id"] in page.text and "<html" in page.text.lower()
    lines = [r.getMessage() for r in caplog.records if r.name == "paperboy.web.edge"]
    assert len(lines) == 2 and request_id in lines[0] and "\n" not in lines[0]


# --- L2: HEAD like GET, 405 with Allow ---------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/trending", "/papers/2606.00001", "/api/daily_papers", "/feeds/daily.atom",
             "/api/papers/2606.00001", "/papers/2606.00001.bib", "/healthz", "/static/style.css"],
)  # fmt: skip
def test_head_answers_like_get_without_a_body(store, path):
    with TestClient(_app(store)) as client:
        got = client.get(path)
        head = client.head(path)
    assert got.status_code == head.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("etag") == got.headers.get("etag")


def test_head_of_a_missing_paper_is_404(store):
    with TestClient(_app(store)) as client:
        assert client.head("/api/papers/2699.00000").status_code == 404


@pytest.mark.parametrize("path", ["/", "/api/daily_papers", "/feeds/daily.atom"])
def test_405_names_the_allowed_methods(store, path):
    with TestClient(_app(store)) as client:
        answer = client.post(path)
    assert answer.status_code == 405
    allowed = {m.strip() for m in answer.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed


# --- L5: CORS, HSTS, Permissions-Policy, rel on imported links --------------------------


def test_cors_only_on_api_and_feeds_reads(store):
    with TestClient(_app(store)) as client:
        for path in ("/api/daily_papers", "/feeds/daily.atom", "/api/papers/2606.00001"):
            answer = client.get(path, headers={"Origin": "https://tool.example"})
            assert answer.headers["access-control-allow-origin"] == "*"
            assert "access-control-allow-credentials" not in answer.headers
            assert client.head(path).headers["access-control-allow-origin"] == "*"
        for path in ("/", "/papers/2606.00001", "/healthz"):
            assert "access-control-allow-origin" not in client.get(path).headers
        assert "access-control-allow-origin" not in client.post("/api/daily_papers").headers


def test_hsts_only_with_an_https_public_url(store):
    with TestClient(_app(store, PAPERBOY_PUBLIC_URL="https://papers.example.org")) as client:
        answer = client.get("/")
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
        assert "camera=()" in answer.headers["permissions-policy"]
    for env in ({}, {"PAPERBOY_PUBLIC_URL": "http://papers.example.org"}):
        with TestClient(_app(store, **env)) as client:
            answer = client.get("/")
            assert "strict-transport-security" not in answer.headers
            assert "permissions-policy" in answer.headers


def test_imported_links_carry_noopener_noreferrer_ugc(store):
    with TestClient(_app(store)) as client:
        for path in ("/", "/papers/2606.00001"):
            html = client.get(path).text
            assert 'href="https://github.com/a/b" rel="noopener noreferrer ugc"' in html
            assert 'rel="noopener"' not in html and "nofollow" not in html
