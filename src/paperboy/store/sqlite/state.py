"""Importer state in SQLite: one row per key."""

from __future__ import annotations

from paperboy.store.sqlite.db import Database, now_text
from paperboy.store.state import StateStore


class SQLiteState(StateStore):
    def __init__(self, db: Database) -> None:
        self.db = db

    def get_state(self, key: str) -> str | None:
        rows = self.db.read("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_state(self, key: str, value: str | None) -> None:
        with self.db.write() as conn:
            if value is None:
                conn.execute("DELETE FROM state WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                    " updated_at = excluded.updated_at",
                    (key, value, now_text()),
                )

    def setdefault_state(self, key: str, value: str) -> str:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO NOTHING",
                (key, value, now_text()),
            )
            return conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()[0]

    def all_state(self) -> dict[str, str]:
        return dict(self.db.read("SELECT key, value FROM state ORDER BY key"))
