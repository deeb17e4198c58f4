"""A digest to render in tests: real models, real signed links, some hostile imported text."""

from __future__ import annotations

from datetime import UTC, datetime

from paperboy.core.subscriber_links import subscriber_links
from paperboy.mail import Composer
from paperboy.models.digest import AUTHORS, PICKS, SEARCH, TRENDING, Digest, DigestPaper
from paperboy.models.digest import DigestSection as Section
from paperboy.models.paper import Paper
from paperboy.models.subscription import WEEKLY, Preferences, Subscriber, SubscriberLinks

BASE = "https://papers.example.org"
SECRET = b"k" * 32
NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
LONG_WORD = "Supercalifragilistic" * 12  # 240 characters without a break


def composer() -> Composer:
    return Composer("Paperboy <papers@example.org>", BASE)


def subscriber(*, weekly: bool = False, sub_id: int = 7) -> Subscriber:
    prefs = Preferences(cadence=WEEKLY, weekday=4) if weekly else Preferences()
    return Subscriber(sub_id, "ada@example.org", "confirmed", prefs)


def links(c: Composer, sub: Subscriber) -> SubscriberLinks:
    return subscriber_links(c, SECRET, sub, NOW)


def paper(n: int, **fields) -> Paper:
    defaults = {
        "title": f"Paper {n}: robust speech recognition with small models",
        "abstract": ("We study speech recognition for low-resource languages. " * 12).strip(),
        "authors": [f"Author {n}.{j}" for j in range(n % 6 + 1)],
        "categories": ["cs.CL"],
        "version": 1,
    }
    return Paper(f"2611.{n:05d}", **{**defaults, **fields})


def digest(
    sections: tuple[Section, ...] | None = None, *, weekly: bool = False, sub_id: int = 7
) -> Digest:
    """Four sections; paper 3 is in two of them (the mail shows it in the first only)."""
    if sections is None:
        sections = (
            Section(TRENDING, "Trending", tuple(DigestPaper(paper(n)) for n in (1, 2, 3))),
            Section(
                SEARCH,
                "Saved search: speech",
                (
                    DigestPaper(paper(3), "matches “speech”"),
                    DigestPaper(paper(4), "matches “speech”"),
                ),
            ),
            Section(AUTHORS, "Followed authors", (DigestPaper(paper(5), "by Author 5.0"),)),
            Section(
                PICKS, "Picked for you", (DigestPaper(paper(6), "close to Paper 1 that you saved"),)
            ),
        )
    since = datetime(2026, 11, 20 if weekly else 26, tzinfo=UTC)
    return Digest(
        subscriber(weekly=weekly, sub_id=sub_id),
        "2026-W48" if weekly else "2026-11-27",
        since,
        datetime(2026, 11, 27, tzinfo=UTC),
        sections,
    )


def hostile_digest() -> Digest:
    """Imported text that tries markup everywhere it can, and a word too long for a phone."""
    bad = Paper(
        '1234"><img src=x onerror=alert(1)>',
        HOSTILE,
        abstract=f"{HOSTILE} {LONG_WORD}",
        authors=[HOSTILE, "Bob"],
        namespace="openreview",
    )
    long_title = paper(8, title=f"A title with {LONG_WORD} in it")
    return digest(
        (
            Section(SEARCH, f"Saved search: {HOSTILE}", (DigestPaper(bad, f"matches {HOSTILE}"),)),
            Section(TRENDING, "Trending", (DigestPaper(long_title),)),
        )
    )
