"""What goes in a digest: the new papers of its window, in sections, never one mailed before.

Building 10,000 digests must take seconds, so everything that does not depend on the
person is computed once per run and shared through a :class:`DigestBuilder`: the papers of
each window (most subscribers share one or two), their trending order, each distinct saved
search over each window (searched once however many people saved it), and each followed
author's new papers. Per subscriber only filtering and picking remain.

Sections, in mail order (a paper appears in its first section only):

- trending: the window's papers by trending score (votes, saves, imported upvotes), top N;
- one per saved search (the search box's syntax): matches of every word, best first, at most
  ``SEARCH_LIMIT``, and none scoring under ``RELEVANCE_SHARE`` of the best match;
- followed authors: every new paper by them (not narrowed by categories: always shown);
- personal picks, from an injected ``picks(store, subscriber, candidate_ids, at)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice

from paperboy.core.digest.period import due_period, period_key, window
from paperboy.core.digest.picks import account_picks
from paperboy.core.trending import TABLE_CAP, newest_listing_day, trending_rows
from paperboy.models.digest import (
    AUTHORS,
    PICKS,
    SEARCH,
    TRENDING,
    Digest,
    DigestPaper,
    DigestSection,
)
from paperboy.models.paper import Paper
from paperboy.models.query import Filters
from paperboy.models.subscription import Subscriber
from paperboy.models.trending import TrendingRow
from paperboy.search.lexical import WEIGHTS
from paperboy.search.query import QueryError, merge_filters, parse_query
from paperboy.store import Store

log = logging.getLogger(__name__)

# (store, subscriber, candidate ids, moment) -> picks, best first; core.digest.picks has ours.
Picks = Callable[[Store, Subscriber, Sequence[str], datetime], list[DigestPaper]]

SEARCH_LIMIT = 5  # papers per saved search
SEARCH_FETCH = 60  # hits fetched per search and window, before each person's filters
RELEVANCE_SHARE = 0.3  # a match scoring under this share of the window's best is left out
AUTHORS_LIMIT = 20
PICKS_LIMIT = 5
WINDOW_CAP = 20_000  # papers one window loads at most (a month of arXiv cs is ~15,000)
PAGE = 2_000
MAILED_LOOKBACK = timedelta(days=60)  # papers mailed this long before a window can recur


def in_categories(paper: Paper, wanted: Sequence[str]) -> bool:
    """Whether any of the paper's categories is wanted (an archive such as ``cs`` takes all
    of its categories), as the search filter reads them."""
    if not wanted:
        return True
    return any(c == w or c.startswith(w + ".") for c in paper.categories for w in wanted)


def _has_authors(lowered: Sequence[str], names: Sequence[str]) -> bool:
    return all(any(n in a for a in lowered) for n in names)


@dataclass
class Window:
    """The papers listed in [since, until), loaded once per run."""

    since: datetime
    until: datetime
    papers: dict[str, Paper] = field(default_factory=dict)  # newest listing first
    trending: list[str] = field(default_factory=list)  # ids by trending score
    authors: dict[str, list[str]] = field(default_factory=dict)  # id -> lowercase names


@dataclass(frozen=True)
class Match:
    paper_id: str
    reason: str


class DigestBuilder:
    """Shares the per-run work across every digest built at ``at`` (one per run)."""

    def __init__(self, store: Store, at: datetime, *, picks: Picks | None = account_picks) -> None:
        self.store = store
        self.at = at
        self.picks = picks
        self.newest_day = newest_listing_day(store)
        self._windows: dict[tuple[datetime, datetime], Window] = {}
        self._searches: dict[tuple[str, datetime, datetime], list[Match]] = {}
        self._authors: dict[tuple[str, datetime, datetime], list[str]] = {}
        self._in_cats: dict[tuple[tuple[str, ...], datetime, datetime], list[str]] = {}
        self._rows: dict[str, TrendingRow] | None = None

    # --- shared, once per run -----------------------------------------------------------
    def trending_rows(self) -> dict[str, TrendingRow]:
        if self._rows is None:
            rows = trending_rows(self.store, limit=TABLE_CAP, now=self.at)
            self._rows = {r.paper_id: r for r in rows}
        return self._rows

    def window(self, since: datetime, until: datetime) -> Window:
        key = (since, until)
        if key in self._windows:
            return self._windows[key]
        win = Window(since, until)
        if since < until:
            first, last = since.date(), (until - timedelta(days=1)).date()
            while len(win.papers) < WINDOW_CAP:
                page = self.store.papers.list_listed(
                    first, last, limit=PAGE, offset=len(win.papers)
                )
                win.papers.update((p.id, p) for p in page)
                if len(page) < PAGE:
                    break
            win.authors = {pid: [a.lower() for a in p.authors] for pid, p in win.papers.items()}
            rows = self.trending_rows()
            scored = [pid for pid in rows if pid in win.papers]
            # Then the rest of the window as the daily list's trending sort has it: imported
            # upvotes, then listing order, so a day nobody voted on still has its top N.
            ranked = set(scored)
            rest = sorted(
                (pid for pid in win.papers if pid not in ranked),
                key=lambda pid: -(win.papers[pid].upvotes or 0),
            )
            win.trending = scored + rest
        self._windows[key] = win
        return win

    def search(self, query: str, win: Window) -> list[Match]:
        """The saved search's matches in the window, best first (computed once per run)."""
        key = (query, win.since, win.until)
        if key not in self._searches:
            self._searches[key] = self._search(query, win)
        return self._searches[key]

    def _search(self, query: str, win: Window) -> list[Match]:
        if not win.papers:
            return []
        reason = f"matches your search “{query}”"
        try:
            parsed = parse_query(query)
            last = (win.until - timedelta(days=1)).date()
            filters = merge_filters(parsed.filters, Filters(after=win.since.date(), before=last))
        except QueryError as exc:
            log.warning("saved search %r cannot run: %s", query, exc)
            return []
        text = parsed.text_query("and")
        if not text:  # filters alone (cat:cs.CL author:"…"): the window's papers that pass
            names = [a.lower() for a in parsed.filters.authors]
            return [
                Match(pid, reason)
                for pid, p in win.papers.items()
                if in_categories(p, parsed.filters.categories)
                and _has_authors(win.authors[pid], names)
            ][:SEARCH_FETCH]
        try:
            hits = self.store.papers.lexical_search(
                text, filters, limit=SEARCH_FETCH, weights=WEIGHTS
            )
        except ValueError as exc:
            log.warning("saved search %r cannot run: %s", query, exc)
            return []
        hits = [h for h in hits if h.id in win.papers]
        if not hits:
            return []
        floor = RELEVANCE_SHARE * max(h.score for h in hits)
        return [Match(h.id, reason) for h in hits if h.score >= floor]

    def by_author(self, name: str, win: Window) -> list[str]:
        key = (name, win.since, win.until)
        if key not in self._authors:
            lowered = name.lower()
            self._authors[key] = [
                pid for pid, names in win.authors.items() if any(lowered in a for a in names)
            ]
        return self._authors[key]

    def in_categories(self, categories: tuple[str, ...], win: Window) -> list[str]:
        key = (categories, win.since, win.until)
        if key not in self._in_cats:
            self._in_cats[key] = [
                pid for pid, p in win.papers.items() if in_categories(p, categories)
            ]
        return self._in_cats[key]

    # --- per subscriber -----------------------------------------------------------------
    def build(
        self,
        sub: Subscriber,
        period: str,
        since: datetime,
        until: datetime,
        mailed: Iterable[str] = (),
    ) -> Digest:
        """The digest of ``sub`` for ``period`` over [since, until), without ``mailed``."""
        win = self.window(since, until)
        prefs = sub.prefs
        cats = prefs.categories
        taken = set(mailed)
        sections: list[DigestSection] = []

        def fits(pid: str) -> bool:
            return pid not in taken and in_categories(win.papers[pid], cats)

        def section(kind: str, title: str, chosen: list[DigestPaper]) -> None:
            if chosen:
                taken.update(p.paper.id for p in chosen)
                sections.append(DigestSection(kind, title, tuple(chosen)))

        rows = self.trending_rows()
        top: list[DigestPaper] = []  # papers with a trending score first ...
        for pid in islice(win.trending, len(rows)):
            if len(top) >= prefs.trending_count:
                break
            if pid in rows and fits(pid):
                top.append(DigestPaper(win.papers[pid], _trending_reason(rows[pid])))
        taken.update(p.paper.id for p in top)
        for query in prefs.searches:
            found = [m for m in self.search(query, win) if fits(m.paper_id)][:SEARCH_LIMIT]
            section(
                SEARCH,
                f"Saved search: {query}",
                [DigestPaper(win.papers[m.paper_id], m.reason) for m in found],
            )
        if prefs.authors:
            chosen: list[DigestPaper] = []
            for name in prefs.authors:
                for pid in self.by_author(name, win):
                    if pid not in taken and len(chosen) < AUTHORS_LIMIT:
                        taken.add(pid)
                        chosen.append(DigestPaper(win.papers[pid], f"new paper by {name}"))
            section(AUTHORS, "Followed authors", chosen)
        if self.picks is not None and prefs.more_like_mine and sub.user_id is not None:
            candidates = [pid for pid in self.in_categories(cats, win) if pid not in taken]
            if candidates:
                picked = [
                    p
                    for p in self._picks(sub, candidates)
                    if p.paper.id in win.papers and p.paper.id not in taken
                ]
                section(PICKS, "Picked for you", picked[:PICKS_LIMIT])
        # ... then, on a day with few votes, the newest papers the other sections left.
        for pid in win.trending if len(top) < prefs.trending_count else ():
            if pid not in rows and fits(pid):
                top.append(DigestPaper(win.papers[pid], _new_reason(win.papers[pid])))
                taken.add(pid)
                if len(top) >= prefs.trending_count:
                    break
        if top:
            title = "Trending" if any(p.paper.id in rows for p in top) else "New papers"
            sections.insert(0, DigestSection(TRENDING, title, tuple(top)))
        return Digest(sub, period, since, until, tuple(sections))

    def _picks(self, sub: Subscriber, candidates: list[str]) -> list[DigestPaper]:
        """The injected picks; one reader's failing model costs that section, not the run."""
        assert self.picks is not None
        try:
            return self.picks(self.store, sub, candidates, self.at)
        except Exception:  # noqa: BLE001 - logged; the digest goes without its picks
            log.exception("personal picks for subscriber %d failed; sent without them", sub.id)
            return []


def _trending_reason(row: TrendingRow) -> str:
    parts = [
        f"{n} {word}"
        for n, word in (
            (row.votes, "votes"),
            (row.saves, "saves"),
            (row.imported_upvotes, "upvotes elsewhere"),
        )
        if n
    ]
    return "trending: " + ", ".join(parts) if parts else "trending"


def _new_reason(paper: Paper) -> str:
    """Why an unvoted paper is in the top N: it is new (and maybe upvoted elsewhere)."""
    day = f"new on {paper.listing_date:%-d %b}" if paper.listing_date else "new"
    return f"{day}, {paper.upvotes} upvotes elsewhere" if paper.upvotes else day


def build_digest(
    store: Store,
    sub: Subscriber,
    at: datetime,
    *,
    picks: Picks | None = account_picks,
    builder: DigestBuilder | None = None,
    period: str | None = None,
) -> Digest:
    """The digest ``sub`` would get at ``at`` (due or not: previews ask any time), papers
    new since the previous sent digest, none mailed to them before."""
    builder = builder or DigestBuilder(store, at, picks=picks)
    period = period or due_period(sub.prefs, at) or period_key(sub.prefs, at)
    previous = store.deliveries.last_until([sub.id]).get(sub.id)
    since, until = window(sub.prefs, at, builder.newest_day, previous)
    mailed = store.deliveries.mailed([sub.id], since - MAILED_LOOKBACK).get(sub.id, set())
    return builder.build(sub, period, since, until, mailed)
