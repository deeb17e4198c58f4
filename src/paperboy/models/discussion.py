"""Submissions and comments: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

MAX_COMMENT = 10_000  # characters of Markdown source


@dataclass(frozen=True)
class Submission:
    paper_id: str
    user_id: int
    author: str  # the submitter's public name (never the address)
    day: date
    submitted_at: datetime


@dataclass(frozen=True)
class Comment:
    """One comment; ``body`` is Markdown source (rendered and cleaned at the edge)."""

    id: int
    paper_id: str
    user_id: int
    author: str  # public name at read time
    parent_id: int | None
    body: str
    created_at: datetime
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    hidden_at: datetime | None = None

    @property
    def visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None
