"""One query function per list; the page, its JSON twin and its Atom feed all call it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from paperboy.core.errors import InvalidParameter
from paperboy.core.periods import Period, page_window, resolve_period
from paperboy.models.paper import Paper
from paperboy.store import Store

TRENDING_TABLE_CAP = 10_000  # trending rows read to rank one period
DAILY_SORTS = ("publishedAt", "trending")


@dataclass
class PaperList:
    papers: list[Paper]
    total: int
    limit: int
    offset: int
    period: Period | None = None
    reasons: dict[str, str] = field(default_factory=dict)  # why each paper is on the list
    note: str | None = None
    trending: dict = field(default_factory=dict)  # id -> TrendingRow (trending lists)

    @property
    def page(self) -> int:
        return self.offset // self.limit

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.papers) < self.total


def daily_list(
    store: Store,
    *,
    day: str | None = None,
    week: str | None = None,
    month: str | None = None,
    sort: str = "publishedAt",
    submitter: str | None = None,
    page: int = 0,
    limit: int = 50,
) -> PaperList:
    """Papers listed on a day, week or month (default: the newest listing day).

    ``sort`` is ``publishedAt`` (listing order) or ``trending``: papers of the period with a
    trending score first, by score, then the rest by imported upvotes (before the first
    trending refresh, imported upvotes alone). ``submitter`` keeps the papers submitted in
    the period by the account of that name (as cards show it, case-insensitive); a name that
    never submitted matches nothing, as on Hugging Face.
    """
    if sort not in DAILY_SORTS:
        raise InvalidParameter(f"sort: expected one of {', '.join(DAILY_SORTS)}, got {sort[:40]!r}")
    limit, offset = page_window(page, limit)
    period = resolve_period(store, day=day, week=week, month=month)
    if period is None:
        return PaperList([], 0, limit, offset, period)
    if submitter is not None:
        return _submitted_by(store, period, submitter, limit, offset)
    if sort == "trending":
        papers = _by_trending(store, period, limit, offset)
    else:
        papers = store.papers.list_listed(period.start, period.end, limit=limit, offset=offset)
    return PaperList(
        papers, store.papers.count_listed(period.start, period.end), limit, offset, period
    )


def _by_trending(store: Store, period: Period, limit: int, offset: int) -> list[Paper]:
    """One page of a period ranked by trending score; the unscored rest by imported upvotes.

    The trending table is small (one refresh's candidates), so ranking reads it whole rather
    than scoring the period's papers.
    """
    rows = store.trending.top(TRENDING_TABLE_CAP)
    pool = store.papers.get_papers([r.paper_id for r in rows])
    ranked = [
        pool[r.paper_id]
        for r in rows
        if r.paper_id in pool and period.start <= (pool[r.paper_id].listing_date or date.min)
        and (pool[r.paper_id].listing_date or date.min) <= period.end
    ]  # fmt: skip
    need = offset + limit - len(ranked)
    if need > 0:
        seen = {p.id for p in ranked}
        more = store.papers.list_listed(
            period.start, period.end, order="upvotes", limit=need + len(ranked)
        )
        ranked += [p for p in more if p.id not in seen][:need]
    return ranked[offset : offset + limit]


def _submitted_by(store: Store, period: Period, name: str, limit: int, offset: int) -> PaperList:
    """The period's submissions by the account named ``name``, newest day first."""
    wanted = name.strip().casefold()
    ids: list[str] = []
    day = period.end
    while day >= period.start:
        ids += [
            pid
            for pid, user in store.submissions.submitted_on(day)
            if user.name.casefold() == wanted
        ]
        day -= timedelta(days=1)
    found = store.papers.get_papers(ids[offset : offset + limit])
    papers = [found[i] for i in ids[offset : offset + limit] if i in found]
    return PaperList(papers, len(ids), limit, offset, period)
