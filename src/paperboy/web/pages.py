"""HTML pages: daily (day, week, month), trending, search and one paper.

Handlers parse, call the same query function as the JSON and Atom twins
(``paperboy.core``), and render a template; the rendered HTML is cached like the API.
Search, facets and related papers come from the one ``Searcher`` only, except that a paper
page reads the related list stored when vectors were made and never searches: without one,
it links to ``/papers/{id}/related`` (which ``app.js`` loads in place), so the page costs a
few lookups at any size.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from jinja2 import Environment
from starlette.responses import Response

from paperboy.api.bibtex import to_bibtex
from paperboy.api.cache import Rendered, uncacheable
from paperboy.api.deps import services
from paperboy.api.holes import Holes
from paperboy.core.discussion import thread
from paperboy.core.papers import find_paper_or_raise
from paperboy.core.picks import daily_view
from paperboy.core.search import SearchParams, search_list
from paperboy.core.trending import trending_list
from paperboy.models.paper import Paper
from paperboy.search.related import stored_related
from paperboy.search.types import SORTS
from paperboy.web.render import has_math, with_params
from paperboy.web.session import csrf_token, visitor

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
SEARCH_PAGE = 20
RELATED = 6
PICKS_FRESH = 30  # seconds a cached picks ranking may lag votes (counts on cards do not)


def html(
    env: Environment, template: str, holes: Holes | None = None, **context: object
) -> Rendered:
    """A page; ``holes`` (vote and save counts, forms' state) are filled when it is served."""
    body = env.get_template(template).render(holes=holes, **context)
    return Rendered(body.encode(), "text/html; charset=utf-8", counts=holes.ids if holes else ())


def _env(request: Request) -> Environment:
    return request.app.state.jinja


async def _daily(
    request: Request, *, day: str | None = None, week: str | None = None,
    month: str | None = None, p: int = 0, view: str | None = None,
) -> Response:  # fmt: skip
    svc = services(request)
    env = _env(request)

    def render() -> Rendered:
        shown = daily_view(
            svc.store, day=day, week=week, month=month, view=view, page=p, limit=PAGE_SIZE
        )
        found, period = shown.found, shown.found.period
        feed = "/feeds/daily.atom"
        if period and (day or week or month):
            feed += "?" + {"day": "date"}.get(period.kind, period.kind) + "=" + period.label
        return html(
            env, "daily.html", svc.cache.holes(), found=found, period=period, feed_url=feed,
            shown=shown, params={"date": day, "p": p, "view": view}, nav="daily",
        )  # fmt: skip

    # Submissions and comments show on the cards; the picks ranking follows votes within
    # PICKS_FRESH seconds, so a stream of votes does not empty the cache of every daily page.
    store = svc.store
    community = (store.submissions.version(), store.comments.version())
    fresh = int(time.time() // PICKS_FRESH) if view != "all" else 0
    return await svc.cache.respond(
        request, render, params=(day, week, month, p, view, community, fresh)
    )


@router.get("/")
async def home(
    request: Request, date: str | None = None, p: Annotated[int, Query(ge=0)] = 0,
    view: str | None = None,
) -> Response:  # fmt: skip
    return await _daily(request, day=date, p=p, view=view)


@router.get("/week/{week}")
async def week_page(
    request: Request, week: str, p: Annotated[int, Query(ge=0)] = 0, view: str | None = None
) -> Response:
    return await _daily(request, week=week, p=p, view=view)


@router.get("/month/{month}")
async def month_page(
    request: Request, month: str, p: Annotated[int, Query(ge=0)] = 0, view: str | None = None
) -> Response:
    return await _daily(request, month=month, p=p, view=view)


@router.get("/trending")
async def trending_page(request: Request, p: Annotated[int, Query(ge=0)] = 0) -> Response:
    svc = services(request)
    env = _env(request)

    def render() -> Rendered:
        found = trending_list(svc.store, page=p, limit=PAGE_SIZE)
        comments = svc.store.comments.counts(x.id for x in found.papers)
        return html(
            env, "trending.html", svc.cache.holes(), found=found, feed_url="/feeds/trending.atom",
            params={}, nav="trending", comments=comments,
        )  # fmt: skip

    key = (p, svc.store.trending.version(), svc.store.comments.version())
    return await svc.cache.respond(request, render, params=key)


@router.get("/search")
async def search_page(
    request: Request,
    q: str = "",
    sort: str = "relevance",
    category: str | None = None,
    author: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    facet: str | None = None,
    p: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    svc = services(request)
    env = _env(request)
    form = {
        "q": q, "sort": sort, "category": category, "author": author,
        "from": date_from, "to": date_to,
    }  # fmt: skip
    params = SearchParams(q, sort, category, author, date_from, date_to, facet, p, SEARCH_PAGE)

    def render() -> Rendered:
        response = search_list(svc.searcher, params, facets=True) if q.strip() else None
        shown = [r.paper.id for r in response.results] if response else []
        comments = svc.store.comments.counts(shown)
        feed = "/feeds/search.atom" + with_params({"q": q, "category": category, "author": author})
        page = html(
            env, "search.html", svc.cache.holes(), response=response, form=form, facet=facet,
            page=p,
            page_size=SEARCH_PAGE, sorts=SORTS, feed_url=feed if q.strip() else None,
            params={**form, "facet": facet}, q=q, nav="search", comments=comments,
        )  # fmt: skip
        return uncacheable(page, response is not None and response.degraded)

    ranked = svc.store.trending.version() if sort == "trending" else None
    talk = svc.store.comments.version()
    key = (q, sort, category, author, date_from, date_to, facet, p, ranked, talk)
    return await svc.cache.respond(request, render, params=key)


@router.get("/papers/{paper_id:path}/related")
async def related_page(request: Request, paper_id: str) -> Response:
    """Related papers computed on demand (BM25 without vectors): off the paper page's path."""
    svc = services(request)
    env = _env(request)

    def render() -> Rendered:
        paper = find_paper_or_raise(svc.store, paper_id)
        try:
            related = svc.searcher.related(paper.id, RELATED)
        except Exception:  # related papers are a bonus; the page must still render
            log.exception("related papers failed for %s", paper.id)
            related = []
        return html(
            env, "related.html", svc.cache.holes(), paper=paper, related=related,
            feed_url="/feeds/daily.atom", params={}, nav=None,
        )  # fmt: skip

    return await svc.cache.respond(request, render, params=())


def paper_context(
    request: Request, paper: Paper, *, draft: str = "", error: str | None = None
) -> dict[str, object]:
    """What paper.html needs: the paper, its related list and its discussion as the visitor
    sees it (a comment form with a CSRF token when signed in, else a sign-in link)."""
    svc = services(request)
    viewer = visitor(request).user
    # None (no stored list yet) renders a link that app.js fills in from the route above.
    related = stored_related(svc.store, svc.settings.embed_model, paper.id, RELATED)
    comments = thread(svc.store, paper.id, viewer)
    bodies = [c.comment.body for top in comments for c in (top, *top.replies) if c.html]
    return dict(
        paper=paper, related=related, bibtex=to_bibtex(paper), feed_url="/feeds/daily.atom",
        params={}, nav=None, comments=comments, reader=viewer,
        submitted=svc.store.submissions.submitter(paper.id),
        csrf=csrf_token(request) if viewer else None, draft=draft, comment_error=error,
        math=has_math(paper.title, paper.abstract, *bodies),
    )  # fmt: skip


@router.get("/papers/{paper_id:path}")
async def paper_page(request: Request, paper_id: str) -> Response:
    svc = services(request)
    env = _env(request)

    def render() -> Rendered:
        paper = find_paper_or_raise(svc.store, paper_id)
        return html(env, "paper.html", svc.cache.holes(), **paper_context(request, paper))

    # Comments and submissions move their own counters (not the papers-changed one), so a
    # new comment shows at once without emptying the rest of the cache.
    community = (svc.store.comments.version(), svc.store.submissions.version())
    return await svc.cache.respond(request, render, params=community)
