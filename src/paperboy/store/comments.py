"""Comments on papers: Markdown source kept as written, replies one level deep.

Deletes are soft so that replies keep their thread (the page shows "deleted" in place of the
body, which is blanked); admins hide a comment without deleting it. Every write moves the
``comments`` counter, which paper pages put in their cache key (the papers-changed counter
does not move, so a comment never empties the whole response cache).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime

from paperboy.models.discussion import Comment


class CommentStore(ABC):
    @abstractmethod
    def add(
        self, paper_id: str, user_id: int, body: str, parent_id: int | None, now: datetime
    ) -> Comment:
        """Store a comment. ``parent_id`` must name a top-level comment of the same paper
        (the core resolves replies to replies); the store does not check it again."""

    @abstractmethod
    def get(self, comment_id: int) -> Comment | None: ...

    @abstractmethod
    def edit(self, comment_id: int, user_id: int, body: str, now: datetime) -> bool:
        """Replace the body; False unless ``user_id`` wrote it and it is not deleted."""

    @abstractmethod
    def delete(self, comment_id: int, user_id: int, now: datetime) -> bool:
        """Soft-delete (the body is blanked); False unless ``user_id`` wrote it."""

    @abstractmethod
    def set_hidden(self, comment_id: int, hidden: bool, now: datetime) -> bool:
        """Hide or show a comment (admins); False when nothing changed."""

    @abstractmethod
    def thread(self, paper_id: str) -> list[Comment]:
        """Every comment of a paper, deleted and hidden ones included, in reading order:
        each top-level comment (oldest first) followed by its replies (oldest first)."""

    @abstractmethod
    def counts(self, paper_ids: Iterable[str]) -> dict[str, int]:
        """Visible (not deleted, not hidden) comments per paper, for those that have any."""

    @abstractmethod
    def version(self) -> int:
        """Moves with every comment write."""
