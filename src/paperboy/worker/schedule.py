"""Crontab lines from the settings, turned into APScheduler triggers in the worker's time zone.

APScheduler 3 numbers weekdays from Monday = 0, while crontab (and every cron user) means
Sunday = 0 (7 too); its own docs call this a historical mistake. Numbers in the day-of-week
field are therefore rewritten as names (``1-5`` → ``mon-fri``) before APScheduler sees
them, so ``30 1 * * 1-5`` means what it says in a crontab.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

OFF = "off"
_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NUMBER = re.compile(r"^[0-7]$")


class BadSchedule(ValueError):
    """A schedule setting the worker cannot use; the message names the variable."""


def _day_name(value: str) -> str:
    if value.isdigit() and not _NUMBER.match(value):
        raise ValueError(f"day of week {value}: expected 0-7 (0 and 7 are Sunday) or a name")
    return _NAMES[int(value)] if _NUMBER.match(value) else value


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field with numbers as names (0 and 7 are Sunday)."""
    parts = []
    for part in field.split(","):
        span, slash, step = part.partition("/")
        first, dash, last = span.partition("-")
        if dash:
            if first == "0" and last not in ("0", "7"):  # APScheduler's week ends on Sunday
                if slash:
                    raise ValueError(f"day of week {part!r}: write it as 7-{last} or with names")
                parts += ["sun", f"mon-{_day_name(last)}" if last != "1" else "mon"]
                continue
            span = f"{_day_name(first)}-{_day_name(last)}"
        else:
            span = _day_name(first)
        parts.append(span + slash + step)
    return ",".join(parts)


def trigger(line: str, zone: tzinfo) -> CronTrigger:
    """The trigger for a five-field crontab line; ValueError says which field is wrong."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 crontab fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(weekday),
        timezone=zone,
    )


def time_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def triggers(schedules: dict[str, tuple[str, str]], zone_name: str) -> dict[str, CronTrigger]:
    """Triggers of the jobs that are on, from ``{job: (env variable, crontab line)}``;
    the first bad line raises ``BadSchedule`` naming its variable and value."""
    zone = time_zone(zone_name)
    now = datetime.now(zone)
    out = {}
    for job, (env, line) in schedules.items():
        if line.strip().lower() == OFF:
            continue
        try:
            found = trigger(line, zone)
        except ValueError as exc:
            raise BadSchedule(f"{env}={line!r}: {exc}") from None
        if found.get_next_fire_time(None, now) is None:
            raise BadSchedule(f"{env}={line!r}: no such date, so it would never run")
        out[job] = found
    return out
