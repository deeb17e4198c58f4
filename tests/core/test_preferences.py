"""Digest preferences from form fields: what the web forms and the CLI both read."""

from __future__ import annotations

import pytest

from paperboy.core.errors import InvalidParameter
from paperboy.core.preferences import parse_preferences, preference_fields, typed_fields
from paperboy.models.subscription import MAX_SEARCHES, Preferences


def test_a_whole_form() -> None:
    prefs = parse_preferences(
        {
            "cadence": "Weekly",
            "weekday": "fri",
            "timezone": " America/New_York ",
            "send_hour": "06:00",
            "trending_count": "0",
            "categories": ["cs.CL, cs.LG", "hep-th cs.CL"],
            "searches": 'speech\r\n\r\n"world models" cat:cs.LG after:2025-01-01\n',
            "authors": "  Ada Lovelace \nAda Lovelace\nAlan Turing",
            "more_like_mine": ["0", "on"],
        }
    )
    assert prefs == Preferences(
        cadence="weekly", weekday=4, timezone="America/New_York", send_hour=6, trending_count=0,
        categories=("cs.CL", "cs.LG", "hep-th"),
        searches=("speech", '"world models" cat:cs.LG after:2025-01-01'),
        authors=("Ada Lovelace", "Alan Turing"), more_like_mine=True,
    )  # fmt: skip


def test_an_empty_form_is_the_defaults_and_an_unticked_box_is_off() -> None:
    assert parse_preferences({}) == Preferences()
    base = Preferences(more_like_mine=True, cadence="weekly")
    assert parse_preferences({}, base=base) == base  # the CLI changes only what it names
    assert parse_preferences({"cadence": "daily"}, base=base).more_like_mine
    assert not parse_preferences({"cadence": "weekly"}).more_like_mine


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cadence": "hourly"}, "cadence: must be daily or weekly, got 'hourly'"),
        ({"weekday": "7"}, "weekday: the weekday (0 = Monday … 6 = Sunday) must be 0 to 6"),
        ({"weekday": "funday"}, "weekday: the weekday"),
        ({"send_hour": "25:00"}, "send_hour: the send hour must be 0 to 23, got 25"),
        ({"send_hour": "7.5"}, "send_hour: the send hour must be a whole number, got '7.5'"),
        ({"send_hour": "-1"}, "send_hour: the send hour must be 0 to 23, got -1"),
        ({"trending_count": "51"}, "trending_count: the number of trending papers must be 0 to 50"),
        ({"trending_count": ""}, "trending_count: the number of trending papers must be a whole"),
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'"),
        ({"timezone": "../../etc/passwd"}, "timezone: unknown time zone"),
        ({"categories": "cs.CL,<b>"}, "categories: expected names such as cs.CL"),
        ({"searches": "ok\nbefore:tomorrow"}, "searches: line 2 ('before:tomorrow')"),
        ({"searches": "\n".join(f"q{i}" for i in range(MAX_SEARCHES + 1))}, "searches: at most"),
        ({"authors": "Ada\x00Lovelace"}, "authors: followed authors: 'Ada\\x00Lovelace'"),
        ({"authors": "x" * 201}, "too long"),
        ({"more_like_mine": "maybe"}, "more_like_mine: expected on or off"),
    ],
)
def test_errors_name_the_field(fields: dict, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_preferences(fields)
    assert message in str(caught.value)


def test_fields_round_trip_and_typed_values_are_kept() -> None:
    prefs = Preferences(
        cadence="weekly", weekday=6, timezone="Europe/Paris", send_hour=21, trending_count=3,
        categories=("cs.CL", "cs.LG"), searches=("a b", "c"), authors=("X",), more_like_mine=True,
    )  # fmt: skip
    assert parse_preferences(preference_fields(prefs)) == prefs
    shown = typed_fields({"send_hour": "99", "searches": ["one\ntwo"], "more_like_mine": "on"})
    assert shown["send_hour"] == "99" and shown["searches"] == "one\ntwo"
    assert shown["more_like_mine"] == "1" and shown["cadence"] == "daily"
