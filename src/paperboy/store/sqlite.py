"""SQLite backend: one file, WAL, a single writer thread-safe behind a lock, FTS5 for BM25.

Reads use one connection per thread, so a long import never blocks the web app's reads.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from paperboy.models.paper import Paper
from paperboy.models.query import FieldWeights, Filters, Hit, TextQuery
from paperboy.store.base import Store, StoreError
from paperboy.store.migrate import migrate_sqlite

_COLUMNS = (
    "id namespace version title abstract authors categories primary_category published "
    "updated listing_date comment journal_ref doi code_links upvotes upvote_sources "
    "first_seen last_seen content_hash"
).split()
_JSON = {"authors", "categories", "code_links", "upvote_sources"}
_DATES = {"published", "updated", "listing_date"}
_TIMES = {"first_seen", "last_seen"}
_SELECT = "SELECT " + ", ".join(f"p.{c}" for c in _COLUMNS) + " FROM papers p"
_ORDERS = {
    "listing": "COALESCE(p.listing_date, p.published) DESC, p.id DESC",
    "published": "p.published DESC, p.id DESC",
    "upvotes": "COALESCE(p.upvotes, 0) DESC, COALESCE(p.listing_date, p.published) DESC, p.id",
    "id": "p.id",
}
_CHUNK = 500  # host parameters per IN (...) list


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row_to_paper(row: Sequence) -> Paper:
    values = dict(zip(_COLUMNS, row, strict=True))
    kwargs = {}
    for name, value in values.items():
        if name in ("primary_category", "content_hash"):
            continue
        if name in _JSON:
            value = json.loads(value)
        elif name in _DATES and value:
            value = date.fromisoformat(value)
        elif name in _TIMES and value:
            value = datetime.fromisoformat(value)
        kwargs[name] = value
    return Paper(**kwargs)


_json_list = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per call


def _list_text(values: list[str]) -> str:
    return _json_list(values) if values else "[]"


def _paper_row(p: Paper, now: str) -> tuple:
    return (
        p.id, p.namespace, p.version, p.title, p.abstract,
        _list_text(p.authors), _list_text(p.categories),
        p.primary_category,
        p.published.isoformat() if p.published else None,
        p.updated.isoformat() if p.updated else None,
        p.listing_date.isoformat() if p.listing_date else None,
        p.comment, p.journal_ref, p.doi,
        _list_text(p.code_links), p.upvotes,
        _list_text(p.upvote_sources),
        now, now, p.content_hash(),
    )  # fmt: skip


def fts_expression(query: TextQuery) -> str:
    """An FTS5 MATCH expression with every user word quoted, so none is read as syntax."""
    parts = [_quote(t) for t in query.terms] + [_quote(p) for p in query.phrases]
    parts = [p for p in parts if p != '""']
    return (" AND " if query.mode == "and" else " OR ").join(parts)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def filter_sql(filters: Filters | None) -> tuple[str, list]:
    """A WHERE fragment over alias ``p`` and its parameters."""
    if not filters:
        return "1", []
    clauses, params = [], []
    if filters.categories:
        ors = []
        for cat in filters.categories:
            ors.append("j.value = ? OR j.value LIKE ?")
            params += [cat, f"{cat}.%"]
        clauses.append(f"EXISTS (SELECT 1 FROM json_each(p.categories) j WHERE {' OR '.join(ors)})")
    for author in filters.authors:
        clauses.append(
            "EXISTS (SELECT 1 FROM json_each(p.authors) j WHERE lower(j.value) LIKE ? ESCAPE '\\')"
        )
        params.append("%" + _like_escape(author.lower()) + "%")
    if filters.after:
        clauses.append("COALESCE(p.listing_date, p.published) >= ?")
        params.append(filters.after.isoformat())
    if filters.before:
        clauses.append("COALESCE(p.listing_date, p.published) <= ?")
        params.append(filters.before.isoformat())
    if filters.namespace:
        clauses.append("p.namespace = ?")
        params.append(filters.namespace)
    return " AND ".join(clauses) or "1", params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SQLiteStore(Store):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        _create_private(self.path)
        self._local = threading.local()
        self._all_readers: list[sqlite3.Connection] = []  # every thread's reader, to close
        self._write_lock = threading.RLock()
        self._generation = 0
        self._generation_lock = threading.Lock()
        self._total: tuple[str, int] | None = None  # (data version, count of all papers)
        try:
            self._writer = self._connect()  # a non-database file fails here, at the WAL pragma
            migrate_sqlite(self._writer)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable SQLite database ({exc})") from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @property
    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            self._all_readers.append(conn)
        return conn

    def _read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self._reader.execute(sql, params).fetchall()

    @contextmanager
    def _write_transaction(self):
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    # --- papers -------------------------------------------------------------------------
    def _stored_hashes(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            rows = self._writer.execute(
                f"SELECT id, content_hash FROM papers WHERE id IN ({marks})", chunk
            )
            out.update(rows)
        return out

    def _load_papers(self, ids: list[str]) -> dict[str, Paper]:
        return self._fetch_papers(self._writer, ids)

    def _fetch_papers(self, conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, Paper]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Paper] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"{_SELECT} WHERE p.id IN ({marks})", chunk):
                paper = _row_to_paper(row)
                out[paper.id] = paper
        return out

    def _write_papers(self, papers: list[tuple[Paper, bool]]) -> None:
        now = _now()
        inserts = [_paper_row(p, now) for p, new in papers if new]
        updates = [_paper_row(p, now) for p, new in papers if not new]
        if inserts:
            marks = ",".join("?" * len(_COLUMNS))
            self._writer.executemany(
                f"INSERT INTO papers ({', '.join(_COLUMNS)}) VALUES ({marks})", inserts
            )
        if updates:
            keep = [i for i, c in enumerate(_COLUMNS) if c not in ("id", "first_seen")]
            sets = ", ".join(f"{_COLUMNS[i]} = ?" for i in keep)
            self._writer.executemany(
                f"UPDATE papers SET {sets} WHERE id = ?",
                [tuple(row[i] for i in keep) + (row[0],) for row in updates],
            )

    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        return self._fetch_papers(self._reader, ids)

    def count_papers(self, filters: Filters | None = None) -> int:
        if not filters:
            # The total is asked for on every search (and counting scans an index: ~8 ms at
            # 75k papers), so it is remembered until the data version moves.
            version = self.data_version()
            cached = self._total
            if cached is None or cached[0] != version:
                count = self._read("SELECT count(*) FROM papers")[0][0]
                self._total = cached = (version, count)
            return cached[1]
        where, params = filter_sql(filters)
        return self._read(f"SELECT count(*) FROM papers p WHERE {where}", params)[0][0]

    def list_papers(
        self,
        filters: Filters | None = None,
        *,
        order: str = "listing",
        limit: int = 50,
        offset: int = 0,
    ) -> list[Paper]:
        if order not in _ORDERS:
            raise ValueError(f"unknown order {order!r}; expected one of {sorted(_ORDERS)}")
        where, params = filter_sql(filters)
        rows = self._read(
            f"{_SELECT} WHERE {where} ORDER BY {_ORDERS[order]} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_row_to_paper(r) for r in rows]

    def iter_papers(self, batch_size: int = 1000) -> Iterator[list[Paper]]:
        last = 0
        while True:
            rows = self._read(
                f"SELECT p.rowid, {_SELECT[7:]} WHERE p.rowid > ? ORDER BY p.rowid LIMIT ?",
                (last, batch_size),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [_row_to_paper(r[1:]) for r in rows]

    def listing_dates(self, filters: Filters | None = None) -> list[date]:
        where, params = filter_sql(filters)
        rows = self._read(
            f"SELECT DISTINCT p.listing_date FROM papers p WHERE p.listing_date IS NOT NULL"
            f" AND {where} ORDER BY p.listing_date DESC",
            params,
        )
        return [date.fromisoformat(r[0]) for r in rows]

    def filter_ids(self, ids: Sequence[str], filters: Filters) -> set[str]:
        where, params = filter_sql(filters)
        out: set[str] = set()
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT p.id FROM papers p WHERE p.id IN ({marks}) AND {where}", [*chunk, *params]
            )
            out.update(r[0] for r in rows)
        return out

    def list_listed(
        self, start: date, end: date, *, order: str = "listing", limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        orders = {
            "listing": "p.listing_date DESC, p.id DESC",
            "upvotes": "COALESCE(p.upvotes, 0) DESC, p.listing_date DESC, p.id",
        }
        if order not in orders:
            raise ValueError(f"unknown order {order!r}; expected one of {sorted(orders)}")
        rows = self._read(
            f"{_SELECT} WHERE p.listing_date BETWEEN ? AND ? ORDER BY {orders[order]}"
            " LIMIT ? OFFSET ?",
            (start.isoformat(), end.isoformat(), limit, offset),
        )
        return [_row_to_paper(r) for r in rows]

    def count_listed(self, start: date, end: date) -> int:
        return self._read(
            "SELECT count(*) FROM papers WHERE listing_date BETWEEN ? AND ?",
            (start.isoformat(), end.isoformat()),
        )[0][0]

    def data_version(self) -> str:
        """Bumps a generation when ``PRAGMA data_version`` moves on this thread's reader.

        SQLite changes that pragma whenever another connection (our writer, or another
        process such as ``paperboy import``) commits, so reading it costs microseconds and
        never misses a write. A reader seen for the first time bumps too, since it cannot
        know what happened before it opened.
        """
        value = self._reader.execute("PRAGMA data_version").fetchone()[0]
        if getattr(self._local, "data_version", None) != value:
            self._local.data_version = value
            with self._generation_lock:
                self._generation += 1
        return f"{id(self):x}:{self._generation}"

    def stats(self) -> dict:
        papers = self._read("SELECT count(*) FROM papers")[0][0]
        namespaces = dict(self._read("SELECT namespace, count(*) FROM papers GROUP BY namespace"))
        first, last = self._read("SELECT min(listing_date), max(listing_date) FROM papers")[0]
        vectors = dict(self._read("SELECT model, count(*) FROM vectors GROUP BY model"))
        schema = self._read("SELECT max(version) FROM schema_migrations")[0][0]
        size = self.path.stat().st_size if self.path.exists() else 0
        return {
            "papers": papers,
            "namespaces": namespaces,
            "listing_dates": [first, last],
            "vectors": vectors,
            "schema_version": schema,
            "database": self.url,
            "file_bytes": size,
        }

    # --- search -------------------------------------------------------------------------
    def lexical_search(
        self,
        query: TextQuery,
        filters: Filters | None = None,
        *,
        limit: int = 100,
        weights: FieldWeights = FieldWeights(),
    ) -> list[Hit]:
        expression = fts_expression(query)
        if not expression:
            return []
        where, params = filter_sql(filters)
        rank = f"bm25(papers_fts, {weights.title:g}, {weights.abstract:g}, {weights.authors:g})"
        join = "" if not filters else "JOIN papers p ON p.rowid = papers_fts.rowid"
        sql = (
            f"SELECT (SELECT id FROM papers WHERE rowid = papers_fts.rowid), {rank} AS r"
            f" FROM papers_fts {join} WHERE papers_fts MATCH ?"
            f"{' AND ' + where if filters else ''} ORDER BY r LIMIT ?"
        )
        try:
            rows = self._read(sql, [expression, *params, limit])
        except sqlite3.OperationalError as exc:
            raise ValueError(f"cannot search for {expression!r}: {exc}") from None
        return [Hit(pid, -score) for pid, score in rows]

    def document_counts(self, terms: Sequence[str]) -> dict[str, int]:
        out = {}
        for term in terms:
            rows = self._read(
                "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", [_quote(term)]
            )
            out[term] = rows[0][0]
        return out

    def find_by_title(self, title: str, limit: int = 5) -> list[str]:
        text = " ".join(title.split()).lower()
        rows = self._read("SELECT id FROM papers WHERE lower(title) = ? LIMIT ?", (text, limit))
        return [r[0] for r in rows]

    # --- vectors ------------------------------------------------------------------------
    def save_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        with self._write_transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (paper_id, model, text_hash, dim, vector)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (pid, model, h, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes())
                    for pid, h, v in rows
                ],
            )

    def load_vectors(self, model: str) -> tuple[list[str], np.ndarray]:
        rows = self._read(
            "SELECT v.paper_id, v.dim, v.vector FROM vectors v JOIN papers p ON p.id = v.paper_id"
            " WHERE v.model = ? ORDER BY p.rowid",
            (model,),
        )
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        dim = rows[0][1]
        matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), dim)
        return [r[0] for r in rows], matrix.astype(np.float32, copy=False)

    def vector_text_hashes(self, model: str) -> dict[str, str]:
        return dict(self._read("SELECT paper_id, text_hash FROM vectors WHERE model = ?", (model,)))

    # Passage vectors share the vectors table under the model name plus this suffix, one row
    # per paper whose blob holds all its passages (n × dim float16: half the bytes to read per
    # search, ample for max-sim), so no migration is needed.
    _PASSAGES = "#passages"

    def vector_version(self, model: str) -> str:
        count, last = self._read(
            "SELECT count(*), max(rowid) FROM vectors WHERE model = ?", (model,)
        )[0]
        return f"{count}:{last}"

    def save_passage_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        with self._write_transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (paper_id, model, text_hash, dim, vector)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (pid, model + self._PASSAGES, h, int(m.shape[1]),
                     np.ascontiguousarray(m, dtype="<f2").tobytes())
                    for pid, h, m in rows
                ],
            )  # fmt: skip

    def get_passage_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT paper_id, dim, vector FROM vectors WHERE model = ?"
                f" AND paper_id IN ({marks})",
                [model + self._PASSAGES, *chunk],
            )
            for pid, dim, blob in rows:
                out[pid] = np.frombuffer(blob, dtype="<f2").reshape(-1, dim).astype(np.float32)
        return out

    def passage_text_hashes(self, model: str) -> dict[str, str]:
        return self.vector_text_hashes(model + self._PASSAGES)

    # --- importer state -----------------------------------------------------------------
    def get_state(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_state(self, key: str, value: str | None) -> None:
        with self._write_transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM state WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                    " updated_at = excluded.updated_at",
                    (key, value, _now()),
                )

    def close(self) -> None:
        for conn in [*self._all_readers, self._writer]:
            conn.close()
        self._all_readers.clear()


def _create_private(path: Path) -> None:
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
