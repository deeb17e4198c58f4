"""arXiv's announcement schedule, case by case (times in US Eastern unless they say UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from paperboy.models.announce import (
    cutoff_day,
    listing_day,
    listing_day_after_datestamp,
    listing_day_for_date,
)

ET = ZoneInfo("America/New_York")


def et(y: int, m: int, d: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=ET)


# 2024-03-04 is a Monday.
@pytest.mark.parametrize(
    ("submitted", "cutoff", "listed"),
    [
        (et(2024, 3, 4, 13, 59, 59), date(2024, 3, 4), date(2024, 3, 5)),  # Mon before → Tue
        (et(2024, 3, 4, 14), date(2024, 3, 5), date(2024, 3, 6)),  # Mon at 14:00 → Wed
        (et(2024, 3, 5, 9), date(2024, 3, 5), date(2024, 3, 6)),  # Tue → Wed
        (et(2024, 3, 5, 15), date(2024, 3, 6), date(2024, 3, 7)),  # Tue after → Thu
        (et(2024, 3, 6, 13, 59), date(2024, 3, 6), date(2024, 3, 7)),  # Wed → Thu
        (et(2024, 3, 6, 14, 1), date(2024, 3, 7), date(2024, 3, 8)),  # Wed after → Fri
        (et(2024, 3, 7, 13), date(2024, 3, 7), date(2024, 3, 8)),  # Thu → Fri
        (et(2024, 3, 7, 14), date(2024, 3, 8), date(2024, 3, 11)),  # Thu after → Mon
        (et(2024, 3, 8, 13, 59), date(2024, 3, 8), date(2024, 3, 11)),  # Fri before → Mon
        (et(2024, 3, 8, 14), date(2024, 3, 11), date(2024, 3, 12)),  # Fri after → Tue
        (et(2024, 3, 9, 3), date(2024, 3, 11), date(2024, 3, 12)),  # Sat → Tue
        (et(2024, 3, 9, 23), date(2024, 3, 11), date(2024, 3, 12)),  # Sat late → Tue
        (et(2024, 3, 10, 12), date(2024, 3, 11), date(2024, 3, 12)),  # Sun (DST starts) → Tue
        (et(2024, 3, 10, 18), date(2024, 3, 11), date(2024, 3, 12)),  # Sun evening → Tue
    ],
)
def test_each_weekday_around_the_deadline(submitted: datetime, cutoff: date, listed: date) -> None:
    assert cutoff_day(submitted) == cutoff
    assert listing_day(submitted) == listed
    assert listing_day(submitted.astimezone(UTC)) == listed  # the same moment in UTC


@pytest.mark.parametrize(
    ("utc", "listed"),
    [
        # Winter (EST, UTC-5): the deadline is 19:00 UTC.
        (datetime(2024, 3, 8, 18, 59, tzinfo=UTC), date(2024, 3, 11)),
        (datetime(2024, 3, 8, 19, 0, tzinfo=UTC), date(2024, 3, 12)),
        # Summer (EDT, UTC-4), after DST began on 2024-03-10: the deadline is 18:00 UTC.
        (datetime(2024, 3, 11, 17, 59, tzinfo=UTC), date(2024, 3, 12)),
        (datetime(2024, 3, 11, 18, 0, tzinfo=UTC), date(2024, 3, 13)),
        # DST ends on Sunday 2024-11-03; Friday before it is still EDT, Monday after is EST.
        (datetime(2024, 11, 1, 17, 59, tzinfo=UTC), date(2024, 11, 4)),
        (datetime(2024, 11, 1, 18, 0, tzinfo=UTC), date(2024, 11, 5)),
        (datetime(2024, 11, 4, 18, 30, tzinfo=UTC), date(2024, 11, 5)),  # 13:30 EST
        (datetime(2024, 11, 4, 19, 0, tzinfo=UTC), date(2024, 11, 6)),  # 14:00 EST
        # Tuesday 01:00 UTC is Monday 20:00 in New York; 20:00 UTC Monday is 15:00 EST.
        (datetime(2024, 3, 5, 1, 0, tzinfo=UTC), date(2024, 3, 6)),
        (datetime(2024, 3, 4, 18, 0, tzinfo=UTC), date(2024, 3, 5)),
    ],
)
def test_utc_moments_across_daylight_saving(utc: datetime, listed: date) -> None:
    assert listing_day(utc) == listed


def test_naive_times_are_utc() -> None:
    assert listing_day(datetime(2024, 3, 8, 19, 0)) == date(2024, 3, 12)


@pytest.mark.parametrize(
    ("created", "listed"),
    [
        (date(2024, 3, 4), date(2024, 3, 5)),  # Mon noon → Tue
        (date(2024, 3, 8), date(2024, 3, 11)),  # Fri noon → Mon
        (date(2024, 3, 9), date(2024, 3, 12)),  # Sat → Tue
        (date(2024, 3, 10), date(2024, 3, 12)),  # Sun → Tue
    ],
)
def test_a_date_alone_counts_as_noon(created: date, listed: date) -> None:
    assert listing_day_for_date(created) == listed


@pytest.mark.parametrize(
    ("stamp", "listed"),
    [
        (date(2024, 3, 3), date(2024, 3, 4)),  # Sun evening → Mon
        (date(2024, 3, 4), date(2024, 3, 5)),
        (date(2024, 3, 7), date(2024, 3, 8)),  # Thu evening → Fri
        (date(2024, 3, 8), date(2024, 3, 11)),  # no Friday announcement: next is Mon
        (date(2024, 3, 9), date(2024, 3, 11)),
    ],
)
def test_datestamp_is_the_announcement_evening(stamp: date, listed: date) -> None:
    assert listing_day_after_datestamp(stamp) == listed


def test_listing_days_are_weekdays_and_tuesday_holds_the_weekend() -> None:
    """Submissions spread over a fortnight, one an hour: listings fall Mon-Fri only, and
    Tuesday's (Fri 14:00 to Mon 14:00) is the biggest, as in arXiv's own listings."""
    from collections import Counter
    from datetime import timedelta

    start = datetime(2024, 3, 4, tzinfo=UTC)
    days = Counter(listing_day(start + timedelta(hours=h)).weekday() for h in range(24 * 14))
    assert set(days) == {0, 1, 2, 3, 4}
    assert max(days, key=days.__getitem__) == 1
