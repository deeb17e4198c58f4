"""One query function per list; the page, its JSON twin and its Atom feed all call it.

Parameters are parsed here too, so the HTML page, ``/api/daily_papers`` and the feed reject
a bad date with the same message (``ParamError`` → 422).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from fastapi import HTTPException

from paperboy.models.paper import Paper
from paperboy.models.query import Filters
from paperboy.search.query import QueryError, check_filters, clean_query
from paperboy.search.types import SORTS, SearchRequest, SearchResponse
from paperboy.store import Store

MAX_LIMIT = 100  # papers per page, everywhere
MAX_OFFSET = 10_000  # deeper pages cost a long OFFSET scan; nobody reads that far
# A search ranks (and for date or trending, loads) every result up to the page it shows.
SEARCH_MAX_OFFSET = 1_000
TRENDING_WINDOWS = (7, 30, 365)  # days; the first window that has votes wins
DAILY_SORTS = ("publishedAt", "trending")

YEARS = (1900, 2100)  # dates outside are typos or probes (and 9999 overflows date arithmetic)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ParamError(ValueError):
    """A request parameter that cannot be used; the message names it (HTTP 422)."""


def _check_year(name: str, day: date) -> date:
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ParamError(f"{name}: the year must be between {YEARS[0]} and {YEARS[1]}")
    return day


def parse_day(text: str, name: str = "date") -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ParamError(f"{name}: expected YYYY-MM-DD, got {text[:40]!r}") from None
    return _check_year(name, day)


def parse_week(text: str) -> tuple[date, date]:
    m = _WEEK.match(text)
    try:
        if not m:
            raise ValueError
        start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ParamError(f"week: expected YYYY-Www (2026-W26), got {text[:40]!r}") from None
    _check_year("week", start)
    return start, start + timedelta(days=6)


def parse_month(text: str) -> tuple[date, date]:
    m = _MONTH.match(text)
    try:
        if not m:
            raise ValueError
        start = date(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ParamError(f"month: expected YYYY-MM, got {text[:40]!r}") from None
    _check_year("month", start)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def page_window(
    page: int, limit: int, max_offset: int = MAX_OFFSET, narrow: str = "the period"
) -> tuple[int, int]:
    """(limit, offset) for a zero-based page; limit capped, bad values refused."""
    if limit < 1:
        raise ParamError("limit: must be at least 1")
    if page < 0:
        raise ParamError("p: must be 0 or more")
    limit = min(limit, MAX_LIMIT)
    if page * limit > max_offset:
        raise ParamError(f"p: pages end after {max_offset} papers; narrow {narrow} instead")
    return limit, page * limit


@dataclass
class Period:
    kind: str  # day | week | month
    start: date
    end: date
    label: str  # 2026-07-01, 2026-W26, 2026-06
    prev: str | None = None  # label of the previous period that has papers
    next: str | None = None

    @property
    def path(self) -> str:
        """The page showing this period."""
        return f"/?date={self.label}" if self.kind == "day" else f"/{self.kind}/{self.label}"

    def path_of(self, label: str | None) -> str | None:
        """The page of a neighbouring period of the same kind."""
        if label is None:
            return None
        return f"/?date={label}" if self.kind == "day" else f"/{self.kind}/{label}"


@dataclass
class PaperList:
    papers: list[Paper]
    total: int
    limit: int
    offset: int
    period: Period | None = None
    reasons: dict[str, str] = field(default_factory=dict)  # why each paper is on the list
    note: str | None = None

    @property
    def page(self) -> int:
        return self.offset // self.limit

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.papers) < self.total


def _label(kind: str, day: date) -> str:
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def resolve_period(
    store: Store, *, day: str | None = None, week: str | None = None, month: str | None = None
) -> Period | None:
    """The period asked for (at most one of day, week, month), or the newest listing day.

    None when the store has no listed papers at all. Previous and next point at the
    neighbouring periods that have papers, so the arrows never lead to an empty page.
    """
    if sum(x is not None for x in (day, week, month)) > 1:
        raise ParamError("date, week and month: give at most one")
    days = store.papers.listing_dates()  # newest first
    if week is not None:
        kind, (start, end) = "week", parse_week(week)
    elif month is not None:
        kind, (start, end) = "month", parse_month(month)
    elif day is not None:
        kind = "day"
        start = end = parse_day(day)
    elif days:
        kind, start, end = "day", days[0], days[0]
    else:
        return None
    older = next((d for d in days if d < start), None)
    newer = next((d for d in reversed(days) if d > end), None)
    return Period(
        kind=kind,
        start=start,
        end=end,
        label=_label(kind, start),
        prev=_label(kind, older) if older else None,
        next=_label(kind, newer) if newer else None,
    )


def daily_list(
    store: Store,
    *,
    day: str | None = None,
    week: str | None = None,
    month: str | None = None,
    sort: str = "publishedAt",
    submitter: str | None = None,
    page: int = 0,
    limit: int = 50,
) -> PaperList:
    """Papers listed on a day, week or month (default: the newest listing day).

    ``sort`` is ``publishedAt`` (listing order) or ``trending`` (imported upvotes). Nobody
    submits papers here yet, so a ``submitter`` filter matches nothing, as it would on
    Hugging Face for a user who never submitted.
    """
    if sort not in DAILY_SORTS:
        raise ParamError(f"sort: expected one of {', '.join(DAILY_SORTS)}, got {sort[:40]!r}")
    limit, offset = page_window(page, limit)
    period = resolve_period(store, day=day, week=week, month=month)
    if period is None or submitter:
        return PaperList([], 0, limit, offset, period)
    order = "upvotes" if sort == "trending" else "listing"
    papers = store.papers.list_listed(
        period.start, period.end, order=order, limit=limit, offset=offset
    )
    return PaperList(
        papers, store.papers.count_listed(period.start, period.end), limit, offset, period
    )


def trending_list(store: Store, *, page: int = 0, limit: int = 30) -> PaperList:
    """Papers of the last days ranked by imported upvotes, each with the reason it ranks.

    The window ends at the newest listing day (not today, so an archive that stopped
    importing still has a trending page) and widens from a week to a month to a year
    until it holds voted papers. Ties break on the newer listing day.
    """
    limit, offset = page_window(page, limit)
    days = store.papers.listing_dates()
    if not days:
        return PaperList([], 0, limit, offset)
    newest = days[0]
    window = TRENDING_WINDOWS[-1]
    for days_back in TRENDING_WINDOWS:  # chosen independently of the page, so paging is stable
        top = store.papers.list_listed(*_last_days(newest, days_back), order="upvotes", limit=1)
        if top and top[0].upvotes:
            window = days_back
            break
    rows = store.papers.list_listed(
        *_last_days(newest, window), order="upvotes", limit=limit + 1, offset=offset
    )
    voted = [p for p in rows if p.upvotes]
    more = len(voted) > limit
    voted = voted[:limit]
    note = f"Most upvoted papers listed in the {window} days up to {newest.isoformat()}."
    if not voted and offset == 0:
        note = f"No paper listed in the {window} days up to {newest.isoformat()} has upvotes yet."
    reasons = {p.id: _trending_reason(p, newest) for p in voted}
    total = offset + len(voted) + (1 if more else 0)
    return PaperList(voted, total, limit, offset, note=note, reasons=reasons)


def _last_days(newest: date, days: int) -> tuple[date, date]:
    return newest - timedelta(days=days - 1), newest


def _trending_reason(paper: Paper, newest: date) -> str:
    source = " and ".join(paper.upvote_sources) or "imported"
    age = (newest - paper.listing_date).days if paper.listing_date else None
    when = "" if age is None else (" · listed today" if age == 0 else f" · listed {age} d ago")
    return f"{paper.upvotes} upvotes ({source}){when}"


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
        """Validate and build the Searcher's request; raise ParamError naming the field."""
        q = clean_query(self.q).strip()
        if not q:
            raise ParamError("q: give something to search for")
        if len(q) > 500:
            raise ParamError("q: at most 500 characters")
        if self.sort not in SORTS:
            raise ParamError(f"sort: expected one of {', '.join(SORTS)}, got {self.sort[:40]!r}")
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
            raise ParamError(str(exc)) from None
        return SearchRequest(
            q=q,
            filters=filters,
            sort=self.sort,
            limit=limit,
            offset=offset,
            facets=facets,
            facet=self.facet or None,
        )


def search_list(searcher, params: SearchParams, *, facets: bool = False) -> SearchResponse:
    """Search through the one Searcher; a query it cannot run is a ParamError."""
    request = params.request(facets=facets)
    try:
        return searcher.search(request)
    except ValueError as exc:
        raise ParamError(f"q: {exc}") from None


def paper_or_404(store: Store, raw_id: str) -> Paper:
    """``Store.find_paper`` for routes: an unknown id is a 404 naming it."""
    paper = store.papers.find_paper(raw_id)
    if paper is None:
        raise HTTPException(404, f"no paper {raw_id[:100]!r}")
    return paper
