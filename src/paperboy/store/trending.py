"""Trending scores, replaced as a whole by each refresh and read in score order.

The table holds only the candidates of one refresh (papers voted or saved lately, papers
with imported upvotes in the window, the newest day's papers), so reading a page of it
never touches the rest of the corpus. Hidden papers are left out of every read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import datetime

from paperboy.models.trending import TrendingRow


class TrendingStore(ABC):
    @abstractmethod
    def replace(self, rows: Sequence[TrendingRow], computed_at: datetime) -> None:
        """Make ``rows`` the whole table, in one transaction (readers see old or new)."""

    @abstractmethod
    def top(self, limit: int = 50, offset: int = 0) -> list[TrendingRow]:
        """Rows by score, highest first (ties: paper id), hidden papers left out."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def scores(self, paper_ids: Iterable[str]) -> dict[str, float]:
        """Scores of those of ``paper_ids`` that have one."""

    @abstractmethod
    def computed_at(self) -> datetime | None:
        """When the last refresh ran (None: never)."""

    @abstractmethod
    def version(self) -> int:
        """Moves with every refresh: caches of trending pages key on it."""
