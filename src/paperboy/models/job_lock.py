"""A worker job's lease: who runs it, since when, and until when the claim holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class JobLock:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime
