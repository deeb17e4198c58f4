"""Importer state in PostgreSQL: one row per key."""

from __future__ import annotations

from paperboy.store.postgres.db import Database
from paperboy.store.state import StateStore


class PostgresState(StateStore):
    def __init__(self, db: Database) -> None:
        self.db = db

    def get_state(self, key: str) -> str | None:
        rows = self.db.read("SELECT value FROM state WHERE key = %s", (key,))
        return rows[0][0] if rows else None

    def set_state(self, key: str, value: str | None) -> None:
        with self.db.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM state WHERE key = %s", (key,))
            else:
                conn.execute(
                    "INSERT INTO state (key, value, updated_at) VALUES (%s, %s, now())"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                    " updated_at = excluded.updated_at",
                    (key, value),
                )

    def setdefault_state(self, key: str, value: str) -> str:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO state (key, value, updated_at) VALUES (%s, %s, now())"
                " ON CONFLICT (key) DO NOTHING",
                (key, value),
            )
            row = conn.execute("SELECT value FROM state WHERE key = %s", (key,)).fetchone()
            assert row is not None
            return str(row[0])

    def all_state(self) -> dict[str, str]:
        return dict(self.db.read("SELECT key, value FROM state ORDER BY key"))
