"""BM25 through the store's full-text index: all words first, any word when that finds too few."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paperboy.models.query import FieldWeights, Filters, Hit, TextQuery
from paperboy.search.query import ParsedQuery
from paperboy.store import Store

WEIGHTS = FieldWeights()  # the one set of field weights (models/query.py)
FALLBACK_NOTE = "No paper matches every word; showing papers that match any of them."
# In the OR fallback a word found in more than this share of papers selects almost everything
# while adding little to BM25 (idf ≈ 1.2 or less); scoring those matches is what made the
# slowest searches slow (61k of 75k rows for "model"), so such words are left out when rarer
# ones remain, and only where scoring is costly (COMMON_MIN papers): small collections keep
# every word. At 0.1 the same rule cost SciFact train 0.01 nDCG@10; at 0.3 nothing.
COMMON_SHARE = 0.3
COMMON_MIN = 5_000


@dataclass
class LexicalResult:
    hits: list[Hit] = field(default_factory=list)  # display order: full matches first
    mode: str = "and"  # the mode the hits came from
    notes: list[str] = field(default_factory=list)
    raw: list[Hit] | None = None  # plain BM25 scores (for fusion); None: same as ``hits``

    @property
    def bm25(self) -> list[Hit]:
        return self.hits if self.raw is None else self.raw


def lexical_hits(
    store: Store,
    parsed: ParsedQuery,
    filters: Filters | None,
    *,
    limit: int,
    enough: int,
    weights: FieldWeights = WEIGHTS,
) -> LexicalResult:
    """BM25 hits, AND semantics first; fall back to OR when AND finds fewer than ``enough``."""
    and_query = parsed.text_query("and")
    if not and_query:
        return LexicalResult()
    hits = store.papers.lexical_search(and_query, filters, limit=limit, weights=weights)
    if len(hits) >= enough:
        return LexicalResult(hits, "and")
    or_query = parsed.text_query("or")
    if len(or_query.terms) + len(or_query.phrases) <= 1:
        return LexicalResult(hits, "and")  # one word: OR would find the same
    or_query = without_common_terms(store, or_query)
    or_hits = store.papers.lexical_search(or_query, filters, limit=limit, weights=weights)
    if len(or_hits) <= len(hits):
        return LexicalResult(hits, "and")
    # Papers that match every word stay on top; the OR hits follow in BM25 order.
    seen = {h.id for h in hits}
    top = max((h.score for h in or_hits), default=0.0)
    merged = [Hit(h.id, h.score + top) for h in hits]
    merged += [h for h in or_hits if h.id not in seen]
    raw = {h.id: h for h in or_hits} | {h.id: h for h in hits}
    return LexicalResult(merged[:limit], "or", [FALLBACK_NOTE], [raw[h.id] for h in merged[:limit]])


def without_common_terms(store: Store, query: TextQuery) -> TextQuery:
    """``query`` without terms found in over COMMON_SHARE (and COMMON_MIN) of papers, if any
    term remains."""
    counts = store.papers.document_counts(query.terms)
    limit = max(COMMON_SHARE * store.papers.count_papers(), COMMON_MIN)
    kept = tuple(t for t in query.terms if counts[t] <= limit)
    if not kept and not query.phrases:
        return query
    return replace(query, terms=kept)
