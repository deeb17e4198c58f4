"""Exact and approximate nearest neighbours, and the cached index following the store."""

import numpy as np
import pytest

from paperboy.store.sqlite.vector_index import (
    ExactIndex,
    IVFIndex,
    build_index,
    normalise,
    recall_at_k,
)


def clustered(n: int, dim: int = 32, centres: int = 50, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, dim))
    return normalise(c[rng.integers(0, centres, n)] + 0.35 * rng.normal(size=(n, dim)))


def test_exact_search_matches_a_full_sort():
    x = clustered(2000)
    q = clustered(20, seed=1)
    index = ExactIndex([f"p{i}" for i in range(len(x))], x)
    ids, scores = index.search(q, 10)
    full = np.argsort(-(q @ x.T), axis=1)[:, :10]
    assert ids == [[f"p{j}" for j in row] for row in full]
    assert np.all(np.diff(scores, axis=1) <= 1e-6)
    assert index.vector("p3") is not None and index.vector("nope") is None


def test_ivf_recall_against_exact():
    x = clustered(20_000)
    q = normalise(x[:200] + 0.1 * np.random.default_rng(2).normal(size=(200, x.shape[1])))
    ids = [f"p{i}" for i in range(len(x))]
    exact, approx = ExactIndex(ids, x), IVFIndex(ids, x)
    assert approx.kind == "ivf" and approx.nlist > 16
    assert recall_at_k(exact, approx, q, k=10) >= 0.95
    assert build_index(ids, x, approx_from=10_000).kind == "ivf"
    assert build_index(ids, x).kind == "exact"


@pytest.mark.sqlite_only  # a SQLite file shared with a subprocess, or its in-process index
def test_index_rebuilds_only_when_vectors_change(store, monkeypatch):
    from paperboy.store.sqlite import vectors

    monkeypatch.setattr(vectors, "CHECK_EVERY", 0)
    cache = store.vectors
    assert cache.index("m") is None
    rng = np.random.default_rng(0)
    store.vectors.save_vectors("m", [("2501.00001", "h1", rng.normal(size=8))])
    first = cache.index("m")
    assert first is not None and len(first) == 1
    assert cache.index("m") is first  # unchanged: same object
    store.vectors.save_vectors("m", [("2502.00002", "h2", rng.normal(size=8))])
    second = cache.index("m")
    assert second is not first and len(second) == 2
    store.vectors.save_vectors("m", [("2502.00002", "h3", rng.normal(size=8))])  # a replaced vector
    assert cache.index("m") is not second
