"""Dates, ISO weeks and months as users type them, and the period a list covers.

Parsed here once, so the HTML page, ``/api/daily_papers`` and the feed reject a bad date with
the same message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from paperboy.core.errors import InvalidParameter
from paperboy.store import Store

MAX_LIMIT = 100  # papers per page, everywhere
MAX_OFFSET = 10_000  # deeper pages cost a long OFFSET scan; nobody reads that far

YEARS = (1900, 2100)  # dates outside are typos or probes (and 9999 overflows date arithmetic)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _check_year(name: str, day: date) -> date:
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise InvalidParameter(f"{name}: the year must be between {YEARS[0]} and {YEARS[1]}")
    return day


def parse_day(text: str, name: str = "date") -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(f"{name}: expected YYYY-MM-DD, got {text[:40]!r}") from None
    return _check_year(name, day)


def parse_week(text: str) -> tuple[date, date]:
    m = _WEEK.match(text)
    try:
        if not m:
            raise ValueError
        start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InvalidParameter(f"week: expected YYYY-Www (2026-W26), got {text[:40]!r}") from None
    _check_year("week", start)
    return start, start + timedelta(days=6)


def parse_month(text: str) -> tuple[date, date]:
    m = _MONTH.match(text)
    try:
        if not m:
            raise ValueError
        start = date(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InvalidParameter(f"month: expected YYYY-MM, got {text[:40]!r}") from None
    _check_year("month", start)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def page_window(
    page: int, limit: int, max_offset: int = MAX_OFFSET, narrow: str = "the period"
) -> tuple[int, int]:
    """(limit, offset) for a zero-based page; limit capped, bad values refused."""
    if limit < 1:
        raise InvalidParameter("limit: must be at least 1")
    if page < 0:
        raise InvalidParameter("p: must be 0 or more")
    limit = min(limit, MAX_LIMIT)
    if page * limit > max_offset:
        raise InvalidParameter(f"p: pages end after {max_offset} papers; narrow {narrow} instead")
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
        raise InvalidParameter("date, week and month: give at most one")
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
