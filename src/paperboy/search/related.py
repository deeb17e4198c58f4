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
from collections.abc import Callable, Collection

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
    store: Store,
    model: str,
    *,
    changed: Collection[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store related lists of ``model``'s papers; returns how many lists were written.

    With ``changed=None`` every paper's list is computed: exact neighbours by blocks of
    matrix products over all vectors (a minute at 75k papers on two cores). With the ids
    whose vectors just changed, only the lists they can alter are: their own, and those of
    their nearest neighbours (a new paper enters the lists of papers close to it, and the
    neighbour relation is nearly symmetric), so a day's new papers cost seconds, not a
    recomputation of the whole collection.
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
    row_of = {pid: i for i, pid in enumerate(ids)}
    k = min(NEIGHBOURS + 1, len(ids))
    if changed is None:
        rows = np.arange(len(ids))
    else:
        fresh = np.array(sorted(row_of[p] for p in set(changed) if p in row_of), dtype=np.int64)
        touched = set(fresh.tolist())
        for start in range(0, len(fresh), BLOCK):
            block = fresh[start : start + BLOCK]
            touched.update(_top(matrix[block] @ matrix.T, k).ravel().tolist())
        rows = np.array(sorted(touched), dtype=np.int64)
    written = 0
    for start in range(0, len(rows), BLOCK):
        block = rows[start : start + BLOCK]
        sims = matrix[block] @ matrix.T
        top = _top(sims, k)
        needed = {ids[j] for j in np.unique(np.concatenate([block, top.ravel()]))}
        papers = store.papers.get_papers(needed)
        words = {pid: Counter(tokens(p)) for pid, p in papers.items()}
        lists = {}
        for i, row in enumerate(block):
            pid = ids[row]
            if pid not in words:
                continue
            order = top[i][np.argsort(-sims[i, top[i]], kind="stable")]
            ranked = [(ids[j], float(sims[i, j])) for j in order if ids[j] != pid]
            ranked = [(o, s) for o, s in ranked if o in words][:NEIGHBOURS]
            df: Counter = Counter()
            for o, _ in ranked:
                df.update(words[o].keys())
            cats = papers[pid].categories
            lists[pid] = [
                (o, s, _reason(words[pid], words[o], cats, papers[o].categories, df, len(ranked)))
                for o, s in ranked[:STORED]
            ]
        store.vectors.save_related(model, lists)
        written += len(lists)
        if progress:
            progress(len(block))
    return written


def _top(sims: np.ndarray, k: int) -> np.ndarray:
    """Row-wise column indices of the ``k`` largest similarities (unordered)."""
    if k >= sims.shape[1]:
        return np.broadcast_to(np.arange(sims.shape[1]), sims.shape).copy()
    return np.argpartition(-sims, k - 1, axis=1)[:, :k]
