"""Schedules from the settings: crontab meaning (Sunday = 0), time zones, clear errors."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from paperboy.config import load_settings
from paperboy.store import open_store
from paperboy.worker.runner import Worker
from paperboy.worker.schedule import BadSchedule, crontab_weekdays, trigger, triggers

PARIS = ZoneInfo("Europe/Paris")
FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=PARIS)


def next_run(line: str, after: datetime = FRIDAY_NOON) -> datetime | None:
    return trigger(line, PARIS).get_next_fire_time(None, after)


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1-5", "mon-fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sun,sat"),
        ("0-2", "sun,mon-tue"),
        ("0-1", "sun,mon"),
        ("5-7", "fri-sun"),
        ("*/2", "*/2"),
        ("mon-fri", "mon-fri"),
    ],
)
def test_weekday_numbers_mean_what_they_mean_in_a_crontab(field: str, names: str) -> None:
    assert crontab_weekdays(field) == names


def test_next_runs_follow_crontab_in_the_time_zone() -> None:
    assert next_run("30 1 * * 1-5") == datetime(2026, 11, 30, 1, 30, tzinfo=PARIS)  # Monday
    assert next_run("0 9 * * 0") == datetime(2026, 11, 29, 9, 0, tzinfo=PARIS)  # Sunday
    after_noon = FRIDAY_NOON.replace(second=1)
    assert next_run("0 * * * *", after_noon) == datetime(2026, 11, 27, 13, 0, tzinfo=PARIS)
    # 01:30 in Paris is 00:30 UTC in winter: the zone is the worker's, not the machine's
    utc = next_run("30 1 * * 1-5").astimezone(ZoneInfo("UTC"))  # type: ignore[union-attr]
    assert (utc.hour, utc.minute) == (0, 30)


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("PAPERBOY_SCHEDULE_DIGEST", "every hour", "expected five crontab fields"),
        ("PAPERBOY_SCHEDULE_INGEST", "30 1 * *", "expected five crontab fields"),
        ("PAPERBOY_SCHEDULE_EMBED", "0 4 * * ; rm", "expected five crontab fields"),
        ("PAPERBOY_WORKER_TIMEZONE", "Mars/Olympus", "unknown time zone"),
    ],
)
def test_a_malformed_setting_names_its_variable(env: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        load_settings({env: value})
    assert str(caught.value).startswith(f"{env}={value!r}: ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0 25 * * *", "higher than the maximum value"),
        ("61 * * * *", "higher than the maximum value"),
        ("0 8 * * 8", "day of week 8: expected 0-7"),
        ("0 8 * * 0-3/2", "write it as 7-3 or with names"),
        ("0 8 31 2 *", "would never run"),
        ("0 8 * * funday", "funday"),
    ],
)
def test_values_the_scheduler_refuses_name_the_variable(value: str, message: str) -> None:
    with pytest.raises(BadSchedule, match=message) as caught:
        triggers({"digest": ("PAPERBOY_SCHEDULE_DIGEST", value)}, "UTC")
    assert str(caught.value).startswith(f"PAPERBOY_SCHEDULE_DIGEST={value!r}: ")


def test_jobs_that_are_off_are_not_scheduled(tmp_path) -> None:
    settings = load_settings(
        {
            "PAPERBOY_SCHEDULE_INGEST": "off",
            "PAPERBOY_SCHEDULE_HF": "0 */6 * * *",
            "PAPERBOY_WORKER_TIMEZONE": "America/New_York",
        }
    )
    assert load_settings({}).schedule_hf == "off"  # Hugging Face only when configured
    with open_store(str(tmp_path / "w.db")) as store:
        found = Worker(store, settings).triggers()
    assert sorted(found) == ["digest", "embed", "hf", "trending"]
    assert str(found["hf"].timezone) == "America/New_York"
