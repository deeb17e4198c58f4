""" "Not interested" marks: papers a reader asked not to be shown again (picks' negatives)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

Dismissal = tuple[int, str, datetime]  # (user id, paper id, when)


class DismissalStore(ABC):
    @abstractmethod
    def dismiss(self, user_id: int, paper_id: str, now: datetime) -> bool:
        """Mark ``paper_id`` not interesting for the account; True when this added the mark
        (False: already marked, or no such paper)."""

    @abstractmethod
    def undismiss(self, user_id: int, paper_id: str) -> bool:
        """Remove one mark; True when there was one."""

    @abstractmethod
    def dismissed(self, user_id: int, limit: int = 500) -> list[tuple[str, datetime]]:
        """The account's marks, newest first: (paper id, when). Hidden papers too: a mark
        still says what the reader does not want."""

    @abstractmethod
    def among(self, user_id: int, paper_ids: Iterable[str]) -> set[str]:
        """Those of ``paper_ids`` the account marked."""

    @abstractmethod
    def count(self, user_id: int) -> int: ...

    @abstractmethod
    def reset(self, user_id: int) -> int:
        """Forget all the account's marks; how many there were."""

    @abstractmethod
    def export(self, batch_size: int = 5000) -> Iterator[list[Dismissal]]:
        """Every mark once, in batches (``paperboy copy``)."""

    @abstractmethod
    def import_marks(self, marks: Sequence[Dismissal]) -> int:
        """Add marks as given (kept times; repeats and unknown papers ignored); how many."""
