"""Trending scores and library-feed secrets in portable SQL (both backends)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from paperboy.models.trending import TrendingRow
from paperboy.store.feed_tokens import FeedTokenStore
from paperboy.store.portable.executor import Executor, as_datetime, now
from paperboy.store.trending import TrendingStore

_COLUMNS = "t.paper_id, t.score, t.votes, t.saves, t.imported_upvotes, t.age_hours"
_VISIBLE = "FROM trending t JOIN papers p ON p.id = t.paper_id WHERE p.hidden_at IS NULL"


def _row(r: tuple) -> TrendingRow:
    return TrendingRow(r[0], float(r[1]), int(r[2]), int(r[3]), int(r[4]), float(r[5]))


class SQLTrending(TrendingStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def replace(self, rows: Sequence[TrendingRow], computed_at: datetime) -> None:
        with self.sql.write() as w:
            # The counter first: its row lock makes concurrent refreshes (the web app's
            # refresher and `paperboy trending refresh`) replace the table one at a time.
            self.sql.bump(w, "trending")
            w.execute("DELETE FROM trending")
            for r in rows:
                w.execute(
                    "INSERT INTO trending (paper_id, score, votes, saves, imported_upvotes,"
                    " age_hours, computed_at) SELECT %s, %s, %s, %s, %s, %s, %s"
                    " WHERE EXISTS (SELECT 1 FROM papers WHERE id = %s)",
                    (r.paper_id, r.score, r.votes, r.saves, r.imported_upvotes, r.age_hours,
                     computed_at, r.paper_id),
                )  # fmt: skip

    def top(self, limit: int = 50, offset: int = 0) -> list[TrendingRow]:
        rows = self.sql.read(
            f"SELECT {_COLUMNS} {_VISIBLE} ORDER BY t.score DESC, t.paper_id LIMIT %s OFFSET %s",
            (limit, offset),
        )
        return [_row(r) for r in rows]

    def count(self) -> int:
        return int(self.sql.read(f"SELECT count(*) {_VISIBLE}")[0][0])

    def scores(self, paper_ids: Iterable[str]) -> dict[str, float]:
        ids = list(dict.fromkeys(paper_ids))
        out: dict[str, float] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for pid, score in self.sql.read(
                f"SELECT paper_id, score FROM trending WHERE paper_id IN ({marks})", chunk
            ):
                out[pid] = float(score)
        return out

    def computed_at(self) -> datetime | None:
        rows = self.sql.read("SELECT max(computed_at) FROM trending")
        return as_datetime(rows[0][0]) if rows else None

    def version(self) -> int:
        return self.sql.counter("trending")


class SQLFeedTokens(FeedTokenStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def set_feed_token(self, user_id: int, token_hash: str) -> None:
        with self.sql.write() as w:
            w.execute(
                "INSERT INTO feed_tokens (user_id, token_hash, created_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,"
                " created_at = excluded.created_at",
                (user_id, token_hash, now()),
            )

    def has_feed_token(self, user_id: int) -> bool:
        return bool(self.sql.read("SELECT 1 FROM feed_tokens WHERE user_id = %s", (user_id,)))

    def feed_user(self, token_hash: str) -> int | None:
        rows = self.sql.read(
            "SELECT f.user_id FROM feed_tokens f JOIN users u ON u.id = f.user_id"
            " WHERE f.token_hash = %s AND u.banned_at IS NULL",
            (token_hash,),
        )
        return int(rows[0][0]) if rows else None
