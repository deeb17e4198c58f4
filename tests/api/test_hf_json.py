"""The Hugging Face compatible JSON, our extensions, Markdown and BibTeX, in process."""

from __future__ import annotations

import re

import pytest

HOSTILE = "2606.99999"


def test_daily_papers_shape(client, demo_store, hostile_paper):
    newest = demo_store.papers.listing_dates()[0]
    items = client.get("/api/daily_papers", params={"limit": 5}).json()
    assert len(items) == 5
    item = items[0]
    assert item["paper"]["id"] == HOSTILE and item["title"] == hostile_paper.title
    assert item["publishedAt"] == f"{newest.isoformat()}T00:00:00.000Z"
    assert item["paper"]["authors"][0] == {
        "name": "<b onmouseover=alert(5)>Eve</b>",
        "hidden": False,
    }
    assert item["paper"]["upvotes"] == 999_999 and item["numComments"] == 0
    assert item["paper"]["githubRepo"] == "https://github.com/evil/repo"
    assert item["paperboy"]["codeLinks"] == ["https://github.com/evil/repo"]
    assert item["paperboy"]["version"] == 2 and item["paperboy"]["categories"] == ["cs.LG", "cs.CR"]


def test_daily_papers_periods_and_paging(client, demo_store):
    day = demo_store.papers.listing_dates()[2].isoformat()
    on_day = client.get("/api/daily_papers", params={"date": day, "limit": 100}).json()
    assert on_day and {x["publishedAt"][:10] for x in on_day} == {day}
    page1 = client.get("/api/daily_papers", params={"date": day, "limit": 10, "p": 1}).json()
    assert [x["paper"]["id"] for x in page1] == [x["paper"]["id"] for x in on_day[10:20]]
    week = client.get("/api/daily_papers", params={"week": "2026-W26", "limit": 100}).json()
    assert {x["publishedAt"][:10] for x in week} <= {f"2026-06-{d}" for d in range(22, 29)}
    month = client.get("/api/daily_papers", params={"month": "2026-06", "limit": 3}).json()
    assert all(x["publishedAt"].startswith("2026-06") for x in month)
    trending = client.get("/api/daily_papers", params={"sort": "trending", "limit": 3}).json()
    assert trending[0]["paper"]["id"] == HOSTILE
    assert client.get("/api/daily_papers", params={"submitter": "someone"}).json() == []


def test_limits_are_capped(client):
    items = client.get("/api/daily_papers", params={"month": "2026-06", "limit": 5000}).json()
    assert len(items) == 100


@pytest.mark.parametrize(
    "params, message",
    [
        ({"date": "2026-02-30"}, "date: expected YYYY-MM-DD"),
        ({"week": "2026-26"}, "week: expected"),
        ({"month": "2026-13"}, "month: expected YYYY-MM"),
        ({"sort": "random"}, "sort: Input should be 'publishedAt' or 'trending'"),
        ({"date": "2026-06-01", "week": "2026-W22"}, "give at most one"),
        ({"p": "-1"}, "p:"),
        ({"limit": "0"}, "limit:"),
        ({"limit": "ten"}, "limit:"),
        ({"p": "101"}, "p: Input should be less than or equal to 100"),  # 10,000 papers
    ],
)
def test_bad_daily_parameters_are_422(client, params, message):
    response = client.get("/api/daily_papers", params=params)
    assert response.status_code == 422
    assert message in response.json()["error"]


def test_paper_info_by_any_id_form(client, hostile_paper):
    for pid in (HOSTILE, f"{HOSTILE}v2", f"arXiv:{HOSTILE}"):
        data = client.get(f"/api/papers/{pid}").json()
        assert data["id"] == HOSTILE and data["title"] == hostile_paper.title
    assert data["summary"].startswith("We </p><script>")  # JSON carries text as it is
    assert data["publishedAt"].endswith("T00:00:00.000Z")


def test_unknown_ids_are_404_everywhere(client):
    for path in ("/api/papers/2401.00000", "/papers/2401.00000.md", "/papers/2401.00000.bib",
                 "/api/paperboy/related/2401.00000", "/api/papers/" + "x" * 400):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert "error" in response.json()


def test_search_hf_shape(client):
    items = client.get("/api/papers/search", params={"q": "alignment", "limit": 7}).json()
    assert len(items) == 7
    assert all("align" in (x["title"] + x["summary"]).lower() for x in items)
    assert set(items[0]) >= {"paper", "title", "summary", "publishedAt"}
    assert client.get("/api/papers/search", params={"q": ""}).status_code == 422
    assert client.get("/api/papers/search", params={"q": "x" * 600}).status_code == 422


def test_paperboy_search_extension(client):
    data = client.get("/api/paperboy/search", params={"q": "alignment", "limit": 5}).json()
    assert set(data) == {"results", "total", "facets", "lexicalOnly", "notes"}
    assert len(data["results"]) == 5 and data["total"] >= 46
    assert data["results"][0]["paperboy"]["matched"] in {
        "id",
        "title",
        "lexical",
        "dense",
        "hybrid",
    }
    for facet in data["facets"]:
        assert facet["count"] == len(facet["ids"]) and facet["label"]
    narrowed = client.get(
        "/api/paperboy/search", params={"q": "alignment", "category": "cs.CV", "limit": 50}
    ).json()
    assert narrowed["results"]
    assert all("cs.CV" in r["paperboy"]["categories"] for r in narrowed["results"])
    bad = client.get("/api/paperboy/search", params={"q": "x", "from": "soon"})
    assert bad.status_code == 422 and "from:" in bad.json()["error"]


def test_trending_extension_gives_reasons(client):
    data = client.get("/api/paperboy/trending", params={"limit": 3}).json()
    first = data["papers"][0]
    assert first["paper"]["id"] == HOSTILE
    assert first["paperboy"]["reason"].startswith("999999 imported upvotes, 0 votes")
    assert first["id"] == HOSTILE and first["imported_upvotes"] == 999_999
    assert {"score", "votes", "saves", "age_hours", "why"} <= first.keys()
    assert first["why"] == first["paperboy"]["reason"]
    assert "7 days" in data["note"]


def test_markdown(client, hostile_paper):
    response = client.get(f"/papers/{HOSTILE}.md")
    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert text.startswith(f"# {hostile_paper.title}\n")
    assert "## Abstract" in text and "<https://github.com/evil/repo>" in text
    assert "javascript:alert(7)" not in text


def test_bibtex(client):
    response = client.get(f"/papers/{HOSTILE}.bib")
    assert response.headers["content-type"].startswith("application/x-bibtex")
    bib = response.text
    assert re.match(r"@misc\{[a-z0-9]+2026img,\n", bib)  # the key is plain ASCII
    assert "eprint = {2606.99999}" in bib and "archivePrefix = {arXiv}" in bib
    assert "primaryClass = {cs.LG}" in bib
    assert "author = {<b onmouseover=alert(5)>Eve</b> and Mallory O'Neil and Ada Lovelace}" in bib
    assert bib.count("{") == bib.count("}")
