"""arXiv's announcement schedule: which daily listing a paper lands in.

Sources that give no announcement day (the OAI-PMH formats, the Atom API) still need one,
or the paper never shows in a daily list. arXiv's schedule, in US Eastern time: submissions
close at 14:00 Monday to Friday; what came in before a deadline is announced at 20:00 that
evening (Sunday to Thursday evenings), in the listing dated the next day. So Friday 14:00 to
Monday 14:00 is one batch, listed on Tuesday, the biggest day of the week.

Holidays (arXiv skips a few announcements a year) are ignored: a paper submitted just before
one lands a day or two early. Older papers are placed by today's schedule too, though arXiv's
deadlines have moved over the years; the day is an estimate either way, and a source that
knows the real day (a listing file) replaces it (see ``paper.merge``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEADLINE = time(14, 0)
NOON = time(12, 0)
_SATURDAY = 5


def eastern() -> ZoneInfo:
    """arXiv's clock. Looked up per call (zoneinfo caches it), never at import time."""
    return ZoneInfo("America/New_York")


def next_weekday(day: date) -> date:
    """The first Monday-to-Friday day strictly after ``day``."""
    day += timedelta(days=1)
    while day.weekday() >= _SATURDAY:
        day += timedelta(days=1)
    return day


def cutoff_day(submitted: datetime) -> date:
    """The weekday whose 14:00 ET deadline is the first one at or after ``submitted``.

    A naive ``submitted`` is read as UTC (arXiv's feeds write UTC or GMT).
    """
    if submitted.tzinfo is None:
        submitted = submitted.replace(tzinfo=UTC)
    local = submitted.astimezone(eastern())
    day = local.date()
    if local.time() >= DEADLINE:
        day += timedelta(days=1)
    while day.weekday() >= _SATURDAY:
        day += timedelta(days=1)
    return day


def listing_day(submitted: datetime) -> date:
    """The date of the daily listing that announces a paper whose v1 came in at ``submitted``:
    the weekday after its cutoff day (cutoff Friday → Monday's listing)."""
    return next_weekday(cutoff_day(submitted))


def listing_day_for_date(submitted: date) -> date:
    """``listing_day`` when only the submission date is known: taken as noon Eastern."""
    return listing_day(datetime.combine(submitted, NOON, tzinfo=eastern()))


def listing_day_after_datestamp(datestamp: date) -> date:
    """The listing announced on the evening of ``datestamp``.

    arXiv refreshes its OAI-PMH metadata right after the 20:00 ET announcement, so a new
    paper's datestamp is the (Eastern) day it was announced, and its listing is dated the
    next weekday.
    """
    return next_weekday(datestamp)
