"""JSON API: Hugging Face Papers compatible routes, then our namespaced extensions.

``HfApi(endpoint="http://host:port")`` from ``huggingface_hub`` works unchanged against
``/api/daily_papers``, ``/api/papers/search``, ``/api/papers/{id}`` and ``/papers/{id}.md``
(``list_daily_papers``, ``list_papers``, ``paper_info``, ``read_paper``). What Hugging Face
has no route for lives under ``/api/paperboy/``: search with filters and topic facets,
trending with reasons, related papers. Every list is the same query function its page uses.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from paperboy.api.cache import Rendered, uncacheable
from paperboy.api.deps import paper_response, services
from paperboy.api.holes import Holes
from paperboy.api.params import (
    PERIOD_DOC,
    Author,
    Category,
    DailySort,
    DateFrom,
    DateTo,
    Day,
    Limit,
    Month,
    Page,
    SearchPage,
    SearchSort,
    SearchText,
    Week,
)
from paperboy.api.responses import INVALID, PAPER, MarkdownResponse
from paperboy.api.schema import daily_item, paper_json, paper_markdown
from paperboy.core.lists import daily_list
from paperboy.core.papers import find_paper_or_raise
from paperboy.core.periods import MAX_LIMIT
from paperboy.core.search import SearchParams, search_list
from paperboy.core.trending import item_json, trending_list
from paperboy.models.paper import Paper
from paperboy.search.types import SearchResponse

router = APIRouter()
HF = "Hugging Face compatible"
OURS = "Paperboy extensions"


def as_json(value: object, holes: Holes | None = None) -> Rendered:
    """JSON, with the live counts of ``holes`` (if any) filled in when served."""
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return Rendered(body, "application/json", counts=holes.ids if holes else ())


def search_json(response: SearchResponse, holes: Holes | None = None) -> dict:
    return {
        "results": [
            daily_item(r.paper, extra={"score": r.score, "matched": r.matched}, holes=holes)
            for r in response.results
        ],
        "total": response.total,
        "facets": [
            {"key": f.key, "label": f.label, "count": len(f.ids), "ids": f.ids}
            for f in response.facets
        ],
        "lexicalOnly": response.lexical_only,
        "notes": response.notes,
    }


@router.get(
    "/api/daily_papers",
    tags=[HF],
    summary="Papers listed on a day, week or month",
    responses=INVALID,
    openapi_extra=PERIOD_DOC,
)
async def daily_papers(
    request: Request,
    date: Day = None,
    week: Week = None,
    month: Month = None,
    submitter: Annotated[
        str | None, Query(description="Papers submitted by this account name")
    ] = None,
    sort: DailySort = "publishedAt",
    p: Page = 0,
    limit: Limit = 50,
) -> Response:
    svc = services(request)
    limit = min(limit, MAX_LIMIT)

    def render() -> Rendered:
        found = daily_list(
            svc.store, day=date, week=week, month=month, sort=sort, submitter=submitter,
            page=p, limit=limit,
        )  # fmt: skip
        holes = svc.cache.holes()
        return as_json([daily_item(x, holes=holes) for x in found.papers], holes)

    ranked = svc.store.trending.version() if sort == "trending" else None
    submitted = svc.store.submissions.version() if submitter is not None else None
    key = (date, week, month, submitter, sort, p, limit, ranked, submitted)
    return await svc.cache.respond(request, render, params=key)


@router.get(
    "/api/papers/search", tags=[HF], summary="Search papers (Hugging Face shape)", responses=INVALID
)
async def papers_search(
    request: Request,
    q: SearchText,
    limit: Limit = 20,
) -> Response:
    svc = services(request)
    limit = min(limit, MAX_LIMIT)

    def render() -> Rendered:
        found = search_list(svc.searcher, SearchParams(q=q, limit=limit))
        holes = svc.cache.holes()
        body = as_json([daily_item(r.paper, holes=holes) for r in found.results], holes)
        return uncacheable(body, found.degraded)

    return await svc.cache.respond(request, render, params=(q, limit))


@router.get("/api/papers/{paper_id:path}", tags=[HF], summary="One paper", responses=PAPER)
async def paper_info(request: Request, paper_id: str) -> Response:
    holes = services(request).cache.holes

    def render(paper: Paper) -> Rendered:
        found = holes()
        return as_json(paper_json(paper, holes=found), found)

    return await paper_response(request, paper_id, render)


@router.get(
    "/papers/{paper_id:path}.md",
    tags=[HF],
    summary="One paper as Markdown",
    response_class=MarkdownResponse,
    responses=PAPER,
)
async def paper_md(request: Request, paper_id: str) -> Response:
    def render(paper: Paper) -> Rendered:
        return Rendered(paper_markdown(paper).encode(), "text/markdown; charset=utf-8")

    return await paper_response(request, paper_id, render)


@router.get(
    "/api/paperboy/search",
    tags=[OURS],
    summary="Search with filters and facets",
    responses=INVALID,
)
async def paperboy_search(
    request: Request,
    q: SearchText,
    sort: SearchSort = "relevance",
    category: Category = None,
    author: Author = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    facet: Annotated[str | None, Query(description="A facet key from a previous answer")] = None,
    facets: Annotated[bool, Query(description="Compute topic facets")] = True,
    p: SearchPage = 0,
    limit: Limit = 20,
) -> Response:
    svc = services(request)
    limit = min(limit, MAX_LIMIT)
    params = SearchParams(q, sort, category, author, date_from, date_to, facet, p, limit)

    def render() -> Rendered:
        holes = svc.cache.holes()
        found = search_list(svc.searcher, params, facets=facets)
        return uncacheable(as_json(search_json(found, holes), holes), found.degraded)

    ranked = svc.store.trending.version() if sort == "trending" else None
    key = (q, sort, category, author, date_from, date_to, facet, facets, p, limit, ranked)
    return await svc.cache.respond(request, render, params=key)


@router.get(
    "/api/paperboy/trending",
    tags=[OURS],
    summary="Trending papers with their score and its inputs",
    description=(
        "Each item has `id`, `score`, `votes`, `saves`, `imported_upvotes`, `age_hours` and "
        "`why` (the formula with its inputs, see docs/trending.md), beside the Hugging Face "
        "shaped fields of `/api/daily_papers`. Scores are refreshed a few seconds after votes."
    ),
    responses=INVALID,
)
async def paperboy_trending(request: Request, p: Page = 0, limit: Limit = 30) -> Response:
    svc = services(request)
    limit = min(limit, MAX_LIMIT)

    def render() -> Rendered:
        found = trending_list(svc.store, page=p, limit=limit)
        holes = svc.cache.holes()
        items = [
            {
                **item_json(found.trending[x.id]),
                **daily_item(x, extra={"reason": found.reasons.get(x.id)}, holes=holes),
            }
            for x in found.papers
        ]
        return as_json({"papers": items, "note": found.note}, holes)

    key = (p, limit, svc.store.trending.version())
    return await svc.cache.respond(request, render, params=key)


@router.get(
    "/api/paperboy/related/{paper_id:path}",
    tags=[OURS],
    summary="Papers related to one paper",
    responses=PAPER,
)
async def paperboy_related(
    request: Request,
    paper_id: str,
    limit: Annotated[int, Query(ge=1, le=50, description="At most 50")] = 10,
) -> Response:
    svc = services(request)

    def render() -> Rendered:
        paper = find_paper_or_raise(svc.store, paper_id)
        related = svc.searcher.related(paper.id, limit)
        holes = svc.cache.holes()
        extra = [{"score": r.score, "reason": r.reason} for r in related]
        return as_json(
            [
                daily_item(r.paper, extra=e, holes=holes)
                for r, e in zip(related, extra, strict=True)
            ],
            holes,
        )

    return await svc.cache.respond(request, render, params=(limit,))
