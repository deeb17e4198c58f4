"""A PostgreSQL database through a psycopg 3 connection pool.

Every paper write takes one transaction-scoped advisory lock, so writers in any number of
processes merge one batch at a time (the upsert reads, merges and writes under it) and the
term statistics BM25 needs stay exact. Readers never wait for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)
WRITE_LOCK = 0x70617065  # pg_advisory_xact_lock key for paper and vector writes
MIGRATE_LOCK = 0x6D696772  # pg_advisory_lock key for migrations


class Database:
    """The pool opens after migrations, so every connection gets pgvector's adapters."""

    def __init__(self, url: str, *, max_size: int = 8) -> None:
        self.url = url
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": False},
            configure=_register_vector,
            open=False,
            name="paperboy",
        )

    def open(self) -> None:
        self.pool.open(wait=True, timeout=30)

    def read(
        self, sql: str, params: Sequence[Any] | dict | None = None, *, binary: bool = False
    ) -> list[tuple]:
        """Rows of one statement; ``binary`` for vectors (30x faster to load than as text)."""
        with self.pool.connection() as conn:
            return conn.execute(sql, params, binary=binary).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """A read-write transaction, committed on success, rolled back on error."""
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[psycopg.Connection]:
        """A write transaction holding the paper-writer lock."""
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            yield conn

    def bump(self, conn: psycopg.Connection, counter: str, by: int = 1) -> None:
        conn.execute("UPDATE counters SET value = value + %s WHERE name = %s", (by, counter))

    def counter(self, name: str) -> int:
        rows = self.read("SELECT value FROM counters WHERE name = %s", (name,))
        return rows[0][0] if rows else 0

    def close(self) -> None:
        self.pool.close()


def _register_vector(conn: psycopg.Connection) -> None:
    from pgvector.psycopg import register_vector

    register_vector(conn)
    conn.commit()


class PostgresExecutor:
    """The portable stores' executor on PostgreSQL (psycopg speaks ``%s`` natively)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.db.read(sql, list(params))

    @contextmanager
    def write(self) -> Iterator[_PostgresWriter]:
        with self.db.transaction() as conn:
            yield _PostgresWriter(conn)

    def bump(self, writer: Any, counter: str) -> None:
        writer.execute("UPDATE counters SET value = value + 1 WHERE name = %s", (counter,))

    def counter(self, name: str) -> int:
        return self.db.counter(name)


class _PostgresWriter:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self._count = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cur = self.conn.execute(sql, list(params))
        self._count = cur.rowcount
        return cur.fetchall() if cur.description is not None else []

    def rowcount(self) -> int:
        return self._count
