"""Fuse BM25 and dense rankings into one.

The default is a convex combination of normalised scores: BM25 scores are divided by the
query's best BM25 score (so 1.0 is "as good as the best keyword match"), dense scores are
cosine similarities used as they are, and the two are mixed with ``LEXICAL_WEIGHT``. Unlike
reciprocal rank fusion (kept here as the baseline), this keeps how *much* better the first
hit is than the tenth, which is what wins on SciFact (see bench/bench_quality.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperboy.models.query import Hit
from paperboy.store import Store

RRF_K = 60
# Tuned on SciFact train (809 queries): nDCG@10 is flat within ±0.005 for 0.15–0.3.
LEXICAL_WEIGHT = 0.4
# Share of a paper's dense score that comes from its best-matching abstract passage.
PASSAGE_WEIGHT = 0.5


def rrf(rankings: Sequence[Sequence[Hit]], k: int = RRF_K, weights=None) -> list[Hit]:
    """Reciprocal rank fusion: sum of w / (k + rank) over the rankings a paper appears in."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, hit in enumerate(ranking, 1):
            scores[hit.id] = scores.get(hit.id, 0.0) + w / (k + rank)
    return sorted((Hit(i, s) for i, s in scores.items()), key=lambda h: (-h.score, h.id))


def normalised_lexical(hits: Sequence[Hit]) -> dict[str, float]:
    """BM25 scores over the query's best one (scores are query-dependent, this makes them not)."""
    if not hits:
        return {}
    top = max(h.score for h in hits)
    return {h.id: (h.score / top if top > 0 else 0.0) for h in hits}


def convex(
    lexical: dict[str, float], dense: dict[str, float], weight: float = LEXICAL_WEIGHT
) -> list[Hit]:
    """``weight * lexical + (1 - weight) * dense`` over the union; a missing side counts 0."""
    ids = list(dict.fromkeys([*lexical, *dense]))
    lex = np.array([lexical.get(i, 0.0) for i in ids], dtype=np.float64)
    den = np.array([dense.get(i, 0.0) for i in ids], dtype=np.float64)
    fused = weight * lex + (1.0 - weight) * den
    order = np.lexsort((np.array(ids), -fused))
    return [Hit(ids[i], float(fused[i])) for i in order]


def with_passages(
    dense: dict[str, float], query: np.ndarray, store: Store, model: str
) -> dict[str, float]:
    """Mix each paper's document similarity with its best passage similarity (max-sim).

    Papers without passage vectors (short abstracts, or not embedded yet) keep their
    document similarity.
    """
    if PASSAGE_WEIGHT <= 0 or not dense:
        return dense
    out = dict(dense)
    for pid, matrix in store.get_passage_vectors(model, list(dense)).items():
        best = float((matrix @ query).max())
        out[pid] = (1.0 - PASSAGE_WEIGHT) * dense[pid] + PASSAGE_WEIGHT * best
    return out
