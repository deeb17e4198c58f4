"""Digest preferences from form fields (the web forms and the CLI share it), and back.

Field names are the form's: ``cadence``, ``weekday``, ``timezone``, ``send_hour``,
``trending_count``, ``categories`` (commas or spaces, or repeated), ``searches`` and
``authors`` (one per line, or repeated), ``more_like_mine`` (a checkbox). Every problem is
an InvalidParameter naming the field, so a form can show it next to what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from paperboy.core.errors import InvalidParameter
from paperboy.models.subscription import CADENCES, Preferences
from paperboy.search.query import CATEGORY, QueryError, parse_query

FIELDS = (
    "cadence",
    "weekday",
    "timezone",
    "send_hour",
    "trending_count",
    "categories",
    "searches",
    "authors",
    "more_like_mine",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TRUE = {"1", "on", "true", "yes"}
_FALSE = {"", "0", "off", "false", "no"}

Fields = Mapping[str, str | Sequence[str]]


def _values(fields: Fields, name: str) -> list[str]:
    value = fields.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


def _last(fields: Fields, name: str) -> str:
    found = _values(fields, name)
    return found[-1].strip() if found else ""


def _int(fields: Fields, name: str, what: str, low: int, high: int) -> int:
    text = _last(fields, name)
    try:
        value = int(text)
    except ValueError:
        got = text[:20]
        raise InvalidParameter(f"{name}: {what} must be a whole number, got {got!r}") from None
    if not low <= value <= high:
        raise InvalidParameter(f"{name}: {what} must be {low} to {high}, got {value}")
    return value


def _weekday(fields: Fields) -> int:
    text = _last(fields, "weekday")
    for i, day in enumerate(WEEKDAYS):  # "Tuesday", "tue" or 1
        if len(text) >= 3 and day.lower().startswith(text.lower()):
            return i
    return _int(fields, "weekday", "the weekday (0 = Monday … 6 = Sunday)", 0, 6)


def _send_hour(fields: Fields) -> int:
    text = _last(fields, "send_hour")
    if re.fullmatch(r"\d{1,2}:00", text):  # what <input type=time> would send
        text = text.split(":", 1)[0]
    return _int({"send_hour": text}, "send_hour", "the send hour", 0, 23)


def _bool(fields: Fields, name: str) -> bool:
    text = _last(fields, name).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidParameter(f"{name}: expected on or off, got {text[:20]!r}")


def _categories(fields: Fields) -> tuple[str, ...]:
    found: list[str] = []
    for value in _values(fields, "categories"):
        found += [c for c in re.split(r"[\s,]+", value) if c]
    for cat in found:
        if not CATEGORY.match(cat):
            raise InvalidParameter(
                f"categories: expected names such as cs.CL or hep-th, got {cat[:40]!r}"
            )
    return tuple(found)


def _lines(fields: Fields, name: str) -> tuple[str, ...]:
    found: list[str] = []
    for value in _values(fields, name):
        found += [line.strip() for line in value.splitlines() if line.strip()]
    return tuple(found)


def _searches(fields: Fields) -> tuple[str, ...]:
    found = _lines(fields, "searches")
    for n, text in enumerate(found, 1):
        try:
            parse_query(text)  # the search box's syntax: a bad filter is named now, not later
        except QueryError as exc:
            raise InvalidParameter(f"searches: line {n} ({text[:40]!r}): {exc}") from None
    return found


_PARSERS: dict[str, Any] = {
    "cadence": lambda f: _last(f, "cadence").lower(),
    "weekday": _weekday,
    "timezone": lambda f: _last(f, "timezone"),
    "send_hour": _send_hour,
    "trending_count": lambda f: _int(f, "trending_count", "the number of trending papers", 0, 50),
    "categories": _categories,
    "searches": _searches,
    "authors": lambda f: _lines(f, "authors"),
    "more_like_mine": lambda f: _bool(f, "more_like_mine"),
}


def parse_preferences(fields: Fields, base: Preferences | None = None) -> Preferences:
    """Preferences from form fields, checked.

    Without ``base`` the fields are a whole form: a missing one takes its default, and a
    missing checkbox means off (browsers send nothing for it). With ``base`` only the fields
    present change it (the CLI's ``--weekly``)."""
    start = base or Preferences()
    changes: dict[str, Any] = {}
    for name in FIELDS:
        if name in fields:
            changes[name] = _PARSERS[name](fields)
        elif base is None and name == "more_like_mine":
            changes[name] = False
    if "cadence" in changes and changes["cadence"] not in CADENCES:
        raise InvalidParameter(
            f"cadence: must be {' or '.join(CADENCES)}, got {changes['cadence'][:20]!r}"
        )
    try:
        return replace(start, **changes).checked()
    except ValueError as exc:
        field = _field_of(str(exc))
        raise InvalidParameter(f"{field}: {exc}" if field else str(exc)) from None


def _field_of(message: str) -> str:
    """The form field a ``Preferences.checked`` message is about."""
    for needle, name in (
        ("time zone", "timezone"),
        ("categories", "categories"),
        ("saved searches", "searches"),
        ("followed authors", "authors"),
    ):
        if needle in message:
            return name
    return ""


def preference_fields(prefs: Preferences) -> dict[str, str]:
    """The form's values for ``prefs`` (what the form shows before anything is typed), as
    the browser would post them back."""
    return {
        "cadence": prefs.cadence,
        "weekday": str(prefs.weekday),
        "timezone": prefs.timezone,
        "send_hour": str(prefs.send_hour),
        "trending_count": str(prefs.trending_count),
        "categories": " ".join(prefs.categories),
        "searches": "\n".join(prefs.searches),
        "authors": "\n".join(prefs.authors),
        "more_like_mine": "1" if prefs.more_like_mine else "",
    }


def typed_fields(fields: Fields) -> dict[str, Any]:
    """The form's values as they were typed, to show again next to an error (nothing the
    person typed is lost)."""
    shown = preference_fields(Preferences())
    for name in FIELDS:
        if name == "more_like_mine":
            shown[name] = "1" if _last(fields, name).lower() in _TRUE else ""
        elif name in ("categories", "searches", "authors"):
            joiner = " " if name == "categories" else "\n"
            shown[name] = joiner.join(v.strip() for v in _values(fields, name))[:20000]
        elif name in fields:
            shown[name] = _last(fields, name)[:200]
    return shown
