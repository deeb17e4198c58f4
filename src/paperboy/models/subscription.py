"""Digest subscriptions: who gets mail, when, and what goes in it. Plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PENDING = "pending"  # asked for, not yet confirmed from the mail (double opt-in)
CONFIRMED = "confirmed"  # gets digests
UNSUBSCRIBED = "unsubscribed"  # asked to stop; preferences kept for a later return
SUSPENDED = "suspended"  # repeated permanent delivery failures
STATUSES = (PENDING, CONFIRMED, UNSUBSCRIBED, SUSPENDED)

DAILY = "daily"  # weekdays, when arXiv announces
WEEKLY = "weekly"
CADENCES = (DAILY, WEEKLY)

MAX_TRENDING = 50
MAX_SEARCHES = 20
MAX_AUTHORS = 50
MAX_CATEGORIES = 40
MAX_TEXT = 200  # one saved search or author name


@dataclass(frozen=True)
class Preferences:
    """What a subscriber asked for; checked by :meth:`checked` before it is stored."""

    cadence: str = DAILY
    weekday: int = 0  # weekly digests: 0 = Monday … 6 = Sunday
    timezone: str = "UTC"  # IANA name
    send_hour: int = 7  # local hour, 0-23
    trending_count: int = 10  # 0 leaves the trending section out
    categories: tuple[str, ...] = ()  # e.g. cs.CL; empty = every category
    searches: tuple[str, ...] = ()  # the search box's syntax
    authors: tuple[str, ...] = ()  # followed authors, as written on papers
    more_like_mine: bool = False  # personal picks from the account's upvotes and saves

    def checked(self) -> Preferences:
        """The same preferences, cleaned; raises ValueError naming what is wrong."""
        if self.cadence not in CADENCES:
            raise ValueError(f"cadence must be one of {', '.join(CADENCES)}")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if not 0 <= self.send_hour <= 23:
            raise ValueError("send hour must be 0 to 23")
        if not 0 <= self.trending_count <= MAX_TRENDING:
            raise ValueError(f"number of trending papers must be 0 to {MAX_TRENDING}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        return replace(
            self,
            categories=_texts(self.categories, MAX_CATEGORIES, "categories"),
            searches=_texts(self.searches, MAX_SEARCHES, "saved searches"),
            authors=_texts(self.authors, MAX_AUTHORS, "followed authors"),
        )


def _texts(items: tuple[str, ...], most: int, what: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(t.strip() for t in items if t and t.strip()))
    if len(out) > most:
        raise ValueError(f"at most {most} {what}")
    for t in out:
        if len(t) > MAX_TEXT or any(not c.isprintable() for c in t):
            raise ValueError(f"{what}: {t[:40]!r} is too long or has control characters")
    return out


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    status: str
    prefs: Preferences = field(default_factory=Preferences)
    user_id: int | None = None  # the account at the same address, if any
    created_at: datetime | None = None
    confirmed_at: datetime | None = None
    failures: int = 0  # consecutive permanent delivery failures

    @property
    def active(self) -> bool:
        return self.status == CONFIRMED


@dataclass(frozen=True)
class SubscriberLinks:
    """The signed links every mail to a subscriber carries (RFC 8058 and the visible ones)."""

    unsubscribe: str  # visible link: a confirmation page
    one_click: str  # List-Unsubscribe https URL: POST List-Unsubscribe=One-Click
    mailto: str  # List-Unsubscribe mailto
    preferences: str  # manage preferences without an account
