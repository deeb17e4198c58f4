"""``Searcher``: the one search use case that the CLI, pages, API and digests call.

A search parses the query, pins papers named by id or exact title, ranks the rest by BM25
fused with dense vectors (when the store has them and the model loads), optionally groups the
top results into topic facets, then sorts and pages.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from paperboy.config import Settings
from paperboy.models.paper import Paper
from paperboy.models.query import Filters, Hit
from paperboy.search.lexical import lexical_hits
from paperboy.search.query import ParsedQuery, merge_filters, parse_query
from paperboy.search.types import (
    SORTS,
    RelatedPaper,
    SearchRequest,
    SearchResponse,
    SearchResult,
)
from paperboy.store import Store

log = logging.getLogger(__name__)

POOL = 100  # candidates ranked per search (relevance), before paging
SORT_POOL = 200  # candidates re-sorted by date or trending
AND_ENOUGH = 10  # AND hits below this (or below the page) fall back to OR
LIST_ORDERS = {"relevance": "listing", "date": "listing", "trending": "upvotes"}


class Searcher:
    """Search over one store. Thread-safe; loads the embedding model lazily, once."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()

    # --- search -------------------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchResponse:
        if req.sort not in SORTS:
            raise ValueError(f"unknown sort {req.sort!r}; expected one of {', '.join(SORTS)}")
        parsed = parse_query(req.q)
        filters = merge_filters(req.filters, parsed.filters)
        pinned = self._pinned(parsed, filters)
        notes: list[str] = []
        want = req.offset + req.limit
        if not parsed.text_query("or") and not parsed.ids:
            return self._browse(req, filters)
        pool = max(POOL, want) if req.sort == "relevance" else max(SORT_POOL, want)
        ranked, matched, lexical_only, more_notes = self._rank(parsed, filters, pool, want)
        notes += more_notes
        ranked = [h for h in ranked if h.id not in {p for p, _ in pinned}]
        papers = self.store.get_papers([h.id for h in ranked] + [p for p, _ in pinned])
        ranked = [h for h in ranked if h.id in papers]
        if req.sort != "relevance":
            ranked = _sort(ranked, papers, req.sort)
        top = max((h.score for h in ranked), default=0.0)
        pins = [Hit(pid, top + 1.0) for pid, _ in pinned]
        matched.update({pid: how for pid, how in pinned})
        order = pins + ranked
        for pid in parsed.ids:
            if pid not in papers:
                notes.append(f"arXiv:{pid} is not in this database.")
        page = order[req.offset : want]
        results = [SearchResult(papers[h.id], h.score, matched.get(h.id, "lexical")) for h in page]
        return SearchResponse(
            results=results, total=len(order), lexical_only=lexical_only, notes=notes
        )

    def _browse(self, req: SearchRequest, filters: Filters) -> SearchResponse:
        """No words: the newest (or most upvoted) papers that pass the filters."""
        papers = self.store.list_papers(
            filters, order=LIST_ORDERS[req.sort], limit=req.limit, offset=req.offset
        )
        results = [SearchResult(p, 0.0, "lexical") for p in papers]
        return SearchResponse(results, total=self.store.count_papers(filters), lexical_only=True)

    def _pinned(self, parsed: ParsedQuery, filters: Filters) -> list[tuple[str, str]]:
        """Papers named by arXiv id (in order), then exact title matches."""
        found = self.store.get_papers(parsed.ids) if parsed.ids else {}
        out = [(pid, "id") for pid in parsed.ids if pid in found]
        title = parsed.title_candidate
        if title and len(title) >= 8:
            ids = self.store.find_by_title(title)
            if filters.namespace and ids:
                keep = self.store.filter_ids(ids, Filters(namespace=filters.namespace))
                ids = [i for i in ids if i in keep]
            out += [(pid, "title") for pid in ids if pid not in dict(out)]
        return out

    def _rank(
        self, parsed: ParsedQuery, filters: Filters, pool: int, want: int
    ) -> tuple[list[Hit], dict[str, str], bool, list[str]]:
        """Candidates best first, how each matched, whether only BM25 was used, notes."""
        lex = lexical_hits(
            self.store, parsed, filters or None, limit=pool, enough=min(AND_ENOUGH, want)
        )
        matched = {h.id: "lexical" for h in lex.hits}
        return lex.hits, matched, True, lex.notes

    # --- related ------------------------------------------------------------------------
    def related(self, paper_id: str, limit: int = 5) -> list[RelatedPaper]:
        """Nearest papers to ``paper_id`` (never itself), each with a short reason."""
        paper = self.store.get_paper(paper_id)
        if paper is None:
            raise KeyError(paper_id)
        parsed = parse_query(paper.title)
        lex = lexical_hits(self.store, replace(parsed, ids=()), None, limit=limit + 1, enough=1)
        hits = [h for h in lex.hits if h.id != paper_id][:limit]
        papers = self.store.get_papers([h.id for h in hits])
        return [RelatedPaper(papers[h.id], h.score, "similar title") for h in hits]


def _sort(hits: list[Hit], papers: dict[str, Paper], sort: str) -> list[Hit]:
    def day(p: Paper) -> str:
        d = p.listing_date or p.published
        return d.isoformat() if d else ""

    if sort == "date":
        return sorted(hits, key=lambda h: (day(papers[h.id]), h.id), reverse=True)
    return sorted(
        hits, key=lambda h: (papers[h.id].upvotes or 0, day(papers[h.id]), h.id), reverse=True
    )
