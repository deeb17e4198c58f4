"""Related papers: a paper's nearest neighbours in embedding space, each with a reason.

The reason names the distinctive words the two papers share (words that are rare among the
neighbours, so "model" never qualifies) and a shared category. Without vectors, BM25 on the
paper's own distinctive words stands in, so a fresh install still shows something sensible.

Lists are computed for every paper when vectors are made (``precompute_related``) and kept
in the store, because a search per page view (140–510 ms at 75k papers without vectors)
would cost more than the rest of the page together; the page only reads them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np

from paperboy.models.paper import Paper
from paperboy.models.query import TextQuery
from paperboy.search.facets import tokens
from paperboy.search.types import RelatedPaper
from paperboy.store import Store

NEIGHBOURS = 30  # candidates looked at to judge which shared words are distinctive
REASON_TERMS = 3
STORED = 10  # related papers kept per paper; the page shows 6, longer lists are computed
BLOCK = 512  # papers per matrix product when precomputing (512 × 75k floats: 150 MB)


def _shared_terms(mine: Counter, theirs: Counter, df: Counter, n: int) -> list[str]:
    shared = [t for t in mine if t in theirs]
    scored = sorted(shared, key=lambda t: (-(math.log(1 + n / df[t]) * min(mine[t], 3)), t))
    return scored[:REASON_TERMS]


def _reason(
    mine: Counter, theirs: Counter, cats: list[str], other_cats: list[str], df: Counter, n: int
) -> str:
    parts = []
    terms = _shared_terms(mine, theirs, df, n)
    if terms:
        parts.append("shares " + ", ".join(terms))
    shared_cats = [c for c in other_cats if c in cats]
    if shared_cats:
        parts.append("also in " + shared_cats[0])
    return "; ".join(parts) or "similar topic"


def reason(paper: Paper, other: Paper, df: Counter, n: int) -> str:
    mine, theirs = Counter(tokens(paper)), Counter(tokens(other))
    return _reason(mine, theirs, paper.categories, other.categories, df, n)


def related_papers(store: Store, paper: Paper, model: str, limit: int = 5) -> list[RelatedPaper]:
    """Computed now: nearest vectors, or BM25 on the paper's words when it has no vector."""
    vector = store.vectors.get_vectors(model, [paper.id]).get(paper.id)
    if vector is not None:
        hits = store.vectors.nearest(model, vector, max(NEIGHBOURS, limit) + 1)
        ranked = [(h.id, h.score) for h in hits if h.id != paper.id]
    else:
        ranked = _lexical_neighbours(store, paper, max(NEIGHBOURS, limit))
    papers = store.papers.get_papers([i for i, _ in ranked])
    ranked = [(i, s) for i, s in ranked if i in papers]
    df: Counter = Counter()
    for pid, _ in ranked:
        df.update(set(tokens(papers[pid])))
    return [
        RelatedPaper(papers[pid], score, reason(paper, papers[pid], df, len(ranked)))
        for pid, score in ranked[:limit]
    ]


def stored_related(
    store: Store, model: str, paper_id: str, limit: int
) -> list[RelatedPaper] | None:
    """The precomputed list (papers loaded), or None when there is none or it is too short
    for ``limit`` (only a full list is cut short; a shorter one is all there is)."""
    rows = store.vectors.get_related(model, paper_id)
    if rows is None or (limit > len(rows) >= STORED):
        return None
    rows = rows[:limit]
    papers = store.papers.get_papers([pid for pid, _, _ in rows])
    return [RelatedPaper(papers[pid], s, r) for pid, s, r in rows if pid in papers]


def _lexical_neighbours(store: Store, paper: Paper, k: int) -> list[tuple[str, float]]:
    """BM25 with the paper's most frequent title and abstract words as an OR query."""
    words = [t for t, _ in Counter(tokens(paper)).most_common(12)]
    if not words:
        return []
    hits = store.papers.lexical_search(TextQuery(terms=tuple(words), mode="or"), limit=k + 1)
    return [(h.id, h.score) for h in hits if h.id != paper.id][:k]


def precompute_related(
    store: Store, model: str, *, progress: Callable[[int], None] | None = None
) -> int:
    """Store the related list of every paper with a ``model`` vector; returns how many.

    Exact neighbours by blocks of matrix products over all vectors (a minute at 75k papers
    on two cores), then the same reasons as ``related_papers`` gives. Run after vectors
    change: any new vector may be some older paper's neighbour.
    """
    ids: list[str] = []
    parts: list[np.ndarray] = []
    for batch in store.vectors.iter_vectors(model):
        ids += [pid for pid, _, _ in batch]
        parts.append(np.stack([v for _, _, v in batch]).astype(np.float32, copy=False))
    if not ids:
        return 0
    matrix = np.concatenate(parts)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    words: dict[str, Counter] = {}
    cats: dict[str, list[str]] = {}
    wanted = set(ids)
    for papers in store.papers.iter_papers():
        for p in papers:
            if p.id in wanted:
                words[p.id], cats[p.id] = Counter(tokens(p)), p.categories
    k = min(NEIGHBOURS + 1, len(ids))
    for start in range(0, len(ids), BLOCK):
        sims = matrix[start : start + BLOCK] @ matrix.T
        if k < len(ids):
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(len(ids)), (sims.shape[0], len(ids)))
        lists = {}
        for row in range(sims.shape[0]):
            pid = ids[start + row]
            if pid not in words:
                continue
            order = top[row][np.argsort(-sims[row, top[row]], kind="stable")]
            ranked = [(ids[j], float(sims[row, j])) for j in order if ids[j] != pid]
            ranked = [(o, s) for o, s in ranked if o in words][:NEIGHBOURS]
            df: Counter = Counter()
            for o, _ in ranked:
                df.update(words[o].keys())
            lists[pid] = [
                (o, s, _reason(words[pid], words[o], cats[pid], cats[o], df, len(ranked)))
                for o, s in ranked[:STORED]
            ]
        store.vectors.save_related(model, lists)
        if progress:
            progress(sims.shape[0])
    return len(ids)
