"""Fixed-window rate limits in portable SQL (both backends)."""

from __future__ import annotations

from datetime import datetime

from paperboy.store.limits import RateLimitStore
from paperboy.store.portable.executor import Executor

KEEP = 86_400  # seconds of old windows kept before they are swept


class SQLRateLimits(RateLimitStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def hit(self, bucket: str, window_seconds: int, now: datetime) -> int:
        start = int(now.timestamp()) // window_seconds * window_seconds
        with self.sql.write() as w:
            rows = w.execute(
                "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (%s, %s, 1)"
                " ON CONFLICT (bucket, window_start) DO UPDATE"
                " SET hits = rate_limits.hits + 1 RETURNING hits",
                (bucket, start),
            )
            if start % 3600 == 0:  # now and then, not on every hit
                w.execute("DELETE FROM rate_limits WHERE window_start < %s", (start - KEEP,))
        return int(rows[0][0])
