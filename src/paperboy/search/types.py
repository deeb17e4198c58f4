"""The shapes every search caller speaks: requests in, ranked papers and facets out."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperboy.models.paper import Paper
from paperboy.models.query import Filters

SORTS = ("relevance", "date", "trending")


@dataclass(frozen=True)
class SearchRequest:
    q: str
    filters: Filters = Filters()  # merged with the filters written in the query itself
    sort: str = "relevance"  # relevance | date | trending
    limit: int = 20
    offset: int = 0
    facets: bool = False  # compute topic facets over the top results
    facet: str | None = None  # narrow to the facet with this key


@dataclass(frozen=True)
class SearchResult:
    paper: Paper
    score: float
    matched: str = "hybrid"  # id | title | lexical | dense | hybrid


@dataclass(frozen=True)
class Facet:
    key: str  # stable within one response; pass back as SearchRequest.facet
    label: str  # human label: distinctive terms or categories
    ids: list[str]


@dataclass
class SearchResponse:
    results: list[SearchResult]
    total: int  # how many matched before paging (capped by the candidate pool)
    facets: list[Facet] = field(default_factory=list)
    lexical_only: bool = False  # True when dense vectors were unavailable for this search
    notes: list[str] = field(default_factory=list)  # e.g. "AND found too little; showing OR"
    # True when overload (not the store) made this answer keywords-only: a busy moment's
    # answer, which must not be cached or it would outlive the moment.
    degraded: bool = False


@dataclass(frozen=True)
class RelatedPaper:
    paper: Paper
    score: float
    reason: str  # short and human: shared terms or topic
