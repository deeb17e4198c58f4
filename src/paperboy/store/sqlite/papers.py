"""Papers in SQLite: one row each, FTS5 (kept in step by triggers) for BM25."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import combinations

from paperboy.models.paper import Paper
from paperboy.models.query import FieldWeights, Filters, Hit, TextQuery
from paperboy.store.papers import PaperStore
from paperboy.store.sqlite.db import Database, chunks, marks, now_text

log = logging.getLogger(__name__)

_COLUMNS = (
    "id namespace version title abstract authors categories primary_category published "
    "updated listing_date comment journal_ref doi code_links upvotes upvote_sources "
    "first_seen last_seen content_hash listing_basis"
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
        now, now, p.content_hash(), p.listing_basis,
    )  # fmt: skip


def fts_expression(query: TextQuery) -> str:
    """An FTS5 MATCH expression with every user word quoted, so none is read as syntax."""
    parts = [_quote(t) for t in query.terms] + [_quote(p) for p in query.phrases]
    parts = [p for p in parts if p != '""']
    if query.mode == "two" and len(parts) > 2:
        return " OR ".join(f"({a} AND {b})" for a, b in combinations(parts, 2))
    return (" AND " if query.mode in ("and", "two") else " OR ").join(parts)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def filter_sql(filters: Filters | None) -> tuple[str, list]:
    """A WHERE fragment over alias ``p`` and its parameters."""
    clauses: list[str] = ["p.hidden_at IS NULL"]  # hidden papers leave every list and search
    params: list = []
    if not filters:
        return clauses[0], params
    if filters.categories:
        ors = []
        for cat in filters.categories:
            # An archive (cs) matches its categories (cs.CL); % and _ in a name are literal.
            ors.append("j.value = ? OR j.value LIKE ? ESCAPE '\\'")
            params += [cat, _like_escape(cat) + ".%"]
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
    return " AND ".join(clauses), params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_LISTED_ORDERS = {
    "listing": "p.listing_date DESC, p.id DESC",
    "upvotes": "COALESCE(p.upvotes, 0) DESC, p.listing_date DESC, p.id",
}


class SQLitePapers(PaperStore):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def _write_transaction(self):  # noqa: ANN202
        return self.db.write()

    def _read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.db.read(sql, params)

    # --- writes -------------------------------------------------------------------------
    def _stored_hashes(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(ids):
            rows = self.db.writer.execute(
                f"SELECT id, content_hash FROM papers WHERE id IN ({marks(len(chunk))})", chunk
            )
            out.update(rows)
        return out

    def _load_papers(self, ids: list[str]) -> dict[str, Paper]:
        return self._fetch_papers(self.db.writer, ids, hidden=True)

    def _fetch_papers(
        self, conn: sqlite3.Connection, ids: Iterable[str], *, hidden: bool = False
    ) -> dict[str, Paper]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Paper] = {}
        visible = "" if hidden else " AND p.hidden_at IS NULL"
        for chunk in chunks(ids):
            sql = f"{_SELECT} WHERE p.id IN ({marks(len(chunk))}){visible}"
            for row in conn.execute(sql, chunk):
                paper = _row_to_paper(row)
                out[paper.id] = paper
        return out

    def _write_papers(self, papers: list[tuple[Paper, bool]]) -> None:
        now = now_text()
        inserts = [_paper_row(p, now) for p, new in papers if new]
        updates = [_paper_row(p, now) for p, new in papers if not new]
        if inserts:
            self.db.writer.executemany(
                f"INSERT INTO papers ({', '.join(_COLUMNS)}) VALUES ({marks(len(_COLUMNS))})",
                inserts,
            )
        if updates:
            keep = [i for i, c in enumerate(_COLUMNS) if c not in ("id", "first_seen")]
            sets = ", ".join(f"{_COLUMNS[i]} = ?" for i in keep)
            self.db.writer.executemany(
                f"UPDATE papers SET {sets} WHERE id = ?",
                [tuple(row[i] for i in keep) + (row[0],) for row in updates],
            )

    def _bump_version(self) -> None:
        self.db.bump(self.db.writer, "papers")

    def version(self) -> int:
        return self.db.counter("papers")

    # --- reads --------------------------------------------------------------------------
    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        return self._fetch_papers(self.db.reader, ids)

    def _count_all(self) -> int:
        return self._read("SELECT count(*) FROM papers WHERE hidden_at IS NULL")[0][0]

    def _count_filtered(self, filters: Filters) -> int:
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

    def _listing_dates(self, filters: Filters | None) -> list[date]:
        # Reads each paper's row (hidden_at sits past the abstract: ~100-200 ms at 75k
        # papers): the store remembers the unfiltered days (PaperStore.listing_dates).
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
        for chunk in chunks(list(ids)):
            rows = self._read(
                f"SELECT p.id FROM papers p WHERE p.id IN ({marks(len(chunk))}) AND {where}",
                [*chunk, *params],
            )
            out.update(r[0] for r in rows)
        return out

    def list_listed(
        self, start: date, end: date, *, order: str = "listing", limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        if order not in _LISTED_ORDERS:
            raise ValueError(f"unknown order {order!r}; expected one of {sorted(_LISTED_ORDERS)}")
        rows = self._read(
            f"{_SELECT} WHERE p.listing_date BETWEEN ? AND ? AND p.hidden_at IS NULL"
            f" ORDER BY {_LISTED_ORDERS[order]}"
            " LIMIT ? OFFSET ?",
            (start.isoformat(), end.isoformat(), limit, offset),
        )
        return [_row_to_paper(r) for r in rows]

    def count_listed(self, start: date, end: date) -> int:
        return self._read(
            "SELECT count(*) FROM papers WHERE listing_date BETWEEN ? AND ? AND hidden_at IS NULL",
            (start.isoformat(), end.isoformat()),
        )[0][0]

    def stats(self) -> dict:
        papers = self._read("SELECT count(*) FROM papers")[0][0]
        namespaces = dict(self._read("SELECT namespace, count(*) FROM papers GROUP BY namespace"))
        first, last = self._read("SELECT min(listing_date), max(listing_date) FROM papers")[0]
        return {"papers": papers, "namespaces": namespaces, "listing_dates": [first, last]}

    # --- moderation ---------------------------------------------------------------------
    def set_hidden(self, paper_id: str, hidden: bool) -> bool:
        with self.db.write() as conn:
            state = "hidden_at IS NULL" if hidden else "hidden_at IS NOT NULL"
            cur = conn.execute(
                f"UPDATE papers SET hidden_at = ? WHERE id = ? AND {state}",
                (now_text() if hidden else None, paper_id),
            )
            if cur.rowcount:  # a repeat changes nothing, and no cache needs to forget
                self._bump_version()
                return True
            return (
                conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone()
                is not None
            )

    def _hidden_ids(self) -> list[str]:
        rows = self._read("SELECT id FROM papers WHERE hidden_at IS NOT NULL ORDER BY id")
        return [r[0] for r in rows]

    # --- full text ----------------------------------------------------------------------
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
        rank = f"bm25(papers_fts, {weights.title:g}, {weights.abstract:g}, {weights.authors:g})"
        if filters:
            where, params = filter_sql(filters)
            sql = (
                f"SELECT p.id, {rank} AS r FROM papers_fts"
                " JOIN papers p ON p.rowid = papers_fts.rowid"
                f" WHERE papers_fts MATCH ? AND {where} ORDER BY r LIMIT ?"
            )
            args = [expression, *params, limit]
        else:
            # Ranked in the index alone, then joined for the top rows only: joining every
            # match first read each matching paper's whole row (hidden_at sits past the
            # abstract), half the CPU of a search. At most len(hidden) of the top are hidden.
            sql = (
                f"SELECT p.id, f.r FROM (SELECT rowid, {rank} AS r FROM papers_fts"
                " WHERE papers_fts MATCH ? ORDER BY r LIMIT ?) f"
                " JOIN papers p ON p.rowid = f.rowid WHERE p.hidden_at IS NULL"
                " ORDER BY f.r LIMIT ?"
            )
            args = [expression, limit + len(self.hidden_ids()), limit]
        try:
            rows = self._read(sql, args)
        except sqlite3.OperationalError as exc:
            # The details stay in the log: a database message tells a visitor about internals.
            log.warning("full-text search failed for %r: %s", expression, exc)
            raise ValueError("cannot search for that query") from None
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
        rows = self._read(
            "SELECT id FROM papers WHERE lower(title) = ? AND hidden_at IS NULL LIMIT ?",
            (text, limit),
        )
        return [r[0] for r in rows]
