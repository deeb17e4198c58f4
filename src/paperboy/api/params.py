"""Query parameters of the documented routes, declared as exactly what the server accepts.

The OpenAPI document is a contract that schemathesis checks both ways: every value the
schema allows must be accepted, and every value it forbids must be refused. So each pattern
here is the exact language of the parser behind it (``paperboy.core``,
``paperboy.search.query``), written out, not a loose hint:

- dates, weeks and months are enforced at the edge (a pattern mismatch is a 422 whose message
  comes from ``HINTS``), because Python's ``date.fromisoformat`` alone also reads ``20260701``;
- ``q`` and ``category`` are documented only (``json_schema_extra``): their parsers already
  refuse everything else with a message naming the fault (how many categories, and so on).

Patterns use ``[0-9]``, never ``\\d``: the server's regex engine reads ``\\d`` as any Unicode
digit, JSON Schema as ASCII only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Query

from paperboy.core.periods import MAX_LIMIT, MAX_OFFSET, YEARS
from paperboy.core.search import SEARCH_MAX_OFFSET
from paperboy.search.query import MAX_CATEGORIES

_YEAR = "(?:19[0-9]{2}|20[0-9]{2}|2100)"  # YEARS, 1900 to 2100
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"  # months of 31 days
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"  # months of 30 days
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
# 29 February: years divisible by 4 within 1900-2100, except 1900 and 2100.
_LEAP_DAY = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26]))-02-29"
DAY_PATTERN = f"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})$"
MONTH_PATTERN = f"^{_YEAR}-(?:0[1-9]|1[0-2])$"


def _week_pattern() -> str:
    """ISO weeks 01-52 of every year, and week 53 of the years that have one."""
    years = range(YEARS[0], YEARS[1] + 1)
    long_years = "|".join(str(y) for y in years if date(y, 12, 28).isocalendar()[1] == 53)
    return f"^(?:{_YEAR}-W(?:0[1-9]|[1-4][0-9]|5[0-2])|(?:{long_years})-W53)$"


WEEK_PATTERN = _week_pattern()

# What Python's str.strip() removes (str.isspace), and the control characters that
# search.query.clean_query turns into spaces first.
_SPACE = r"\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_BLANK = r"\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
MAX_QUERY = 500
# Something to search for, at most 500 characters once blanks at either end are dropped.
QUERY_PATTERN = rf"^[{_BLANK}]*[^{_BLANK}](?:[\s\S]{{0,{MAX_QUERY - 2}}}[^{_BLANK}])?[{_BLANK}]*$"
_CATEGORY = "[A-Za-z-]+(?:\\.[A-Za-z-]+)?"
# Comma-separated names such as cs.CL or hep-th, at most 20, blanks and empty items ignored.
CATEGORY_PATTERN = (
    rf"^[{_SPACE},]*(?:{_CATEGORY}(?:[{_SPACE}]*,[{_SPACE},]*{_CATEGORY})"
    rf"{{0,{MAX_CATEGORIES - 1}}})?[{_SPACE},]*$"
)

# A pattern mismatch answers with the hint, not with the regular expression.
_YEARS = f"the year must be between {YEARS[0]} and {YEARS[1]}"
HINTS = {
    DAY_PATTERN: f"expected YYYY-MM-DD, a day of the calendar; {_YEARS}",
    WEEK_PATTERN: f"expected YYYY-Www (2026-W26), a week of that ISO year; {_YEARS}",
    MONTH_PATTERN: f"expected YYYY-MM; {_YEARS}",
}

# The deepest page is the one whose last paper stays within the offset bound even at the
# largest limit, so that every page the schema allows is served.
MAX_PAGE = MAX_OFFSET // MAX_LIMIT
MAX_SEARCH_PAGE = SEARCH_MAX_OFFSET // MAX_LIMIT

DateFrom = Annotated[
    str | None, Query(alias="from", pattern=DAY_PATTERN, description="YYYY-MM-DD, inclusive")
]
DateTo = Annotated[
    str | None, Query(alias="to", pattern=DAY_PATTERN, description="YYYY-MM-DD, inclusive")
]
# The same values as lists.DAILY_SORTS and search.types.SORTS (tests/api check they agree).
DailySort = Annotated[Literal["publishedAt", "trending"], Query(description="List order")]
SearchSort = Annotated[Literal["relevance", "date", "trending"], Query(description="Order")]
SearchText = Annotated[
    str,
    Query(
        description=(
            "Words, phrases, an arXiv id or a title, with optional filters such as "
            'cat:cs.CL, author:"Name", after:2025-01-01 (a filter that cannot be read, '
            f"such as after:soon, is a 422). At most {MAX_QUERY} characters."
        ),
        json_schema_extra={"pattern": QUERY_PATTERN},
    ),
]
Category = Annotated[
    str | None,
    Query(
        description=f"cs.CL, or up to {MAX_CATEGORIES} comma-separated",
        json_schema_extra={"pattern": CATEGORY_PATTERN},
    ),
]
Author = Annotated[str | None, Query(description="Part of an author's name")]
Limit = Annotated[
    int, Query(ge=1, description=f"Papers per page; values above {MAX_LIMIT} are capped.")
]
Page = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_PAGE,
        description=f"Zero-based page number; lists end after {MAX_OFFSET} papers.",
    ),
]
SearchPage = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_SEARCH_PAGE,
        description=f"Zero-based page number; a search ends after {SEARCH_MAX_OFFSET} results.",
    ),
]


def period_parameter() -> dict[str, object]:
    """``date``, ``week`` and ``month`` as one OpenAPI parameter: at most one may be given.

    Three separate parameters cannot say that they exclude each other; one form-exploded
    object parameter can (``not``/``required``), and it puts the same ``?date=`` on the wire.
    The routes hide their own three declarations (``include_in_schema=False``) for this one.
    """
    return {
        "name": "period",
        "in": "query",
        "style": "form",
        "explode": True,
        "description": "At most one of date, week and month; default the newest listing day",
        "schema": {
            "type": "object",
            "properties": {
                "date": {"type": "string", "pattern": DAY_PATTERN, "description": "YYYY-MM-DD"},
                "week": {"type": "string", "pattern": WEEK_PATTERN, "description": "2026-W26"},
                "month": {"type": "string", "pattern": MONTH_PATTERN, "description": "2026-06"},
            },
            # Other names are ignored, as everywhere; two of these three are a 422.
            "not": {
                "anyOf": [
                    {"required": ["date", "week"]},
                    {"required": ["date", "month"]},
                    {"required": ["week", "month"]},
                ]
            },
        },
    }


PERIOD_DOC = {"parameters": [period_parameter()]}
# The three members of the period parameter, each checked at the edge all the same.
Day = Annotated[str | None, Query(pattern=DAY_PATTERN, include_in_schema=False)]
Week = Annotated[str | None, Query(pattern=WEEK_PATTERN, include_in_schema=False)]
Month = Annotated[str | None, Query(pattern=MONTH_PATTERN, include_in_schema=False)]
