"""SQLite backend: one file (WAL), FTS5 for BM25, an in-process vector index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from paperboy.store.base import MIGRATE_MODES, Store, StoreError
from paperboy.store.migrate import migrate_sqlite
from paperboy.store.portable import attach
from paperboy.store.sqlite.db import Database, SQLiteExecutor, create_private
from paperboy.store.sqlite.papers import SQLitePapers
from paperboy.store.sqlite.state import SQLiteState
from paperboy.store.sqlite.vectors import SQLiteVectors

__all__ = ["SQLiteStore"]


class SQLiteStore(Store):
    def __init__(self, path: str | Path, *, migrate: str = "auto") -> None:
        if migrate not in MIGRATE_MODES:
            raise ValueError(f"migrate: expected one of {MIGRATE_MODES}")
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        create_private(self.path)
        try:
            self.db = Database(self.path)
            self.migrated = migrate_sqlite(self.db.writer, self.url, migrate)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable SQLite database ({exc})") from None
        except StoreError:
            if hasattr(self, "db"):
                self.db.close()
            raise
        self.papers = SQLitePapers(self.db)
        self.vectors = SQLiteVectors(self.db, self.papers)
        self.state = SQLiteState(self.db)
        attach(self, SQLiteExecutor(self.db))

    def storage_stats(self) -> dict:
        size = self.path.stat().st_size if self.path.exists() else 0
        return {"database": self.url, "file_bytes": size}
