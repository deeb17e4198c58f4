"""A paper page reads the related list stored when vectors were made and never searches;
without one it links to /papers/{id}/related, which computes the list (BM25 here)."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.models.paper import Paper
from paperboy.search.embed import PACKAGED
from paperboy.store import open_store
from paperboy.web.app import create_app

from .test_search_wiring import RecordingSearcher


def test_paper_page_shows_the_stored_list_without_searching(demo_store):
    searcher = RecordingSearcher(demo_store)
    app = create_app(load_settings({}), demo_store, searcher_factory=lambda: searcher)
    paper = demo_store.papers.list_papers(limit=1, offset=10)[0]
    stored = demo_store.vectors.get_related(PACKAGED, paper.id)
    assert stored and len(stored) >= 6
    with TestClient(app) as client:
        page = BeautifulSoup(client.get(f"/papers/{paper.id}").text, "html.parser")
    items = page.select("section#related ol.related li")
    assert [li.select_one("a.paper-link")["href"] for li in items] == [
        f"/papers/{pid}" for pid, _, _ in stored[:6]
    ]
    assert [li.select_one(".reason").text for li in items] == [r for _, _, r in stored[:6]]
    assert page.select_one("[data-related]") is None
    assert searcher.requests == []  # the page never asked the searcher


def _papers() -> list[Paper]:
    words = ["speech recognition with ctc", "ctc alignment for speech", "graph coloring"]
    return [
        Paper(id=f"2501.0000{i}", title=t.title(), abstract=f"We study {t} in depth.",
              authors=["A. Author"], categories=["cs.CL"], listing_date=date(2025, 1, 2))
        for i, t in enumerate(words, 1)
    ]  # fmt: skip


def test_without_stored_lists_the_page_links_and_the_related_page_computes(tmp_path):
    with open_store(str(tmp_path / "plain.db")) as store:
        store.papers.upsert_papers(_papers())
        app = create_app(load_settings({}), store)
        with TestClient(app) as client:
            page = BeautifulSoup(client.get("/papers/2501.00001").text, "html.parser")
            slot = page.select_one("section#related[data-related]")
            assert slot["data-related"] == "/papers/2501.00001/related"
            assert slot.select_one("a")["href"] == "/papers/2501.00001/related"
            assert page.select("ol.related li") == []
            assert app.state.paperboy._searcher is None  # no Searcher was even built

            answer = client.get("/papers/2501.00001/related")
            assert answer.status_code == 200
            related = BeautifulSoup(answer.text, "html.parser")
            ids = [a["href"] for a in related.select("section#related ol.related a.paper-link")]
            assert ids[0] == "/papers/2501.00002"  # shares speech and ctc
            assert "/papers/2501.00001" not in ids
            assert client.get("/papers/2501.09999/related").status_code == 404
