"""Related papers: a paper's nearest neighbours in embedding space, each with a reason.

The reason names the distinctive words the two papers share (words that are rare among the
neighbours, so "model" never qualifies) and a shared category. Without vectors, BM25 on the
paper's own distinctive words stands in, so a fresh install still shows something sensible.
"""

from __future__ import annotations

import math
from collections import Counter

from paperboy.models.paper import Paper
from paperboy.models.query import TextQuery
from paperboy.search.facets import tokens
from paperboy.search.types import RelatedPaper
from paperboy.store import Store

NEIGHBOURS = 30  # candidates looked at to judge which shared words are distinctive
REASON_TERMS = 3


def _shared_terms(paper: Paper, other: Paper, df: Counter, n: int) -> list[str]:
    mine, theirs = Counter(tokens(paper)), Counter(tokens(other))
    shared = [t for t in mine if t in theirs]
    scored = sorted(shared, key=lambda t: (-(math.log(1 + n / df[t]) * min(mine[t], 3)), t))
    return scored[:REASON_TERMS]


def reason(paper: Paper, other: Paper, df: Counter, n: int) -> str:
    parts = []
    terms = _shared_terms(paper, other, df, n)
    if terms:
        parts.append("shares " + ", ".join(terms))
    cats = [c for c in other.categories if c in paper.categories]
    if cats:
        parts.append("also in " + cats[0])
    return "; ".join(parts) or "similar topic"


def related_papers(store: Store, paper: Paper, model: str, limit: int = 5) -> list[RelatedPaper]:
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


def _lexical_neighbours(store: Store, paper: Paper, k: int) -> list[tuple[str, float]]:
    """BM25 with the paper's most frequent title and abstract words as an OR query."""
    words = [t for t, _ in Counter(tokens(paper)).most_common(12)]
    if not words:
        return []
    hits = store.papers.lexical_search(TextQuery(terms=tuple(words), mode="or"), limit=k + 1)
    return [(h.id, h.score) for h in hits if h.id != paper.id][:k]
