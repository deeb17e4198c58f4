"""Atom feeds for the daily list, trending and any search, built with feedgen.

Each feed is the Atom rendering of the same ``PaperList`` or ``SearchResponse`` the page
shows. Imported text is untrusted: feedgen escapes it as XML text, and characters XML 1.0
forbids are dropped first, so one broken record cannot make the whole feed unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from fastapi import APIRouter, Request
from feedgen.feed import FeedGenerator
from starlette.responses import Response

from paperboy.api.cache import Rendered, uncacheable
from paperboy.api.deps import absolute_url, base_url, services
from paperboy.api.params import (
    PERIOD_DOC,
    Author,
    Category,
    Day,
    Month,
    SearchSort,
    SearchText,
    Week,
)
from paperboy.api.responses import INVALID, AtomResponse
from paperboy.api.schema import paper_path, xml_safe
from paperboy.core.lists import daily_list
from paperboy.core.search import SearchParams, search_list
from paperboy.core.trending import trending_list
from paperboy.models.paper import Paper

router = APIRouter()
ATOM = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50

MAX_FEED_AUTHORS = 20  # big collaborations list thousands; the page has them all


def _moment(day: date | None) -> datetime:
    return datetime.combine(day or date(1970, 1, 1), time(), tzinfo=UTC)


def atom_feed(
    *,
    title: str,
    subtitle: str,
    feed_url: str,
    page_url: str,
    base_url: str,
    papers: Iterable[Paper],
    reasons: dict[str, str] | None = None,
) -> bytes:
    """The feed as UTF-8 Atom XML; ``base_url`` makes every entry link absolute."""
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(xml_safe(title))
    fg.subtitle(xml_safe(subtitle) or "Paperboy")
    fg.link(href=feed_url, rel="self", type="application/atom+xml")
    fg.link(href=page_url, rel="alternate", type="text/html")
    fg.generator("Paperboy")
    fg.language("en")
    newest: datetime | None = None
    papers = list(papers)
    # feedgen prepends entries, so add them oldest first to keep the list order.
    for paper in reversed(papers):
        fe = fg.add_entry()
        url = base_url.rstrip("/") + paper_path(paper.id)
        fe.id(url)
        fe.title(xml_safe(paper.title))
        # One link only: feedgen 1.0 drops rel= on entry links, so a second (PDF) link
        # would read as another alternate and readers could open the PDF instead.
        fe.link(href=url, rel="alternate")
        authors = paper.authors[:MAX_FEED_AUTHORS] or ["Unknown"]
        for name in authors:
            fe.author(name=xml_safe(name) or "Unknown")
        summary = xml_safe(paper.abstract)
        reason = (reasons or {}).get(paper.id)
        if reason:
            summary = f"{reason}\n\n{summary}"
        fe.summary(summary or "(no abstract)", type="text")
        for cat in paper.categories[:10]:
            fe.category(term=xml_safe(cat))
        published = _moment(paper.published or paper.listing_date)
        updated = _moment(paper.updated or paper.listing_date or paper.published)
        fe.published(published)
        fe.updated(max(updated, published))
        newest = max(newest or updated, updated)
    fg.updated(newest or _moment(None))
    return fg.atom_str(pretty=False)


def _atom(body: bytes) -> Rendered:
    return Rendered(body, ATOM)


@router.get(
    "/feeds/daily.atom",
    tags=["Feeds"],
    summary="The daily list as Atom",
    response_class=AtomResponse,
    responses=INVALID,
    openapi_extra=PERIOD_DOC,
)
async def daily_feed(
    request: Request, date: Day = None, week: Week = None, month: Month = None
) -> Response:
    svc = services(request)
    base = base_url(request)
    period = {"date": date, "week": week, "month": month}
    feed_url = absolute_url(request, "/feeds/daily.atom", period)

    def render() -> Rendered:
        found = daily_list(svc.store, day=date, week=week, month=month, limit=FEED_SIZE)
        label = found.period.label if found.period else "no papers yet"
        page = found.period.path if found.period else "/"
        return _atom(
            atom_feed(
                title=f"Paperboy daily papers: {label}",
                subtitle=f"{found.total} papers listed",
                feed_url=feed_url,
                page_url=base + page,
                base_url=base,
                papers=found.papers,
            )
        )

    return await svc.cache.respond(request, render, params=(date, week, month))


@router.get(
    "/feeds/trending.atom",
    tags=["Feeds"],
    summary="Trending papers as Atom",
    response_class=AtomResponse,
)
async def trending_feed(request: Request) -> Response:
    svc = services(request)
    base = base_url(request)

    def render() -> Rendered:
        found = trending_list(svc.store, limit=FEED_SIZE)
        return _atom(
            atom_feed(
                title="Paperboy trending papers",
                subtitle=found.note or "",
                feed_url=absolute_url(request, "/feeds/trending.atom"),
                page_url=base + "/trending",
                base_url=base,
                papers=found.papers,
                reasons=found.reasons,
            )
        )

    return await svc.cache.respond(request, render, params=(svc.store.trending.version(),))


@router.get(
    "/feeds/search.atom",
    tags=["Feeds"],
    summary="Any search as Atom",
    response_class=AtomResponse,
    responses=INVALID,
)
async def search_feed(
    request: Request,
    q: SearchText,
    sort: SearchSort = "date",
    category: Category = None,
    author: Author = None,
) -> Response:
    svc = services(request)
    base = base_url(request)
    params = SearchParams(q, sort, category, author, limit=FEED_SIZE)
    query = {"q": q, "sort": sort, "category": category, "author": author}

    def render() -> Rendered:
        found = search_list(svc.searcher, params)
        feed = _atom(
            atom_feed(
                title=f"Paperboy search: {q.strip()}",
                subtitle=f"{found.total} matching papers",
                feed_url=absolute_url(request, "/feeds/search.atom", query),
                page_url=absolute_url(request, "/search", query),
                base_url=base,
                papers=[r.paper for r in found.results],
            )
        )
        return uncacheable(feed, found.degraded)

    return await svc.cache.respond(request, render, params=(q, sort, category, author))
