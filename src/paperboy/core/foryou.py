"""Personal picks: the use case behind ``/for-you`` and the digest's picks section.

A reader's upvotes and saves are the positives, their "not interested" marks the negatives,
and the candidates the rest (``recommend.model.rank``). Everything is read from the store on
each call (a few hundred marks and a few thousand candidates: well under a second), so there
is no per-user model to store, invalidate or migrate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from paperboy.core.errors import NotFound
from paperboy.models.paper import Paper
from paperboy.models.query import Filters
from paperboy.recommend.features import paper_text
from paperboy.recommend.model import Item, rank
from paperboy.store import Store

MAX_POSITIVES = 300  # newest marks the model reads
MAX_NEGATIVES = 300
MIN_UNLABELLED = 200  # fewer candidates than this: newest stored papers join as background
PAGE_DAYS = 7  # /for-you ranks the papers listed in the newest week
PAGE_POOL = 3000
PAGE_PICKS = 30
AUTHOR_PAPERS = 10  # per followed author on /for-you
TITLE_IN_REASON = 90


@dataclass(frozen=True)
class Pick:
    """One personal pick: the paper, its score (larger is better; only comparable within one
    call) and why, in words ("close to “X” that you saved")."""

    paper_id: str
    score: float
    reason: str


def personal_picks(
    store: Store,
    user_id: int,
    candidate_ids: Sequence[str],
    limit: int,
    now: datetime,
    known: Mapping[str, Paper] | None = None,
) -> list[Pick]:
    """The best ``limit`` of ``candidate_ids`` for the account, best first; empty when it has
    no upvotes or saves. Papers it already marked (liked or not interested) and hidden
    papers are never picked; marks made after ``now`` are not read. ``known``: papers the
    caller already loaded (visible ones), not read again."""
    liked = [pid for pid, at in store.votes.liked(user_id, MAX_POSITIVES) if at <= now]
    if not liked or limit <= 0:
        return []
    disliked = [pid for pid, at in store.dismissals.dismissed(user_id, MAX_NEGATIVES) if at <= now]
    marked = set(liked) | set(disliked)
    wanted = [pid for pid in dict.fromkeys(candidate_ids) if pid not in marked]
    if not wanted:
        return []
    papers = dict(known or {})
    background: list[str] = []
    if len(wanted) < MIN_UNLABELLED:
        recent = store.papers.list_papers(order="listing", limit=MIN_UNLABELLED + len(marked))
        taken = marked | set(wanted)
        background = [p.id for p in recent if p.id not in taken]
        papers.update((p.id, p) for p in recent)
    missing = [pid for pid in [*liked, *disliked, *wanted] if pid not in papers]
    papers.update(store.papers.get_papers(missing))
    vectors = _vectors(store, [pid for pid in [*liked, *wanted] if pid in papers])

    def items(ids: Sequence[str]) -> list[Item]:
        return [_item(papers[i], vectors.get(i)) for i in ids if i in papers]

    ranked = rank(items(liked), items(wanted), items(disliked), items(background))[:limit]
    _, saved = store.votes.marks(user_id, {s.because for s in ranked if s.because})
    return [
        Pick(s.id, s.score, _reason(papers.get(s.because or ""), s.because in saved))
        for s in ranked
    ]


def _item(paper: Paper, vector: object) -> Item:
    text = paper_text(paper.title, paper.abstract, paper.categories)
    return Item(paper.id, text, vector)  # type: ignore[arg-type]


def _vectors(store: Store, ids: list[str]) -> dict:
    """Document vectors of the model that covers most of ``ids`` (none: tf-idf alone)."""
    best: dict = {}
    for model in store.vectors.models():
        found = store.vectors.get_vectors(model, ids)
        if len(found) > len(best):
            best = found
    return best


def _reason(paper: Paper | None, saved: bool) -> str:
    if paper is None:
        return "matches what you upvoted and saved"
    title = paper.title
    if len(title) > TITLE_IN_REASON:
        title = title[: TITLE_IN_REASON - 1].rstrip() + "…"
    return f"close to “{title}” that you {'saved' if saved else 'upvoted'}"


# --- the /for-you page --------------------------------------------------------------------


@dataclass
class ForYou:
    """Everything ``/for-you`` shows, as plain values (the page and its JSON twin)."""

    picks: list[tuple[Paper, Pick]]
    authors: list[tuple[str, list[Paper]]]  # followed authors' papers in the window
    liked: int  # how many upvotes and saves drive the picks
    liked_examples: list[Paper]  # the newest few of them
    dismissed: list[tuple[Paper, datetime]] = field(default_factory=list)
    since: date | None = None  # the window ranked: listed on or after this day
    candidates: int = 0


def for_you(
    store: Store,
    user_id: int,
    now: datetime,
    *,
    authors: Sequence[str] = (),
    days: int = PAGE_DAYS,
    limit: int = PAGE_PICKS,
) -> ForYou:
    """The newest week's papers ranked for the account, followed authors' new papers, and
    the signals behind both."""
    newest = store.papers.listing_dates()[:1]
    since = newest[0] - timedelta(days=days - 1) if newest else None
    pool: list[Paper] = []
    if newest and since is not None:
        pool = store.papers.list_listed(since, newest[0], limit=PAGE_POOL)
    dismissed_marks = store.dismissals.dismissed(user_id, MAX_NEGATIVES)
    dismissed_ids = {pid for pid, _ in dismissed_marks}
    by_id = {p.id: p for p in pool}
    picks = personal_picks(store, user_id, list(by_id), limit, now, known=by_id)
    liked = store.votes.liked(user_id, MAX_POSITIVES)
    examples = store.papers.get_papers([pid for pid, _ in liked[:5]])
    gone = store.papers.get_papers(list(dismissed_ids))
    return ForYou(
        picks=[(by_id[p.paper_id], p) for p in picks if p.paper_id in by_id],
        authors=[(name, _author_papers(store, name, since)) for name in dict.fromkeys(authors)],
        liked=len(liked),
        liked_examples=[examples[pid] for pid, _ in liked[:5] if pid in examples],
        dismissed=[(gone[pid], at) for pid, at in dismissed_marks if pid in gone],
        since=since,
        candidates=len(pool),
    )


def _author_papers(store: Store, name: str, since: date | None) -> list[Paper]:
    """Always shown, "not interested" or not: following someone is an explicit choice."""
    if since is None:
        return []
    return store.papers.list_papers(
        Filters(authors=(name,), after=since), order="listing", limit=AUTHOR_PAPERS
    )


def not_interested(store: Store, user_id: int, raw_id: str, now: datetime) -> str:
    """Mark a paper (any id form) not interesting; its canonical id. NotFound when absent."""
    paper_id = store.papers.find_paper_id(raw_id)
    if paper_id is None:
        raise NotFound(f"no paper with id {raw_id[:60]!r}")
    store.dismissals.dismiss(user_id, paper_id, now)
    return paper_id


def interested_again(store: Store, user_id: int, raw_id: str) -> str:
    """Undo one "not interested" (the paper may since have been hidden: the mark goes)."""
    paper_id = store.papers.find_paper_id(raw_id) or raw_id.strip()
    store.dismissals.undismiss(user_id, paper_id)
    return paper_id


def reset_not_interested(store: Store, user_id: int) -> int:
    """Forget every "not interested" mark of the account; how many there were."""
    return store.dismissals.reset(user_id)
