"""When digests are due, their period keys and their paper windows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperboy.core.digest.period import due_period, period_key, window
from paperboy.models.subscription import WEEKLY, Preferences

BERLIN = Preferences(timezone="Europe/Berlin", send_hour=7)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_daily_is_due_from_the_local_send_hour_on_weekdays_only() -> None:
    # Friday 2026-11-27: 06:00 UTC is 07:00 in Berlin
    assert due_period(BERLIN, at("2026-11-27T05:59:59+00:00")) is None
    assert due_period(BERLIN, at("2026-11-27T06:00:00+00:00")) == "2026-11-27"
    assert due_period(BERLIN, at("2026-11-27T22:59:00+00:00")) == "2026-11-27"  # missed hour
    assert due_period(BERLIN, at("2026-11-27T23:00:00+00:00")) is None  # Saturday in Berlin
    assert due_period(BERLIN, at("2026-11-30T06:30:00+00:00")) == "2026-11-30"  # Monday


def test_local_date_decides_the_period_across_the_date_line() -> None:
    tokyo = Preferences(timezone="Asia/Tokyo", send_hour=8)
    # 2026-11-26 23:30 UTC is Friday 08:30 in Tokyo
    assert due_period(tokyo, at("2026-11-26T23:30:00+00:00")) == "2026-11-27"


def test_weekly_is_due_on_its_weekday_with_an_iso_week_key() -> None:
    weekly = Preferences(cadence=WEEKLY, weekday=4, timezone="UTC", send_hour=9)
    assert due_period(weekly, at("2026-11-27T09:00:00+00:00")) == "2026-W48"
    assert due_period(weekly, at("2026-11-26T09:00:00+00:00")) is None
    assert period_key(weekly, at("2027-01-01T00:00:00+00:00")) == "2026-W53"


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        due_period(BERLIN, datetime(2026, 11, 27, 8))


def test_windows_start_where_the_last_one_ended() -> None:
    now = at("2026-11-27T12:00:00+00:00")
    first = window(BERLIN, now, date(2026, 11, 27), None)
    assert first == (datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))
    weekly = window(Preferences(cadence=WEEKLY), now, date(2026, 11, 26), None)
    assert weekly == (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC))
    later = window(BERLIN, now, date(2026, 11, 27), datetime(2026, 11, 25, tzinfo=UTC))
    assert later[0] == datetime(2026, 11, 25, tzinfo=UTC)
    nothing_new = window(BERLIN, now, date(2026, 11, 27), datetime(2026, 11, 28, tzinfo=UTC))
    assert nothing_new[0] == nothing_new[1]
    # listing days after ``at`` are not announced yet
    early = window(BERLIN, now, date(2026, 12, 3), None)
    assert early[1] == datetime(2026, 11, 28, tzinfo=UTC)
