"""Comments in portable SQL (both backends)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from paperboy.models.discussion import Comment
from paperboy.store.comments import CommentStore
from paperboy.store.portable.executor import Executor, as_datetime, now

_COMMENT = (
    "SELECT c.id, c.paper_id, c.user_id, u.display_name, u.email, c.parent_id, c.body,"
    " c.created_at, c.edited_at, c.deleted_at, c.hidden_at"
    " FROM comments c JOIN users u ON u.id = c.user_id"
)


def _comment(row: Sequence) -> Comment:
    return Comment(
        id=int(row[0]),
        paper_id=row[1],
        user_id=int(row[2]),
        author=row[3] or str(row[4]).split("@", 1)[0],
        parent_id=int(row[5]) if row[5] is not None else None,
        body=row[6],
        created_at=as_datetime(row[7]) or now(),
        edited_at=as_datetime(row[8]),
        deleted_at=as_datetime(row[9]),
        hidden_at=as_datetime(row[10]),
    )


class SQLComments(CommentStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def add(
        self, paper_id: str, user_id: int, body: str, parent_id: int | None, now: datetime
    ) -> Comment:
        with self.sql.write() as w:
            made = w.execute(
                "INSERT INTO comments (paper_id, user_id, parent_id, body, created_at)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (paper_id, user_id, parent_id, body, now),
            )
            self.sql.bump(w, "comments")
            rows = w.execute(f"{_COMMENT} WHERE c.id = %s", (made[0][0],))
        return _comment(rows[0])

    def get(self, comment_id: int) -> Comment | None:
        rows = self.sql.read(f"{_COMMENT} WHERE c.id = %s", (comment_id,))
        return _comment(rows[0]) if rows else None

    def edit(self, comment_id: int, user_id: int, body: str, now: datetime) -> bool:
        with self.sql.write() as w:
            changed = w.execute(
                "UPDATE comments SET body = %s, edited_at = %s WHERE id = %s AND user_id = %s"
                " AND deleted_at IS NULL RETURNING id",
                (body, now, comment_id, user_id),
            )
            if changed:
                self.sql.bump(w, "comments")
        return bool(changed)

    def delete(self, comment_id: int, user_id: int, now: datetime) -> bool:
        with self.sql.write() as w:
            changed = w.execute(
                "UPDATE comments SET body = '', deleted_at = %s WHERE id = %s AND user_id = %s"
                " AND deleted_at IS NULL RETURNING id",
                (now, comment_id, user_id),
            )
            if changed:
                self.sql.bump(w, "comments")
        return bool(changed)

    def set_hidden(self, comment_id: int, hidden: bool, now: datetime) -> bool:
        condition = "hidden_at IS NULL" if hidden else "hidden_at IS NOT NULL"
        with self.sql.write() as w:
            changed = w.execute(
                f"UPDATE comments SET hidden_at = %s WHERE id = %s AND {condition} RETURNING id",
                (now if hidden else None, comment_id),
            )
            if changed:
                self.sql.bump(w, "comments")
        return bool(changed)

    def thread(self, paper_id: str) -> list[Comment]:
        rows = self.sql.read(
            f"{_COMMENT} WHERE c.paper_id = %s ORDER BY COALESCE(c.parent_id, c.id), c.id",
            (paper_id,),
        )
        return [_comment(r) for r in rows]

    def counts(self, paper_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(paper_ids))
        out: dict[str, int] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for pid, n in self.sql.read(
                "SELECT paper_id, count(*) FROM comments WHERE paper_id IN"
                f" ({marks}) AND deleted_at IS NULL AND hidden_at IS NULL GROUP BY paper_id",
                chunk,
            ):
                out[pid] = int(n)
        return out

    def version(self) -> int:
        return self.sql.counter("comments")
