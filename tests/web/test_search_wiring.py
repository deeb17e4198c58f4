"""Search pages render what the Searcher says: facets as chips, the lexical-only note, notes,
related papers; and they pass the user's filters through. A recording Searcher stands in
so these checks do not depend on how ranking works today."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.search.types import Facet, RelatedPaper, SearchResponse, SearchResult
from paperboy.web.app import create_app


@dataclass
class RecordingSearcher:
    store: object
    requests: list = field(default_factory=list)

    def search(self, request):
        self.requests.append(request)
        if request.q == "broken(":
            raise ValueError("unbalanced parenthesis")
        papers = self.store.papers.list_papers(limit=30)
        facets = [Facet("f1", "reward <models>", [p.id for p in papers[:4]]),
                  Facet("f2", "vision", [p.id for p in papers[4:6]])]  # fmt: skip
        chosen = papers[:4] if request.facet == "f1" else papers
        page = chosen[request.offset : request.offset + request.limit]
        return SearchResponse(
            results=[SearchResult(p, 1.0, "lexical") for p in page],
            total=len(chosen),
            facets=facets if request.facets else [],
            lexical_only=True,
            notes=["AND found too little; showing OR"],
        )

    def related(self, paper_id, limit):
        self.requests.append(("related", paper_id, limit))
        papers = [p for p in self.store.papers.list_papers(limit=limit + 1) if p.id != paper_id]
        return [RelatedPaper(p, 0.5, "shares <b>terms</b>") for p in papers[:limit]]


@pytest.fixture
def wired(demo_store):
    searcher = RecordingSearcher(demo_store)
    app = create_app(load_settings({}), demo_store, searcher_factory=lambda: searcher)
    with TestClient(app) as client:
        yield client, searcher


def test_facets_render_as_chips_and_narrow(wired):
    client, searcher = wired
    page = BeautifulSoup(client.get("/search?q=reward&category=cs.LG").text, "html.parser")
    chips = page.select(".facets a.chip")
    assert [c.text.split()[0] for c in chips] == ["All", "reward", "vision"]
    assert "reward <models> 4" in chips[1].text  # label escaped, count shown
    assert chips[0].get("aria-current") == "true"
    assert chips[1]["href"] == "?q=reward&sort=relevance&category=cs.LG&facet=f1"
    assert searcher.requests[-1].facets is True
    assert searcher.requests[-1].filters.categories == ("cs.LG",)

    narrowed = BeautifulSoup(client.get("/search" + chips[1]["href"]).text, "html.parser")
    assert searcher.requests[-1].facet == "f1"
    assert len(narrowed.select("article.card")) == 4
    assert narrowed.select_one(".facets a.chip[aria-current]").text.startswith("reward")


def test_lexical_only_and_notes_are_shown(wired):
    client, _ = wired
    page = BeautifulSoup(client.get("/search?q=anything").text, "html.parser")
    notes = [n.text for n in page.select(".note")]
    assert any("Keyword matches only" in n for n in notes)
    assert "AND found too little; showing OR" in notes
    assert page.select_one(".count").text.startswith("30 results")


def test_search_paging_passes_offsets(wired):
    client, searcher = wired
    client.get("/search?q=anything&p=1")
    assert (searcher.requests[-1].offset, searcher.requests[-1].limit) == (20, 20)


def test_searcher_value_errors_are_422(wired):
    client, _ = wired
    response = client.get("/api/papers/search", params={"q": "broken("})
    assert response.status_code == 422
    assert response.json()["error"] == "q: unbalanced parenthesis"


def test_related_papers_on_the_related_page_and_api(wired, demo_store):
    client, _ = wired
    paper = demo_store.papers.list_papers(limit=1, offset=10)[0]
    page = BeautifulSoup(client.get(f"/papers/{paper.id}/related").text, "html.parser")
    items = page.select("section#related ol.related li")
    assert len(items) == 6
    assert items[0].select_one(".reason").text == "shares <b>terms</b>"
    data = client.get(f"/api/paperboy/related/{paper.id}", params={"limit": 3}).json()
    assert [x["paperboy"]["reason"] for x in data] == ["shares <b>terms</b>"] * 3


def test_concurrent_misses_render_once(demo_store):
    import asyncio

    import httpx

    searcher = RecordingSearcher(demo_store)
    app = create_app(load_settings({}), demo_store, searcher_factory=lambda: searcher)

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = await asyncio.gather(
                *(client.get("/api/papers/search", params={"q": "once"}) for _ in range(8))
            )
        return [a.status_code for a in answers]

    assert asyncio.run(burst()) == [200] * 8
    assert [r.q for r in searcher.requests] == ["once"]
