"""Submit a paper by arXiv id or URL: fetched through the arXiv API when new, then listed in
that day's community picks as "submitted by NAME" (the first submitter wins).

The daily cap is checked before anything is fetched, and unknown ids are fetched under a
rate limit too, so a form cannot be turned into a crawler of arXiv.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from paperboy.config import Settings
from paperboy.core.discussion import TooMany
from paperboy.core.errors import InvalidParameter, NotFound
from paperboy.core.harvest import IngestStopped, lookup_arxiv_ids
from paperboy.ingest.harvest.http import Fetcher
from paperboy.models.arxiv_id import parse_arxiv_id
from paperboy.models.community import User
from paperboy.models.paper import Paper
from paperboy.store import Store

DAILY_CAP = 10  # submissions per account and UTC day
LOOKUPS_PER_DAY = 30  # arXiv look-ups per account and day (unknown ids included)


class UpstreamDown(RuntimeError):
    """arXiv did not answer; nothing was stored (HTTP 503 on the web)."""


@dataclass(frozen=True)
class Submitted:
    paper: Paper
    fetched: bool  # new to this instance, fetched from arXiv now
    submitted: bool  # this account is now its submitter (False: somebody was already)


def parse_submission(text: str | None) -> str:
    """The canonical arXiv id in a pasted id or URL, or a message naming the problem."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidParameter("id: paste an arXiv id or URL, such as 2401.01234")
    try:
        return parse_arxiv_id(raw).id
    except ValueError:
        raise InvalidParameter(
            f"id: {raw[:80]!r} is not an arXiv id or URL; paste one such as 2401.01234 or "
            "https://arxiv.org/abs/2401.01234 (only arXiv papers can be submitted)"
        ) from None


def submit_paper(
    store: Store,
    settings: Settings,
    user: User,
    text: str | None,
    *,
    now: datetime | None = None,
    fetcher: Fetcher | None = None,
) -> Submitted:
    """Add the paper to today's (UTC) community picks, fetching it first if it is new."""
    moment = now or datetime.now(UTC)
    paper_id = parse_submission(text)
    paper = store.papers.get_paper(paper_id)
    if paper is not None and store.submissions.submitter(paper.id) is not None:
        return Submitted(paper, fetched=False, submitted=False)  # a duplicate: its page
    day_start = datetime.combine(moment.date(), time(), UTC)
    if store.submissions.count_by_user_since(user.id, day_start) >= DAILY_CAP:
        raise TooMany(f"id: you can submit {DAILY_CAP} papers a day; try again tomorrow (UTC)")
    fetched = False
    if paper is None:
        if store.limits.hit(f"submit-lookup:{user.id}", 86_400, moment) > LOOKUPS_PER_DAY:
            raise TooMany(f"id: at most {LOOKUPS_PER_DAY} arXiv look-ups a day; try tomorrow")
        try:
            lookup_arxiv_ids(store, settings, [paper_id], fetcher=fetcher)
        except IngestStopped as exc:
            raise UpstreamDown(f"arXiv did not answer ({exc}); try again later") from None
        paper = store.papers.get_paper(paper_id)
        if paper is None:
            raise NotFound(f"id: arXiv has no paper {paper_id}; check the id and try again")
        fetched = True
    submitted = store.submissions.submit(user.id, paper.id, moment.date(), moment)
    return Submitted(paper, fetched=fetched, submitted=submitted)
