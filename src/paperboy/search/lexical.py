"""BM25 through the store's full-text index: all words first, any word when that finds too few."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paperboy.models.query import FieldWeights, Filters, Hit, TextQuery
from paperboy.search.query import ParsedQuery
from paperboy.store import Store

WEIGHTS = FieldWeights()  # the one set of field weights (models/query.py)
FALLBACK_NOTE = "No paper matches every word; showing papers that match any of them."
TWO_NOTE = "No paper matches every word; showing papers that match at least two of them."
# Between all words and any word, three-word queries first try papers with two of them.
# Those rank above one-word matches, as they would in almost every OR ranking, and cost a
# third of it: FTS5 scores every match, and a three-word OR matches ~10x more papers
# (bench/README.md, "The load mix"). Only three: with four or more words a paper with three
# of them would score above its BM25 in SQLite (store/papers.py, ``lexical_search``).
TWO_MAX = 3
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
    if or_query.parts <= 1:
        return LexicalResult(hits, "and")  # one word: OR would find the same
    if 3 <= or_query.parts <= TWO_MAX:
        two_query = replace(or_query, mode="two")
        two = store.papers.lexical_search(two_query, filters, limit=limit, weights=weights)
        if len(two) >= enough:
            return _below(hits, two, limit, "two", TWO_NOTE)
    or_query = without_common_terms(store, or_query)
    or_hits = store.papers.lexical_search(or_query, filters, limit=limit, weights=weights)
    if len(or_hits) <= len(hits):
        return LexicalResult(hits, "and")
    return _below(hits, or_hits, limit, "or", FALLBACK_NOTE)


def _below(hits: list[Hit], more: list[Hit], limit: int, mode: str, note: str) -> LexicalResult:
    """Papers that match every word stay on top; ``more`` follow in BM25 order."""
    seen = {h.id for h in hits}
    top = max((h.score for h in more), default=0.0)
    merged = [Hit(h.id, h.score + top) for h in hits]
    merged += [h for h in more if h.id not in seen]
    raw = {h.id: h for h in more} | {h.id: h for h in hits}
    return LexicalResult(merged[:limit], mode, [note], [raw[h.id] for h in merged[:limit]])


def without_common_terms(store: Store, query: TextQuery) -> TextQuery:
    """``query`` without terms found in over COMMON_SHARE (and COMMON_MIN) of papers, if any
    term remains."""
    counts = store.papers.document_counts(query.terms)
    limit = max(COMMON_SHARE * store.papers.count_papers(), COMMON_MIN)
    kept = tuple(t for t in query.terms if counts[t] <= limit)
    if not kept and not query.phrases:
        return query
    return replace(query, terms=kept)
