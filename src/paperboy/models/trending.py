"""One paper's trending score and the inputs it was computed from: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrendingRow:
    """A row of the ``trending`` table: the score and every input, so each item can say why."""

    paper_id: str
    score: float
    votes: int
    saves: int
    imported_upvotes: int
    age_hours: float
