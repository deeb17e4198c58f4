"""The daily page's two views: community picks and all new papers.

**Picks** are the papers submitted in the period or listed in it and upvoted (local votes or
imported ones), ranked by votes, like Hugging Face's daily list. **All new** is the listing
(``daily_list``). The page defaults to picks when there are any. Without a date, the day is
the newest listing day, or today (UTC) when papers were submitted today and nothing is
listed yet, so a submission shows on the front page at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from paperboy.core.errors import InvalidParameter
from paperboy.core.lists import PaperList, daily_list
from paperboy.core.periods import page_window, resolve_period
from paperboy.models.discussion import Submission
from paperboy.store import Store

VIEWS = ("picks", "all")


@dataclass
class DailyView:
    found: PaperList
    view: str  # picks | all
    picks: int  # how many picks the period has (0: the page offers only "all new")
    submitted: dict[str, Submission] = field(default_factory=dict)  # by paper id
    comments: dict[str, int] = field(default_factory=dict)  # visible comments by paper id


def daily_view(
    store: Store,
    *,
    day: str | None = None,
    week: str | None = None,
    month: str | None = None,
    view: str | None = None,
    page: int = 0,
    limit: int = 50,
) -> DailyView:
    if view is not None and view not in VIEWS:
        raise InvalidParameter(f"view: expected one of {', '.join(VIEWS)}, got {view[:40]!r}")
    limit, offset = page_window(page, limit)
    if day is None and week is None and month is None:
        today = datetime.now(UTC).date()
        newest = store.papers.listing_dates()[:1]
        if (not newest or newest[0] < today) and store.submissions.submitted_on(today):
            day = today.isoformat()
    period = resolve_period(store, day=day, week=week, month=month)
    picked: list[str] = []
    total = 0
    if period is not None:
        picked, total = store.submissions.picks(period.start, period.end, limit, offset)
    chosen = view or ("picks" if total else "all")
    if chosen == "picks":
        papers = store.papers.get_papers(picked)
        found = PaperList([papers[i] for i in picked if i in papers], total, limit, offset, period)
    else:
        found = daily_list(store, day=day, week=week, month=month, page=page, limit=limit)
    ids = [p.id for p in found.papers]
    return DailyView(
        found, chosen, total, store.submissions.submitters(ids), store.comments.counts(ids)
    )
