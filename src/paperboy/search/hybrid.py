"""Fuse BM25 and dense rankings into one.

The default is a convex combination of normalised scores: BM25 scores are divided by the
query's best BM25 score (so 1.0 is "as good as the best keyword match"), dense scores are
cosine similarities (the best of the document vector and its passage vectors, see
``with_passages``) used as they are, and the two are mixed with ``LEXICAL_WEIGHT``. Unlike
reciprocal rank fusion (kept here as the baseline), this keeps how *much* better the first
hit is than the tenth, which is what wins on SciFact (see bench/bench_quality.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperboy.models.query import Hit
from paperboy.store import Store

RRF_K = 60
# Tuned on SciFact train (809 queries) together with passage max-sim: 0.2 and 0.25 both
# reach nDCG@10 ≥ 0.75; 0.4 was best with document vectors alone.
LEXICAL_WEIGHT = 0.2
# Papers (best first after fusing with document vectors) whose passages are looked up.
PASSAGE_CANDIDATES = 60


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
    """Each paper's best similarity over its document vector and its passage vectors.

    A claim or question usually matches one or two sentences of an abstract; the document
    vector averages them away (and MiniLM reads only the first 256 tokens). Max-sim over
    title-prefixed sentence windows lifts dense nDCG@10 on SciFact train from 0.66 to 0.70.
    Papers without passage vectors (short abstracts, not embedded yet) keep their document
    similarity.
    """
    if not dense:
        return dense
    out = dict(dense)
    for pid, matrix in store.vectors.get_passage_vectors(model, list(dense)).items():
        out[pid] = max(dense[pid], float((matrix @ query).max()))
    return out
