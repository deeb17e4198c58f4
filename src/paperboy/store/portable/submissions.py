"""Submissions in portable SQL (both backends). Days travel as ISO text, which SQLite
compares as text and PostgreSQL casts to DATE."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from paperboy.models.community import User
from paperboy.models.discussion import Submission
from paperboy.store.portable.executor import Executor, as_datetime, now
from paperboy.store.portable.users import _user
from paperboy.store.submissions import SubmissionStore

_SUB = (
    "SELECT s.paper_id, s.user_id, u.display_name, u.email, s.day, s.submitted_at"
    " FROM submissions s JOIN users u ON u.id = s.user_id"
)
# Papers submitted in the period, or listed in it and upvoted (local votes or imported).
# The candidates come from two indexed look-ups (submissions.day, papers.listing_date), so
# a picks page never scans the corpus.
_PICKS = (
    " FROM papers p LEFT JOIN paper_counts c ON c.paper_id = p.id"
    " LEFT JOIN submissions s ON s.paper_id = p.id"
    " WHERE p.id IN (SELECT paper_id FROM submissions WHERE day >= %s AND day <= %s"
    " UNION SELECT id FROM papers WHERE listing_date >= %s AND listing_date <= %s)"
    " AND p.hidden_at IS NULL"
    " AND ((s.day >= %s AND s.day <= %s) OR c.votes > 0 OR p.upvotes > 0)"
)


def as_day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _submission(row: Sequence) -> Submission:
    name = row[2] or str(row[3]).split("@", 1)[0]
    return Submission(row[0], int(row[1]), name, as_day(row[4]), as_datetime(row[5]) or now())


class SQLSubmissions(SubmissionStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def submit(self, user_id: int, paper_id: str, day: date, now: datetime) -> bool:
        with self.sql.write() as w:
            added = w.execute(
                "INSERT INTO submissions (paper_id, user_id, submitted_at, day)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (paper_id) DO NOTHING RETURNING paper_id",
                (paper_id, user_id, now, day.isoformat()),
            )
            if added:
                self.sql.bump(w, "submissions")
        return bool(added)

    def submitted_on(self, day: date) -> list[tuple[str, User]]:
        rows = self.sql.read(
            # The users store's columns, in its order, after the paper id.
            "SELECT s.paper_id, u.id, u.email, u.display_name, u.created_at, u.is_admin,"
            " u.banned_at FROM submissions s JOIN users u ON u.id = s.user_id"
            " WHERE s.day = %s ORDER BY s.submitted_at, s.paper_id",
            (day.isoformat(),),
        )
        return [(r[0], _user(r[1:])) for r in rows]

    def count_by_user_since(self, user_id: int, since: datetime) -> int:
        rows = self.sql.read(
            "SELECT count(*) FROM submissions WHERE user_id = %s AND submitted_at >= %s",
            (user_id, since),
        )
        return int(rows[0][0])

    def submitter(self, paper_id: str) -> Submission | None:
        rows = self.sql.read(f"{_SUB} WHERE s.paper_id = %s", (paper_id,))
        return _submission(rows[0]) if rows else None

    def submitters(self, paper_ids: Iterable[str]) -> dict[str, Submission]:
        ids = list(dict.fromkeys(paper_ids))
        out: dict[str, Submission] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for row in self.sql.read(f"{_SUB} WHERE s.paper_id IN ({marks})", chunk):
                out[row[0]] = _submission(row)
        return out

    def picks(self, start: date, end: date, limit: int, offset: int) -> tuple[list[str], int]:
        period = (start.isoformat(), end.isoformat()) * 3
        rows = self.sql.read(
            "SELECT p.id" + _PICKS + " ORDER BY COALESCE(c.votes, 0) + COALESCE(p.upvotes, 0)"
            " DESC, p.id DESC LIMIT %s OFFSET %s",
            (*period, limit, offset),
        )
        total = self.sql.read("SELECT count(*)" + _PICKS, period)
        return [r[0] for r in rows], int(total[0][0])

    def version(self) -> int:
        return self.sql.counter("submissions")
