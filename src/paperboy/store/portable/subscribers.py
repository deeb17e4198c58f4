"""Digest subscribers in portable SQL (both backends). List preferences are JSON text."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime

from paperboy.models.subscription import CONFIRMED, SUSPENDED, Preferences, Subscriber
from paperboy.store.portable.executor import Executor, as_datetime
from paperboy.store.subscribers import SubscriberStore

_COLUMNS = (
    "id, email, status, user_id, created_at, confirmed_at, failures, cadence, weekday,"
    " timezone, send_hour, trending_count, categories, searches, authors, more_like_mine"
)
_SELECT = f"SELECT {_COLUMNS} FROM subscribers"
_PREFS = (
    "cadence = %s, weekday = %s, timezone = %s, send_hour = %s, trending_count = %s,"
    " categories = %s, searches = %s, authors = %s, more_like_mine = %s"
)


def _prefs_params(p: Preferences) -> tuple:
    return (
        p.cadence,
        p.weekday,
        p.timezone,
        p.send_hour,
        p.trending_count,
        json.dumps(list(p.categories)),
        json.dumps(list(p.searches)),
        json.dumps(list(p.authors)),
        bool(p.more_like_mine),
    )


def _subscriber(row: Sequence) -> Subscriber:
    return Subscriber(
        id=int(row[0]),
        email=row[1],
        status=row[2],
        user_id=None if row[3] is None else int(row[3]),
        created_at=as_datetime(row[4]),
        confirmed_at=as_datetime(row[5]),
        failures=int(row[6]),
        prefs=Preferences(
            cadence=row[7],
            weekday=int(row[8]),
            timezone=row[9],
            send_hour=int(row[10]),
            trending_count=int(row[11]),
            categories=tuple(json.loads(row[12])),
            searches=tuple(json.loads(row[13])),
            authors=tuple(json.loads(row[14])),
            more_like_mine=bool(row[15]),
        ),
    )


class SQLSubscribers(SubscriberStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def add(
        self,
        email: str,
        prefs: Preferences,
        status: str,
        now: datetime,
        user_id: int | None = None,
    ) -> tuple[Subscriber, bool]:
        prefs = prefs.checked()
        confirmed_at = now if status == CONFIRMED else None
        with self.sql.write() as w:
            made = w.execute(
                "INSERT INTO subscribers (email, status, user_id, created_at, confirmed_at,"
                " failures, cadence, weekday, timezone, send_hour, trending_count, categories,"
                " searches, authors, more_like_mine)"
                " VALUES (%s, %s, %s, %s, %s, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (email) DO NOTHING RETURNING id",
                (email, status, user_id, now, confirmed_at, *_prefs_params(prefs)),
            )
            if not made:
                w.execute(
                    f"UPDATE subscribers SET status = %s, confirmed_at = %s, failures = 0,"
                    f" user_id = COALESCE(user_id, %s), {_PREFS}"
                    " WHERE email = %s AND status NOT IN (%s, %s)",
                    (status, confirmed_at, user_id, *_prefs_params(prefs), email)
                    + (CONFIRMED, SUSPENDED),
                )
            rows = w.execute(f"{_SELECT} WHERE email = %s", (email,))
        return _subscriber(rows[0]), bool(made)

    def _one(self, where: str, params: Sequence) -> Subscriber | None:
        rows = self.sql.read(f"{_SELECT} WHERE {where}", params)
        return _subscriber(rows[0]) if rows else None

    def get(self, subscriber_id: int) -> Subscriber | None:
        return self._one("id = %s", (subscriber_id,))

    def find(self, email: str) -> Subscriber | None:
        return self._one("email = %s", (email,))

    def for_user(self, user_id: int) -> Subscriber | None:
        return self._one(
            "user_id = %s OR (user_id IS NULL AND email = (SELECT email FROM users WHERE id = %s))"
            " ORDER BY user_id IS NULL LIMIT 1",
            (user_id, user_id),
        )

    def set_status(self, subscriber_id: int, status: str, now: datetime) -> bool:
        with self.sql.write() as w:
            if status == CONFIRMED:
                w.execute(
                    "UPDATE subscribers SET status = %s, confirmed_at = %s, failures = 0"
                    " WHERE id = %s AND status <> %s",
                    (status, now, subscriber_id, status),
                )
            else:
                w.execute(
                    "UPDATE subscribers SET status = %s WHERE id = %s AND status <> %s",
                    (status, subscriber_id, status),
                )
            return w.rowcount() > 0

    def set_preferences(self, subscriber_id: int, prefs: Preferences) -> Subscriber | None:
        prefs = prefs.checked()
        with self.sql.write() as w:
            w.execute(
                f"UPDATE subscribers SET {_PREFS} WHERE id = %s",
                (*_prefs_params(prefs), subscriber_id),
            )
        return self.get(subscriber_id)

    def link_user(self, subscriber_id: int, user_id: int | None) -> None:
        with self.sql.write() as w:
            w.execute("UPDATE subscribers SET user_id = %s WHERE id = %s", (user_id, subscriber_id))

    def record_failure(self, subscriber_id: int, now: datetime, suspend_after: int) -> int:
        with self.sql.write() as w:
            rows = w.execute(
                "UPDATE subscribers SET failures = failures + 1 WHERE id = %s RETURNING failures",
                (subscriber_id,),
            )
            if not rows:
                return 0
            failures = int(rows[0][0])
            if failures >= suspend_after:
                w.execute(
                    "UPDATE subscribers SET status = %s WHERE id = %s AND status = %s",
                    (SUSPENDED, subscriber_id, CONFIRMED),
                )
            return failures

    def clear_failures(self, subscriber_id: int) -> None:
        with self.sql.write() as w:
            w.execute(
                "UPDATE subscribers SET failures = 0 WHERE id = %s AND failures <> 0",
                (subscriber_id,),
            )

    def remove(self, subscriber_id: int) -> bool:
        with self.sql.write() as w:
            return bool(
                w.execute("DELETE FROM subscribers WHERE id = %s RETURNING id", (subscriber_id,))
            )

    def list(
        self, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Subscriber]:
        where, params = ("WHERE status = %s", [status]) if status else ("", [])
        rows = self.sql.read(
            f"{_SELECT} {where} ORDER BY id LIMIT %s OFFSET %s", [*params, limit, offset]
        )
        return [_subscriber(r) for r in rows]

    def count(self, status: str | None = None) -> int:
        where, params = ("WHERE status = %s", [status]) if status else ("", [])
        return int(self.sql.read(f"SELECT count(*) FROM subscribers {where}", params)[0][0])

    def iter_confirmed(self, batch: int = 1000) -> Iterator[Subscriber]:
        last = 0
        while True:
            rows = self.sql.read(
                f"{_SELECT} WHERE status = %s AND id > %s ORDER BY id LIMIT %s",
                (CONFIRMED, last, batch),
            )
            if not rows:
                return
            for row in rows:
                yield _subscriber(row)
            last = int(rows[-1][0])
