"""One SQLite file: a single writer behind a lock, one reader connection per thread.

WAL lets readers run beside the writer (and beside writers in other processes, which
``BEGIN IMMEDIATE`` and the busy timeout serialise), so a long import never blocks the web
app's reads.

Our own processes (``serve --workers N``) also queue for the write on an ``flock`` of a
``-writer`` file beside the database. SQLite's busy handler waits by sleeping 1, 2, 5 … up
to 100 ms between tries, so under a stream of short writes from two workers one process
kept the lock while the other slept: votes/s flipped between runs and p99 reached 300 ms.
A waiter polls the ``flock`` every millisecond, so it takes the lock within about 1 ms of
its release, and gives up with "database is locked" after 30 s, like the busy timeout. Writers
that are not Paperboy processes still meet SQLite's busy timeout.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paperboy.store.portable.executor import utc_text

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

CHUNK = 500  # host parameters per IN (...) list
READER_MMAP = 1 << 30  # bytes of the file each reader maps (SQLite caps it at its own max)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def marks(n: int) -> str:
    return ",".join("?" * n)


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all_readers: list[sqlite3.Connection] = []  # every thread's reader, to close
        self._readers_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self.writer = self.connect()  # a non-database file fails here, at the WAL pragma
        self._queue_fd = _open_queue(path)

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @property
    def reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
            # Reads map the file instead of copying each page through read(2): a search
            # touches thousands of full-text pages, and every thread has its own small page
            # cache, so the copies were a third of a search's CPU. Address space, not memory.
            conn.execute(f"PRAGMA mmap_size = {READER_MMAP}")
            with self._readers_lock:
                self._all_readers.append(conn)
        return conn

    def read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.reader.execute(sql, params).fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the single writer (re-entrant within a thread)."""
        with self._write_lock:
            if self.writer.in_transaction:  # nested: the outer transaction commits
                yield self.writer
                return
            if self._queue_fd is not None:
                _take_queue(self._queue_fd, QUEUE_TIMEOUT)
            try:
                self.writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self.writer
                except BaseException:
                    self.writer.execute("ROLLBACK")
                    raise
                self.writer.execute("COMMIT")
            finally:
                if self._queue_fd is not None:
                    fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def bump(self, conn: sqlite3.Connection, counter: str) -> None:
        conn.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (counter,))

    def counter(self, name: str) -> int:
        rows = self.read("SELECT value FROM counters WHERE name = ?", (name,))
        return rows[0][0] if rows else 0

    def close(self) -> None:
        with self._readers_lock:
            for conn in [*self._all_readers, self.writer]:
                conn.close()
            self._all_readers.clear()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None


QUEUE_TIMEOUT = 30.0  # seconds, as the busy timeout: a hung writer is an error, not a hang
_QUEUE_POLL = 0.001


def _take_queue(fd: int, timeout: float) -> None:
    """Take the ``-writer`` lock, polling every millisecond (a free lock is taken at once;
    a waiter wakes within ~1 ms of its release); after ``timeout`` s, "database is locked"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError(
                    f"database is locked: another process has held the write for {timeout:.0f} s"
                ) from None
            time.sleep(_QUEUE_POLL)


def _open_queue(path: Path) -> int | None:
    """The ``-writer`` lock file our processes queue on (0600, like the database), or None
    where it cannot be made (no ``fcntl``, a read-only folder): the busy timeout then serves."""
    if fcntl is None:
        return None
    try:
        return os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None


def create_private(path: Path) -> None:
    """Create the database's missing directories 0700 and a missing database file 0600.

    The database holds users' lists and, later, mail addresses. SQLite gives the -wal and -shm
    files the mode of the database file, so those follow. Existing directories and files keep
    the mode their owner chose: /tmp or the working directory are not ours to change.
    """
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    for directory in reversed(missing):  # outermost first
        directory.mkdir(mode=0o700, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an empty file is a valid, empty SQLite database


class SQLiteExecutor:
    """The portable stores' executor on SQLite: ``%s`` → ``?``, datetimes as UTC text."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%s", "?")

    @staticmethod
    def _params(params: Sequence[Any]) -> list[Any]:
        return [utc_text(p) if isinstance(p, datetime) else p for p in params]

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.db.read(self._sql(sql), self._params(params))

    @contextmanager
    def write(self) -> Iterator[_SQLiteWriter]:
        with self.db.write() as conn:
            yield _SQLiteWriter(conn, self)

    def bump(self, writer: Any, counter: str) -> None:
        writer.execute("UPDATE counters SET value = value + 1 WHERE name = %s", (counter,))

    def counter(self, name: str) -> int:
        return self.db.counter(name)


class _SQLiteWriter:
    def __init__(self, conn: sqlite3.Connection, ex: SQLiteExecutor) -> None:
        self.conn = conn
        self.ex = ex
        self._count = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cur = self.conn.execute(self.ex._sql(sql), self.ex._params(params))
        rows = cur.fetchall()
        self._count = cur.rowcount
        return rows

    def rowcount(self) -> int:
        return self._count
