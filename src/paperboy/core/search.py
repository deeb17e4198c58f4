"""Search parameters as a door receives them, validated once into the Searcher's request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paperboy.core.errors import InvalidParameter
from paperboy.core.periods import page_window, parse_day
from paperboy.models.query import Filters
from paperboy.search.query import QueryError, check_filters, clean_query
from paperboy.search.types import SORTS, SearchRequest, SearchResponse

# A search ranks (and for date or trending, loads) every result up to the page it shows.
SEARCH_MAX_OFFSET = 1_000


@dataclass
class SearchParams:
    q: str
    sort: str = "relevance"
    category: str | None = None
    author: str | None = None
    after: str | None = None
    before: str | None = None
    facet: str | None = None
    page: int = 0
    limit: int = 20

    def request(self, *, facets: bool) -> SearchRequest:
        """Validate and build the Searcher's request; raise InvalidParameter naming the field."""
        q = clean_query(self.q).strip()
        if not q:
            raise InvalidParameter("q: give something to search for")
        if len(q) > 500:
            raise InvalidParameter("q: at most 500 characters")
        if self.sort not in SORTS:
            raise InvalidParameter(
                f"sort: expected one of {', '.join(SORTS)}, got {self.sort[:40]!r}"
            )
        limit, offset = page_window(self.page, self.limit, SEARCH_MAX_OFFSET, "the search")
        filters = Filters(
            categories=tuple(c.strip() for c in (self.category or "").split(",") if c.strip()),
            authors=(self.author.strip(),) if self.author and self.author.strip() else (),
            after=parse_day(self.after, "from") if self.after else None,
            before=parse_day(self.before, "to") if self.before else None,
        )
        try:
            check_filters(filters)
        except QueryError as exc:
            raise InvalidParameter(str(exc)) from None
        return SearchRequest(
            q=q,
            filters=filters,
            sort=self.sort,
            limit=limit,
            offset=offset,
            facets=facets,
            facet=self.facet or None,
        )


def search_list(searcher: Any, params: SearchParams, *, facets: bool = False) -> SearchResponse:
    """Search through the one Searcher; a query it cannot run is an InvalidParameter."""
    request = params.request(facets=facets)
    try:
        return searcher.search(request)
    except ValueError as exc:
        raise InvalidParameter(f"q: {exc}") from None
