"""Job leases in portable SQL (both backends)."""

from __future__ import annotations

from datetime import datetime, timedelta

from paperboy.models.job_lock import JobLock
from paperboy.store.job_locks import JobLockStore
from paperboy.store.portable.executor import Executor, as_datetime


class SQLJobLocks(JobLockStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def acquire(self, name: str, holder: str, now: datetime, seconds: float) -> bool:
        if seconds <= 0:
            raise ValueError(f"a lease must last a positive time, not {seconds} s")
        with self.sql.write() as w:
            # The conflict update runs only when the row is expired or already ours; when it
            # does not, no row comes back, and the lease stays with its holder.
            rows = w.execute(
                "INSERT INTO job_locks (name, holder, acquired_at, expires_at)"
                " VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " acquired_at = excluded.acquired_at, expires_at = excluded.expires_at"
                " WHERE job_locks.expires_at <= excluded.acquired_at"
                " OR job_locks.holder = excluded.holder"
                " RETURNING holder",
                (name, holder, now, now + timedelta(seconds=seconds)),
            )
        return bool(rows) and rows[0][0] == holder

    def renew(self, name: str, holder: str, now: datetime, seconds: float) -> bool:
        with self.sql.write() as w:
            w.execute(
                "UPDATE job_locks SET expires_at = %s WHERE name = %s AND holder = %s",
                (now + timedelta(seconds=seconds), name, holder),
            )
            return w.rowcount() == 1

    def release(self, name: str, holder: str) -> bool:
        with self.sql.write() as w:
            w.execute("DELETE FROM job_locks WHERE name = %s AND holder = %s", (name, holder))
            return w.rowcount() == 1

    def current(self, now: datetime) -> list[JobLock]:
        rows = self.sql.read(
            "SELECT name, holder, acquired_at, expires_at FROM job_locks"
            " WHERE expires_at > %s ORDER BY name",
            (now,),
        )
        return [JobLock(r[0], r[1], _moment(r[2]), _moment(r[3])) for r in rows]


def _moment(value: object) -> datetime:
    moment = as_datetime(value)
    if moment is None:  # NOT NULL columns
        raise ValueError("job_locks: a lease without its time")
    return moment
