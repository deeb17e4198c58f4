"""A built digest: sections of papers for one subscriber and one period. Plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paperboy.models.paper import Paper
from paperboy.models.subscription import Subscriber

TRENDING = "trending"
SEARCH = "search"
AUTHORS = "authors"
PICKS = "picks"


@dataclass(frozen=True)
class DigestPaper:
    paper: Paper
    reason: str | None = None  # why it is here: "matches “diffusion”", "close to X that you saved"


@dataclass(frozen=True)
class DigestSection:
    kind: str  # TRENDING | SEARCH | AUTHORS | PICKS
    title: str  # as shown: "Trending", "Saved search: diffusion models", ...
    papers: tuple[DigestPaper, ...]


@dataclass(frozen=True)
class Digest:
    subscriber: Subscriber
    period: str  # the delivery key with the subscriber: "2026-11-27" or "2026-W48"
    since: datetime  # papers listed from here (inclusive) ...
    until: datetime  # ... up to here (exclusive)
    sections: tuple[DigestSection, ...]

    @property
    def paper_ids(self) -> list[str]:
        """Every paper once, in mail order (a paper appears in its first section only)."""
        return list(dict.fromkeys(p.paper.id for s in self.sections for p in s.papers))

    @property
    def empty(self) -> bool:
        return not any(s.papers for s in self.sections)
