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

    def content_version(self) -> str:
        rows = self.db.read(
            "SELECT value FROM counters WHERE name IN ('papers', 'related', 'vectors')"
            " ORDER BY name"
        )
        return f"{id(self):x}:" + ".".join(str(r[0]) for r in rows)

    def schema_version(self) -> int:
        return self.db.read("SELECT max(version) FROM schema_migrations")[0][0] or 0

    def stats(self) -> dict:
        vectors = dict(self.db.read("SELECT model, count(*) FROM vectors GROUP BY model"))
        size = self.path.stat().st_size if self.path.exists() else 0
        return {
            **self.papers.stats(),
            "vectors": vectors,
            "schema_version": self.schema_version(),
            "database": self.url,
            "file_bytes": size,
        }

    def close(self) -> None:
        self.db.close()
