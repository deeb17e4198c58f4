"""Votes and saves: one of each per account and paper, with counts kept exact.

Each change inserts or deletes one row and moves the paper's counts in the same
transaction, and only when the row really changed, so repeats are no-ops and concurrent
votes count exactly. Votes and saves of banned accounts stop counting (``recount``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from paperboy.models.community import PaperCounts

Mark = tuple[str, int, str, datetime]  # ("votes" | "saves", user id, paper id, when)


class VoteStore(ABC):
    @abstractmethod
    def vote(self, user_id: int, paper_id: str) -> bool:
        """Upvote; True when this changed anything (False: already voted)."""

    @abstractmethod
    def unvote(self, user_id: int, paper_id: str) -> bool: ...

    @abstractmethod
    def save(self, user_id: int, paper_id: str) -> bool: ...

    @abstractmethod
    def unsave(self, user_id: int, paper_id: str) -> bool: ...

    @abstractmethod
    def counts(self, paper_ids: Iterable[str]) -> dict[str, PaperCounts]:
        """Counts of the papers that have any (others: zero)."""

    @abstractmethod
    def marks(self, user_id: int, paper_ids: Iterable[str]) -> tuple[set[str], set[str]]:
        """(voted, saved) among ``paper_ids`` for one account."""

    def state(self, user_id: int, paper_id: str) -> tuple[bool, bool, int, int]:
        """(voted, saved, votes, saves) of one paper for one account: the answer to a vote.
        Backends may answer it in one statement (it runs once per vote)."""
        counts = self.counts([paper_id]).get(paper_id) or PaperCounts(0, 0)
        voted, saved = self.marks(user_id, [paper_id])
        return paper_id in voted, paper_id in saved, counts.votes, counts.saves

    def apply(self, action: str, user_id: int, paper_id: str) -> tuple[bool, bool, bool, int, int]:
        """``action`` (vote, unvote, save, unsave), then the paper's state for the account:
        (changed, voted, saved, votes, saves). Backends may do both in one transaction (it
        runs once per click); the state is then exactly the one this action left."""
        changed = getattr(self, action)(user_id, paper_id)
        return (changed, *self.state(user_id, paper_id))

    @abstractmethod
    def library(self, user_id: int, limit: int = 50, offset: int = 0) -> list[tuple[str, datetime]]:
        """Saved papers, newest save first: (paper id, saved at)."""

    @abstractmethod
    def count_library(self, user_id: int) -> int: ...

    @abstractmethod
    def liked(self, user_id: int, limit: int = 500) -> list[tuple[str, datetime]]:
        """Papers the account upvoted or saved (personal picks' positives), newest mark
        first: (paper id, when); hidden papers left out."""

    @abstractmethod
    def active_since(self, since: datetime) -> dict[str, PaperCounts]:
        """Counts of every paper voted or saved on since ``since`` (trending's input)."""

    @abstractmethod
    def recount(self, user_id: int) -> None:
        """Recount the papers this account voted on or saved (after a ban or unban)."""

    @abstractmethod
    def export_marks(self, batch_size: int = 5000) -> Iterator[list[Mark]]:
        """Every vote and save as (kind, user id, paper id, when), for copying an instance."""

    @abstractmethod
    def import_marks(self, marks: Sequence[Mark]) -> int:
        """Add marks as given (kept times; repeats ignored) and recount their papers."""

    @abstractmethod
    def version(self) -> int:
        """Moves with every vote or save: caches of counts and trending key on it."""
