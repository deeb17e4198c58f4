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


def test_new_vectors_update_only_the_lists_they_can_alter(tmp_path) -> None:
    """After a day's new papers, their lists and their neighbours' lists change; a paper far
    from all of them keeps its list, and the incremental result equals a full recompute."""
    import numpy as np

    from paperboy.models.paper import Paper
    from paperboy.search.related import precompute_related
    from paperboy.store import open_store

    rng = np.random.default_rng(3)
    with open_store(str(tmp_path / "r.db")) as store:
        papers = [Paper(id=f"2401.{i:05d}", title=f"Paper {i} about topic {i % 7}",
                        abstract=f"Words {i % 5} and more.") for i in range(120)]  # fmt: skip
        store.papers.upsert_papers(papers)
        vectors = rng.normal(size=(120, 16)).astype(np.float32)
        old = [(p.id, "h", v) for p, v in zip(papers[:100], vectors[:100], strict=True)]
        store.vectors.save_vectors("m", old)
        assert precompute_related(store, "m") == 100
        before = {p.id: store.vectors.get_related("m", p.id) for p in papers[:100]}
        new = [(p.id, "h", v) for p, v in zip(papers[100:], vectors[100:], strict=True)]
        store.vectors.save_vectors("m", new)
        written = precompute_related(store, "m", changed=[pid for pid, _, _ in new])
        assert 20 <= written < 120
        incremental = {p.id: store.vectors.get_related("m", p.id) for p in papers}
        assert all(incremental[p.id] for p in papers[100:])
        unchanged = [pid for pid in before if incremental[pid] == before[pid]]
        assert unchanged  # some lists were left alone
        precompute_related(store, "m")
        full = {p.id: store.vectors.get_related("m", p.id) for p in papers}
        same = sum(incremental[pid] == full[pid] for pid in full)
        assert same >= 0.95 * len(full)  # the neighbour relation is nearly symmetric
