"""The model loads on a thread at start-up; until it is ready, search answers by keywords and
says so, and the app's cached keyword-only answers are dropped once it is."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.search.embed import refresh_vectors
from paperboy.search.service import LOADING_NOTE, Searcher
from paperboy.search.types import SearchRequest
from paperboy.web.app import create_app

from .conftest import PAPERS
from .test_embed_refresh import CountingEmbedder


@dataclass
class GatedEmbedder(CountingEmbedder):
    """Its model "loads" only once ``gate`` is set, like a slow first load."""

    gate: threading.Event = field(default_factory=threading.Event)

    def encode(self, texts, progress=None, *, query=False):
        assert self.gate.wait(timeout=30)
        return super().encode(texts)


def _searcher(store) -> Searcher:
    store.papers.upsert_papers(PAPERS)
    embedder = GatedEmbedder("gated")
    embedder.gate.set()
    refresh_vectors(store, embedder)
    embedder.gate.clear()
    searcher = Searcher(store, load_settings({"PAPERBOY_EMBED_MODEL": "gated"}))
    searcher.embedder = embedder
    return searcher


def test_search_is_keyword_only_while_the_model_loads(store):
    searcher = _searcher(store)
    finished = threading.Event()
    thread = searcher.start_preload(done=finished.set)
    query = SearchRequest(PAPERS[0].title.split()[0])
    early = searcher.search(query)
    assert early.lexical_only and LOADING_NOTE in early.notes and early.results
    assert not finished.is_set()
    searcher.embedder.gate.set()
    thread.join(timeout=30)
    assert finished.is_set() and not searcher.loading
    later = searcher.search(query)
    assert not later.lexical_only and LOADING_NOTE not in later.notes


def test_the_app_preloads_and_forgets_keyword_only_answers(store):
    searcher = _searcher(store)
    app = create_app(searcher.settings, store, searcher_factory=lambda: searcher,
                     preload_model=True)  # fmt: skip
    word = PAPERS[0].title.split()[0]
    with TestClient(app) as client:
        assert searcher.loading
        early = client.get("/api/paperboy/search", params={"q": word}).json()
        assert early["lexicalOnly"] is True and LOADING_NOTE in early["notes"]
        searcher.embedder.gate.set()
        for _ in range(300):
            if not searcher.loading and app.state.paperboy.cache.generation:
                break
            threading.Event().wait(0.05)
        later = client.get("/api/paperboy/search", params={"q": word}).json()
        assert later["lexicalOnly"] is False and LOADING_NOTE not in later["notes"]
