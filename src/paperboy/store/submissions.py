"""Papers people submitted by arXiv id: the first submitter of a paper wins.

A submission puts the paper in that day's community picks with the submitter's name, so
each row is one (paper, account, UTC day); a repeat is a no-op that reports False.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date, datetime

from paperboy.models.community import User
from paperboy.models.discussion import Submission


class SubmissionStore(ABC):
    @abstractmethod
    def submit(self, user_id: int, paper_id: str, day: date, now: datetime) -> bool:
        """Record ``user_id`` as the paper's submitter; False when somebody already did."""

    @abstractmethod
    def submitted_on(self, day: date) -> list[tuple[str, User]]:
        """(paper id, submitter) of the papers submitted on ``day``, oldest first."""

    @abstractmethod
    def count_by_user_since(self, user_id: int, since: datetime) -> int:
        """Submissions of one account since ``since``: the daily cap counts these."""

    @abstractmethod
    def submitter(self, paper_id: str) -> Submission | None: ...

    @abstractmethod
    def submitters(self, paper_ids: Iterable[str]) -> dict[str, Submission]:
        """The submissions of those of ``paper_ids`` that have one (cards of a page)."""

    @abstractmethod
    def picks(self, start: date, end: date, limit: int, offset: int) -> tuple[list[str], int]:
        """Community picks of a period, ranked by votes (local plus imported), and their total:
        papers submitted in it, and papers listed in it that somebody upvoted. Hidden papers
        are left out."""

    @abstractmethod
    def version(self) -> int:
        """Moves with every submission: cached pages that show submitters key on it."""
