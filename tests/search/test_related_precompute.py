"""Related lists stored when vectors are made are the lists computed on demand, and every
refresh that changes vectors recomputes them (a new paper may be an old one's neighbour)."""

from __future__ import annotations

import pytest

from paperboy.search.embed import PACKAGED, refresh_vectors
from paperboy.search.related import STORED, related_papers, stored_related

from .conftest import PAPERS
from .test_embed_refresh import CountingEmbedder


def _view(found):
    return [(r.paper.id, r.reason) for r in found]


def _scores(found):
    return [r.score for r in found]


def test_stored_lists_match_the_on_demand_ones(demo_store):
    assert demo_store.vectors.related_count(PACKAGED) == demo_store.vectors.count(PACKAGED)
    for paper in demo_store.papers.list_papers(limit=5, offset=100):
        stored = stored_related(demo_store, PACKAGED, paper.id, 6)
        assert stored is not None and len(stored) == 6
        fresh = related_papers(demo_store, paper, PACKAGED, 6)
        assert _view(stored) == _view(fresh)
        assert _scores(stored) == pytest.approx(_scores(fresh), abs=1e-3)


def test_a_list_too_short_for_the_limit_is_not_served(demo_store):
    paper = demo_store.papers.list_papers(limit=1, offset=50)[0]
    assert len(stored_related(demo_store, PACKAGED, paper.id, STORED)) == STORED
    assert stored_related(demo_store, PACKAGED, paper.id, STORED + 1) is None


def test_refresh_recomputes_lists_only_when_vectors_change(store):
    store.papers.upsert_papers(PAPERS)
    embedder = CountingEmbedder("counting")
    report = refresh_vectors(store, embedder)
    assert report.related == len(PAPERS) == store.vectors.related_count("counting")
    first = store.vectors.get_related("counting", PAPERS[0].id)
    assert [pid for pid, _, _ in first] and PAPERS[0].id not in [pid for pid, _, _ in first]
    assert first == sorted(first, key=lambda r: -r[1])
    assert refresh_vectors(store, embedder).related == 0  # nothing changed: kept
