"""Trending: a score people can read, from local votes, saves, imported upvotes and age.

    score = (2·ln(1 + votes) + ln(1 + saves) + ln(1 + imported_upvotes)) / (age_hours + 24)^0.8

ResearchHub's shape (log-scaled signals over ``(age_h + 24)^0.8``), not Hacker News gravity
(``(P − 1)/(T + 2)^1.8``), which buries a paper within a day; ``docs/trending.md`` gives the
reasons and a worked example. ``refresh`` recomputes the small ``trending`` table from the
candidates only: papers voted or saved in the window, papers with imported upvotes listed in
the window, and the newest day's papers, never the whole corpus. It runs after votes
(debounced, in the web app's background thread) and from ``paperboy trending refresh``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from paperboy.core.lists import PaperList
from paperboy.core.periods import page_window
from paperboy.models.community import PaperCounts
from paperboy.models.paper import Paper
from paperboy.models.trending import TrendingRow
from paperboy.store import Store

log = logging.getLogger(__name__)
WINDOW_DAYS = 7
REFRESH_EVERY = 3.0  # seconds: at most one refresh this often while votes come in
REFRESH_SHARE = 0.1  # a refresh may take at most this share of the time while votes flow
VOTE_WEIGHT = 2.0  # a vote here is one reader of this instance; see docs/trending.md
SAVE_WEIGHT = 1.0
IMPORTED_WEIGHT = 1.0
AGE_OFFSET_HOURS = 24.0
GRAVITY = 0.8
NEWEST_DAY_CAP = 5000  # candidates from the newest day (a busy arXiv day lists ~1,000 cs papers)
IMPORTED_CAP = 2000  # upvoted candidates from the window
UPVOTED_PAGE = 100
TABLE_CAP = 10_000  # rows read when ranking a period by trending


def score(votes: int, saves: int, imported: int, age_hours: float) -> float:
    signal = (
        VOTE_WEIGHT * math.log1p(votes)
        + SAVE_WEIGHT * math.log1p(saves)
        + IMPORTED_WEIGHT * math.log1p(imported)
    )
    return signal / (max(age_hours, 0.0) + AGE_OFFSET_HOURS) ** GRAVITY


def listed_at(paper: Paper) -> datetime | None:
    """When the paper was announced: its listing day at 00:00 UTC (arXiv's announcement)."""
    day: date | None = paper.listing_date or paper.published
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def age_hours(paper: Paper, now: datetime) -> float:
    at = listed_at(paper)
    return max((now - at).total_seconds() / 3600, 0.0) if at else 24.0 * 365


def why(row: TrendingRow) -> str:
    """The score and its inputs in words, shown beside every trending item."""
    age = row.age_hours
    when = f"{age:.0f} h" if age < 48 else f"{age / 24:.0f} d"
    return (
        f"{row.imported_upvotes} imported upvotes, {row.votes} votes, {row.saves} saves,"
        f" listed {when} ago: score (2·ln(1+{row.votes}) + ln(1+{row.saves})"
        f" + ln(1+{row.imported_upvotes})) / ({age:.0f}+24)^0.8 = {row.score:.4f}"
    )


def newest_listing_day(store: Store) -> date | None:
    """The newest listing day, from the listing-date index (one row, not a DISTINCT scan)."""
    newest = store.papers.list_listed(date.min, date.max, limit=1)
    return newest[0].listing_date if newest else None


def _upvoted(store: Store, start: date, end: date) -> list[Paper]:
    """Papers listed in [start, end] with imported upvotes, most first; pages stop at the
    first paper without any, so the window's unvoted papers are never loaded."""
    found: list[Paper] = []
    while len(found) < IMPORTED_CAP:
        page = store.papers.list_listed(
            start, end, order="upvotes", limit=UPVOTED_PAGE, offset=len(found)
        )
        voted = [p for p in page if p.upvotes]
        found += voted
        if len(voted) < UPVOTED_PAGE:
            break
    return found


def _candidates(store: Store, now: datetime) -> tuple[dict[str, PaperCounts], list[Paper]]:
    active = store.votes.active_since(now - timedelta(days=WINDOW_DAYS))
    newest = newest_listing_day(store)
    listed: list[Paper] = []
    if newest is not None:
        listed = _upvoted(store, newest - timedelta(days=WINDOW_DAYS - 1), newest)
        listed += store.papers.list_listed(newest, newest, limit=NEWEST_DAY_CAP)
    return active, listed


def compute(store: Store, now: datetime) -> list[TrendingRow]:
    """Scores of every candidate, highest first (ties: newer, then id)."""
    active, listed = _candidates(store, now)
    papers = {p.id: p for p in listed}
    missing = [pid for pid in active if pid not in papers]
    papers.update(store.papers.get_papers(missing))  # hidden papers come back missing
    counts = {**store.votes.counts([pid for pid in papers if pid not in active]), **active}
    rows = []
    for pid, paper in papers.items():
        c = counts.get(pid, PaperCounts())
        imported = paper.upvotes or 0
        age = age_hours(paper, now)
        rows.append(
            TrendingRow(pid, score(c.votes, c.saves, imported, age), c.votes, c.saves, imported,
                        round(age, 2))
        )  # fmt: skip
    rows = [r for r in rows if r.score > 0]  # nothing to rank without a signal
    rows.sort(key=lambda r: (-r.score, r.age_hours, r.paper_id))
    return rows


@dataclass(frozen=True)
class RefreshReport:
    rows: int
    seconds: float


def refresh(store: Store, now: datetime | None = None) -> RefreshReport:
    """Recompute the trending table (one transaction; readers see old or new scores)."""
    started = time.perf_counter()
    moment = now or datetime.now(UTC)
    rows = compute(store, moment)
    store.trending.replace(rows, moment)
    return RefreshReport(len(rows), time.perf_counter() - started)


def trending_rows(
    store: Store, *, limit: int, offset: int = 0, now: datetime | None = None
) -> list[TrendingRow]:
    """A page of the table; before the first refresh, the same scores computed in memory
    from the candidates (bounded like a refresh, never the whole corpus) as of ``now``."""
    if store.trending.computed_at() is None:
        return compute(store, now or datetime.now(UTC))[offset : offset + limit]
    return store.trending.top(limit, offset)


def item_json(row: TrendingRow) -> dict:
    """The trending inputs and score of one item, under the issue's exact keys."""
    return {
        "id": row.paper_id,
        "score": round(row.score, 6),
        "votes": row.votes,
        "saves": row.saves,
        "imported_upvotes": row.imported_upvotes,
        "age_hours": row.age_hours,
        "why": why(row),
    }


def trending_list(store: Store, *, page: int = 0, limit: int = 30) -> PaperList:
    """Papers by trending score, each with its inputs (``PaperList.trending``) and why."""
    limit, offset = page_window(page, limit)
    rows = trending_rows(store, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    rows = rows[:limit]
    papers = store.papers.get_papers([r.paper_id for r in rows])
    kept = [r for r in rows if r.paper_id in papers]
    note = (
        f"Scored from local votes, saves and imported upvotes of papers listed or voted on in"
        f" the {WINDOW_DAYS} days up to now; older papers weigh less."
    )
    if not kept and offset == 0:
        note = "Nothing is trending yet: no paper has votes, saves or imported upvotes."
    found = PaperList(
        [papers[r.paper_id] for r in kept],
        offset + len(kept) + (1 if more else 0),
        limit,
        offset,
        reasons={r.paper_id: why(r) for r in kept},
        note=note,
    )
    found.trending = {r.paper_id: r for r in kept}
    return found


class Refresher:
    """Refreshes trending on one background thread, at most every ``interval`` seconds
    after a ``poke`` (a vote or save): a burst of votes costs one refresh, not one each.

    Under load a refresh competes with the votes that poked it (same cores, same writer), so
    the pause after one is also at least ``1/REFRESH_SHARE - 1`` times as long as it took:
    refreshing never takes more than ~10 % of the time. With several worker processes each
    has its own refresher; one skips its refresh when another process refreshed after its
    first unserved poke (those votes were committed before, so that refresh counted them).

    The thread starts on the first poke, never at import or construction; ``close`` stops it.
    """

    def __init__(self, store: Store, interval: float = REFRESH_EVERY) -> None:
        self.store = store
        self.interval = interval
        self.refreshes = 0
        self.skipped = 0
        self.last: RefreshReport | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._asked: datetime | None = None  # the first poke not yet served

    def poke(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            if self._asked is None:
                self._asked = datetime.now(UTC)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="paperboy-trending", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            with self._lock:
                self._wake.clear()
                asked, self._asked = self._asked, None
            took = 0.0
            try:
                done = self.store.trending.computed_at()
                if asked is not None and done is not None and done >= asked:
                    self.skipped += 1  # another process refreshed after these votes
                else:
                    self.last = refresh(self.store)
                    self.refreshes += 1
                    took = self.last.seconds
            except Exception:  # the next vote tries again; serving must go on
                log.exception("trending refresh failed")
            # debounce: votes meanwhile wait for the next run
            self._stop.wait(max(self.interval, took * (1 / REFRESH_SHARE - 1)))

    def close(self) -> None:
        with self._lock:
            self._stop.set()
            self._wake.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
