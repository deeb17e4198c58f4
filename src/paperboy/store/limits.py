"""Rate limits kept in the database, so every worker process counts the same hits."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime


class RateLimitStore(ABC):
    @abstractmethod
    def hit(self, bucket: str, window_seconds: int, now: datetime) -> int:
        """Count one hit on ``bucket`` in the fixed window holding ``now``; the window's total
        so far, this hit included. Old windows are swept as a side effect."""
