"""The digest delivery log: what each subscriber was sent for each period, and the runs.

Exactly once rests on two writes per digest: ``claim`` (an ``INSERT … ON CONFLICT`` that one
run wins) just before the SMTP transaction, and ``complete`` (status and mailed papers in one
transaction) right after the server accepts. Anything between the two is in doubt.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime

from paperboy.models.delivery import DeliveryRecord, DigestRun


class DeliveryStore(ABC):
    # --- runs ---------------------------------------------------------------------------
    @abstractmethod
    def start_run(self, holder: str, at: datetime, dry_run: bool, now: datetime) -> DigestRun: ...

    @abstractmethod
    def beat(self, run_id: int, now: datetime) -> None:
        """Show the run is alive (other runs treat its claims as live while it beats)."""

    @abstractmethod
    def finish_run(
        self, run_id: int, now: datetime, sent: int, empty: int, failed: int, in_doubt: int
    ) -> None: ...

    @abstractmethod
    def get_run(self, run_id: int) -> DigestRun | None: ...

    @abstractmethod
    def runs(self, limit: int = 10) -> list[DigestRun]:
        """The most recent runs, newest first."""

    # --- deliveries ---------------------------------------------------------------------
    @abstractmethod
    def claim(
        self,
        subscriber_id: int,
        period: str,
        run_id: int,
        since: datetime,
        until: datetime,
        now: datetime,
        *,
        status: str = "claimed",
        retake: Collection[str] = ("temporary",),
    ) -> int | None:
        """Atomically take (subscriber, period) for ``run_id``: the delivery id, or None when
        another row holds it (any status but those in ``retake``). Two runs never both win.
        ``status="empty"`` settles a period that has nothing to send the same way."""

    @abstractmethod
    def complete(
        self, delivery_id: int, message_id: str, paper_ids: Sequence[str], now: datetime
    ) -> bool:
        """Mark a claimed delivery sent and record its papers as mailed to that subscriber,
        in one transaction. False if the row was not claimed (nothing written)."""

    @abstractmethod
    def finish(self, delivery_id: int, status: str, detail: str, now: datetime) -> bool:
        """End a claimed delivery as temporary, permanent or in doubt (False: not claimed)."""

    @abstractmethod
    def get(self, delivery_id: int) -> DeliveryRecord | None: ...

    @abstractmethod
    def for_periods(
        self, subscriber_ids: Sequence[int], periods: Collection[str]
    ) -> dict[tuple[int, str], DeliveryRecord]:
        """Rows of those subscribers in those periods (what a run may skip at once)."""

    @abstractmethod
    def last_until(self, subscriber_ids: Sequence[int]) -> dict[int, datetime]:
        """The end of each subscriber's latest window that was, or may have been, mailed:
        sent, in doubt or claimed (where the next begins; in doubt means "maybe delivered",
        so its papers are not mailed again unless that digest is resent on purpose)."""

    @abstractmethod
    def mailed(self, subscriber_ids: Sequence[int], since: datetime) -> dict[int, set[str]]:
        """Papers mailed to each subscriber at or after ``since``."""

    @abstractmethod
    def claimed(self) -> list[tuple[DeliveryRecord, DigestRun | None]]:
        """Every row still claimed, with its run (to tell live runs from dead ones)."""

    @abstractmethod
    def recent(self, status: str | None = None, limit: int = 100) -> list[DeliveryRecord]:
        """Rows (with the subscriber's address), newest first."""

    @abstractmethod
    def count(self, status: str | None = None) -> int: ...

    # --- moving an instance (paperboy copy) ---------------------------------------------
    @abstractmethod
    def export(self, batch_size: int = 1000) -> Iterator[list[tuple[DeliveryRecord, list[str]]]]:
        """Every delivery (with the subscriber's address) and the papers it mailed, by id,
        in batches."""

    @abstractmethod
    def import_deliveries(self, rows: Sequence[tuple[int, DeliveryRecord, Sequence[str]]]) -> int:
        """Store copied deliveries under the given subscriber ids, with their mailed papers;
        a (subscriber, period) the store already has is left as it is. How many were new."""
