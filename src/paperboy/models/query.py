"""Backend-neutral descriptions of what to fetch: filters and full-text queries.

The store compiles these into its own dialect (FTS5 MATCH, tsquery), so no caller writes SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Filters:
    categories: tuple[str, ...] = ()  # any of these (cs.CL, or an archive such as cs)
    authors: tuple[str, ...] = ()  # every one of these names, case-insensitive substring
    after: date | None = None  # on or after, by listing date (published when unlisted)
    before: date | None = None  # on or before
    namespace: str | None = None

    def __bool__(self) -> bool:
        return bool(self.categories or self.authors or self.after or self.before or self.namespace)


@dataclass(frozen=True, slots=True)
class TextQuery:
    """Words and quoted phrases; ``mode`` says how many must match: all (``and``), at least
    two (``two``) or any (``or``)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    mode: str = "and"  # "and" | "two" | "or"

    @property
    def parts(self) -> int:
        return len(self.terms) + len(self.phrases)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float


@dataclass(frozen=True, slots=True)
class FieldWeights:
    """BM25 weights per indexed field: one set for search and related papers alike.

    Title matches count three times an abstract match (tuned on SciFact train); authors count
    a little, so a name in the query finds that person's papers without drowning topical
    matches.
    """

    title: float = 3.0
    abstract: float = 1.0
    authors: float = 0.5


@dataclass(slots=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_ids: list[str] = field(default_factory=list)

    def add(self, other: UpsertCounts) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changed_ids.extend(other.changed_ids)
