"""The digest delivery log's rows: one per (subscriber, period), and one per send run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CLAIMED = "claimed"  # a run took it and is sending it now (or died while sending: in doubt)
SENT = "sent"  # the server accepted it; the mailed papers are recorded with it
EMPTY = "empty"  # nothing new for this person in this period: no mail, period done
TEMPORARY = "temporary"  # 4xx or no server, after the retries: the next run tries again
PERMANENT = "permanent"  # 5xx: not tried again for this period
IN_DOUBT = "in_doubt"  # the body went out and no answer came back: maybe delivered


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    subscriber_id: int
    period: str
    status: str
    run_id: int
    since: datetime
    until: datetime
    claimed_at: datetime
    finished_at: datetime | None = None
    attempts: int = 1
    message_id: str | None = None
    detail: str | None = None
    email: str | None = None  # filled in by listings that join the subscriber


@dataclass(frozen=True)
class DigestRun:
    id: int
    holder: str  # host:pid
    at: datetime
    dry_run: bool
    started_at: datetime
    beat_at: datetime
    finished_at: datetime | None = None
    sent: int = 0
    empty: int = 0
    failed: int = 0
    in_doubt: int = 0
