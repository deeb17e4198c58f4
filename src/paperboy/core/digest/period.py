"""When a subscriber's digest is due, the period it belongs to, and the papers' window.

A period is the delivery key with the subscriber: the local date ("2026-11-27") for daily
digests (weekdays, when arXiv announces) and the ISO week ("2026-W48") for weekly ones. A
digest is due from the local send hour to the end of that local day, so a run that missed
the hour (a down server, a late cron) still sends later the same day, and once.

The window is a half-open range of listing days, as UTC midnights: from where the previous
sent digest's window ended (the first digest: the newest listing day, or the last 7 for
weekly) up to and including the newest listing day announced by ``at``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from paperboy.models.subscription import DAILY, Preferences

FIRST_DAYS = {DAILY: 1, "weekly": 7}  # listing days the first digest covers
MAX_DAYS = {DAILY: 14, "weekly": 28}  # a digest after a long pause covers at most this


def local_moment(prefs: Preferences, at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("at: give a moment with a time zone (UTC if unsure)")
    return at.astimezone(ZoneInfo(prefs.timezone))


def period_key(prefs: Preferences, at: datetime) -> str:
    """The period ``at`` falls in, in the subscriber's time zone (due or not)."""
    local = local_moment(prefs, at)
    if prefs.cadence == DAILY:
        return local.date().isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def due_period(prefs: Preferences, at: datetime) -> str | None:
    """The period whose digest is due at ``at``, or None when nothing is due then."""
    local = local_moment(prefs, at)
    if local.hour < prefs.send_hour:
        return None
    if prefs.cadence == DAILY and local.weekday() >= 5:
        return None
    if prefs.cadence != DAILY and local.weekday() != prefs.weekday:
        return None
    return period_key(prefs, at)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def window(
    prefs: Preferences, at: datetime, newest_day: date | None, previous_until: datetime | None
) -> tuple[datetime, datetime]:
    """[since, until) for the next digest: listing days after the previous one's window,
    none announced after ``at``. Equal ends: nothing new to send."""
    last = at.astimezone(UTC).date()
    if newest_day is not None:
        last = min(last, newest_day)
    until = midnight(last + timedelta(days=1))
    floor = until - timedelta(days=MAX_DAYS.get(prefs.cadence, 14))
    if previous_until is None:
        since = until - timedelta(days=FIRST_DAYS.get(prefs.cadence, 1))
    else:
        since = max(previous_until.astimezone(UTC), floor)
    return min(since, until), until
