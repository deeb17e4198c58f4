"""PostgreSQL backend: psycopg 3 pool, tsvector + BM25, pgvector HNSW."""

from __future__ import annotations

import psycopg

from paperboy.config import redact_url
from paperboy.store.base import MIGRATE_MODES, Store, StoreError
from paperboy.store.migrate import migrate_postgres
from paperboy.store.portable import attach
from paperboy.store.postgres.db import Database, PostgresExecutor
from paperboy.store.postgres.papers import PostgresPapers
from paperboy.store.postgres.state import PostgresState
from paperboy.store.postgres.vectors import PostgresVectors

__all__ = ["PostgresStore"]


class PostgresStore(Store):
    def __init__(self, url: str, *, migrate: str = "auto", pool_size: int = 8) -> None:
        if migrate not in MIGRATE_MODES:
            raise ValueError(f"migrate: expected one of {MIGRATE_MODES}")
        self.url = url
        self.display_url = redact_url(url)
        try:
            self.migrated = migrate_postgres(url, migrate)
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"{self.display_url}: cannot connect ({first})") from None
        self.db = Database(url, max_size=pool_size)
        self.db.open()
        self.papers = PostgresPapers(self.db)
        self.vectors = PostgresVectors(self.db)
        self.state = PostgresState(self.db)
        attach(self, PostgresExecutor(self.db))

    def storage_stats(self) -> dict:
        size = self.db.read("SELECT pg_database_size(current_database())")[0][0]
        return {"database": self.display_url, "database_bytes": size}
