""" "Not interested" marks in portable SQL (both backends)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from paperboy.store.dismissals import Dismissal, DismissalStore
from paperboy.store.portable.executor import Executor, as_datetime, now


class SQLDismissals(DismissalStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def dismiss(self, user_id: int, paper_id: str, now: datetime) -> bool:
        with self.sql.write() as w:
            return bool(
                w.execute(
                    "INSERT INTO dismissals (user_id, paper_id, created_at)"
                    " SELECT %s, %s, %s WHERE EXISTS (SELECT 1 FROM papers WHERE id = %s)"
                    " AND EXISTS (SELECT 1 FROM users WHERE id = %s)"
                    " ON CONFLICT (user_id, paper_id) DO NOTHING RETURNING paper_id",
                    (user_id, paper_id, now, paper_id, user_id),
                )
            )

    def undismiss(self, user_id: int, paper_id: str) -> bool:
        with self.sql.write() as w:
            return bool(
                w.execute(
                    "DELETE FROM dismissals WHERE user_id = %s AND paper_id = %s"
                    " RETURNING paper_id",
                    (user_id, paper_id),
                )
            )

    def dismissed(self, user_id: int, limit: int = 500) -> list[tuple[str, datetime]]:
        rows = self.sql.read(
            "SELECT paper_id, created_at FROM dismissals WHERE user_id = %s"
            " ORDER BY created_at DESC, paper_id LIMIT %s",
            (user_id, limit),
        )
        return [(pid, as_datetime(at) or now()) for pid, at in rows]

    def among(self, user_id: int, paper_ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(paper_ids))
        out: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            out.update(
                r[0]
                for r in self.sql.read(
                    f"SELECT paper_id FROM dismissals WHERE user_id = %s AND paper_id IN ({marks})",
                    [user_id, *chunk],
                )
            )
        return out

    def count(self, user_id: int) -> int:
        return int(
            self.sql.read("SELECT count(*) FROM dismissals WHERE user_id = %s", (user_id,))[0][0]
        )

    def reset(self, user_id: int) -> int:
        with self.sql.write() as w:
            return len(
                w.execute(
                    "DELETE FROM dismissals WHERE user_id = %s RETURNING paper_id", (user_id,)
                )
            )

    def export(self, batch_size: int = 5000) -> Iterator[list[Dismissal]]:
        offset = 0
        while rows := self.sql.read(
            "SELECT user_id, paper_id, created_at FROM dismissals"
            " ORDER BY user_id, paper_id LIMIT %s OFFSET %s",
            (batch_size, offset),
        ):
            offset += len(rows)
            yield [(int(u), p, as_datetime(at) or now()) for u, p, at in rows]

    def import_marks(self, marks: Sequence[Dismissal]) -> int:
        added = 0
        with self.sql.write() as w:
            for user_id, paper_id, at in marks:
                added += len(
                    w.execute(
                        "INSERT INTO dismissals (user_id, paper_id, created_at)"
                        " SELECT %s, %s, %s WHERE EXISTS (SELECT 1 FROM papers WHERE id = %s)"
                        " ON CONFLICT (user_id, paper_id) DO NOTHING RETURNING paper_id",
                        (user_id, paper_id, at, paper_id),
                    )
                )
        return added
