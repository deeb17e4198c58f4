"""One query function per list; the page, its JSON twin and its Atom feed all call it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from paperboy.core.errors import InvalidParameter
from paperboy.core.periods import Period, page_window, resolve_period
from paperboy.models.paper import Paper
from paperboy.store import Store

TRENDING_WINDOWS = (7, 30, 365)  # days; the first window that has votes wins
DAILY_SORTS = ("publishedAt", "trending")


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
        raise InvalidParameter(f"sort: expected one of {', '.join(DAILY_SORTS)}, got {sort[:40]!r}")
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
