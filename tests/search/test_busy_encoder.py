"""Under overload (every query-encoding slot taken), search answers by keywords only, says so,
and the app never caches that answer: the next request, once a slot is free, uses meaning."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from starlette.testclient import TestClient

from paperboy.api.cache import DEGRADED_HEADER
from paperboy.config import load_settings
from paperboy.search.embed import refresh_vectors
from paperboy.search.service import BUSY_NOTE, MAX_ENCODING, Searcher
from paperboy.search.types import SearchRequest
from paperboy.web.app import create_app

from .conftest import PAPERS
from .test_embed_refresh import CountingEmbedder


class QueryEmbedder(CountingEmbedder):
    """CountingEmbedder that also encodes queries (as the real one does, by keyword)."""

    def encode(self, texts, progress=None, *, query=False):
        return super().encode(texts)


def _searcher(store) -> Searcher:
    store.papers.upsert_papers(PAPERS)
    embedder = QueryEmbedder("counting")
    refresh_vectors(store, embedder)
    searcher = Searcher(store, load_settings({"PAPERBOY_EMBED_MODEL": "counting"}))
    searcher.embedder = embedder
    return searcher


@contextmanager
def all_slots_taken(searcher: Searcher):
    """As if MAX_ENCODING other searches were encoding their queries right now."""
    for _ in range(MAX_ENCODING):
        assert searcher.encoding_slots.acquire(blocking=False)
    try:
        yield
    finally:
        for _ in range(MAX_ENCODING):
            searcher.encoding_slots.release()


def test_a_search_with_every_encoding_slot_taken_is_keyword_only(store):
    searcher = _searcher(store)
    query = SearchRequest(PAPERS[0].title.split()[0])
    encoded = len(searcher.embedder.seen)
    with all_slots_taken(searcher):
        busy = searcher.search(query)
    assert busy.lexical_only and busy.degraded and BUSY_NOTE in busy.notes and busy.results
    assert len(searcher.embedder.seen) == encoded  # the query was never encoded
    calm = searcher.search(query)
    assert not calm.lexical_only and not calm.degraded and BUSY_NOTE not in calm.notes
    # The slot taken by that search came back: all of them can be taken again.
    with all_slots_taken(searcher):
        pass


def test_an_overloaded_server_searches_by_keywords_only(store):
    """The web app's render wait (api/pressure.py) sheds meaning the same way."""
    searcher = _searcher(store)
    loaded = [True]
    searcher.overloaded = lambda: loaded[0]
    query = SearchRequest(PAPERS[0].title.split()[0])
    encoded = len(searcher.embedder.seen)
    busy = searcher.search(query)
    assert busy.lexical_only and busy.degraded and BUSY_NOTE in busy.notes and busy.results
    assert len(searcher.embedder.seen) == encoded
    loaded[0] = False
    calm = searcher.search(query)
    assert not calm.lexical_only and not calm.degraded


@pytest.mark.parametrize(
    "path", ["/api/paperboy/search", "/api/papers/search", "/search", "/feeds/search.atom"]
)
def test_a_degraded_search_is_not_cached(store, path):
    searcher = _searcher(store)
    app = create_app(searcher.settings, store, searcher_factory=lambda: searcher)
    word = PAPERS[0].title.split()[0]
    with TestClient(app) as client:
        cache = app.state.paperboy.cache
        with all_slots_taken(searcher):
            busy = client.get(path, params={"q": word})
        assert busy.status_code == 200 and busy.headers[DEGRADED_HEADER] == "search-busy"
        assert len(cache) == 0
        misses = cache.misses
        calm = client.get(path, params={"q": word})
        assert calm.status_code == 200 and DEGRADED_HEADER not in calm.headers
        assert cache.misses == misses + 1 and len(cache) == 1  # rendered again, then kept
    if path == "/api/paperboy/search":
        assert busy.json()["lexicalOnly"] is True and BUSY_NOTE in busy.json()["notes"]
        assert calm.json()["lexicalOnly"] is False
