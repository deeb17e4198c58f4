"""Job leases shared by every worker process: never two copies of one job at once.

A lease is a row per job name with its holder and an expiry. Taking it is one atomic
``INSERT … ON CONFLICT`` that succeeds only when the row is free or expired, so two
processes (or hosts) racing for it cannot both win; a holder that dies without releasing
loses it when it expires.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from paperboy.models.job_lock import JobLock


class JobLockStore(ABC):
    @abstractmethod
    def acquire(self, name: str, holder: str, now: datetime, seconds: float) -> bool:
        """Take the lease on ``name`` until ``now + seconds``; True if ``holder`` has it now
        (it was free, expired, or already ``holder``'s), False if another holds it."""

    @abstractmethod
    def renew(self, name: str, holder: str, now: datetime, seconds: float) -> bool:
        """Extend ``holder``'s lease to ``now + seconds``; False if it is no longer theirs."""

    @abstractmethod
    def release(self, name: str, holder: str) -> bool:
        """Give the lease back; False if ``holder`` did not hold it (expired and taken)."""

    @abstractmethod
    def current(self, now: datetime) -> list[JobLock]:
        """Leases held at ``now`` (expired ones left out), by job name."""
