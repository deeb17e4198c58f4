"""Papers in PostgreSQL: a weighted ``tsvector`` with a GIN index finds candidates, and BM25
ranks them.

Core PostgreSQL has no BM25 and ``ts_rank`` ranks worse, so the store keeps the statistics
BM25 needs: each paper's token count (``doc_len``), the number of papers holding each
lexeme (``lexemes``), and the totals (``counters``), all updated by every paper write under
the writer lock. Scores follow SQLite FTS5's ``bm25()`` (k1 = 1.2, b = 0.75, field weights
applied to term frequencies), so both backends rank alike.

Ranking is two-stage: ``ts_rank`` (C, same field weights) keeps the best matches and only
those get the exact BM25, computed here from the query's lexemes in their tsv
(``ts_delete``), not the whole vector. Where the statistics allow more than ``EXACT_MAX``
matches (a common word in a large collection), reading every match would cost hundreds of
milliseconds, so candidates come from the papers whose titles match first (a GIN index on
the title's lexemes), then from the other matches, ``TIER_CAP`` rows in all.

Both GIN indexes are split into ``BUCKETS`` partial indexes by a hash of the paper id, and a
search reads them bucket by bucket under its ``LIMIT``: PostgreSQL stops at the bucket that
fills it. One index over every paper must intersect the whole posting list of each common
word before it returns a row (~20 ms at 1M papers for three common words).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from types import TracebackType

import psycopg

from paperboy.models.paper import Paper
from paperboy.models.query import FieldWeights, Filters, Hit, TextQuery
from paperboy.store.papers import PaperStore, merge_batch
from paperboy.store.postgres.db import Database

log = logging.getLogger(__name__)
K1, B = 1.2, 0.75
# Where the statistics say a query matches at most EXACT_MAX papers, every match is ranked
# (CANDIDATES caps a bound that was too loose). Stage 1 keeps RERANK of them by ts_rank (C,
# weighted like FieldWeights, length-normalised) and only those get the exact BM25: SciFact
# train nDCG@10 unchanged (bench/README.md).
EXACT_MAX = 10_000
CANDIDATES = 20_000
RERANK = 1_500
# Past EXACT_MAX, at most TIER_CAP rows are read, titles matching first, and RERANK_TIERS of
# them get the exact BM25: hybrid p95 at 1M papers 45 → 35 ms against 2,000 and 500, for the
# same top-10 scores as exact BM25 in 92.0 % of queries instead of 93.5 % (bench/README.md,
# "Lexical search at 1M"). Each row read costs ~4 µs: a page of its own and its tsv.
TIER_CAP = 1_000
RERANK_TIERS = 300
# Migration 0012: the GIN indexes over tsv and over titles, one per bucket of papers,
# (hashtext(id) & 15) = k.
BUCKETS = 16
_CANDIDATE = "p.id, p.tsv, p.doc_len FROM papers p"
_TITLE = "ts_filter(p.tsv, '{a}')"  # the title's lexemes: indexes papers_title_b0..15
_LISTING_DAYS = """
    WITH RECURSIVE days(day) AS (
        (SELECT listing_date FROM papers WHERE listing_date IS NOT NULL AND hidden_at IS NULL
         ORDER BY listing_date DESC LIMIT 1)
        UNION ALL
        SELECT (SELECT p.listing_date FROM papers p
                WHERE p.listing_date < days.day AND p.hidden_at IS NULL
                ORDER BY p.listing_date DESC LIMIT 1)
        FROM days WHERE days.day IS NOT NULL
    )
    SELECT day FROM days WHERE day IS NOT NULL
"""
_TSV_ENTRY = re.compile(r"'((?:[^']|'')*)':([0-9A-D,]+)")  # 'lexeme':1A,5B,7 in tsvector text
_COLUMNS = (
    "id namespace version title abstract authors categories primary_category published "
    "updated listing_date comment journal_ref doi code_links upvotes upvote_sources "
    "first_seen last_seen content_hash listing_basis"
).split()
_SELECT = "SELECT " + ", ".join(f"p.{c}" for c in _COLUMNS) + " FROM papers p"
_DAY = "COALESCE(p.listing_date, p.published)"
_ORDERS = {
    "listing": f'{_DAY} DESC NULLS LAST, p.id COLLATE "C" DESC',
    "published": 'p.published DESC NULLS LAST, p.id COLLATE "C" DESC',
    "upvotes": f'COALESCE(p.upvotes, 0) DESC, {_DAY} DESC NULLS LAST, p.id COLLATE "C"',
    "id": 'p.id COLLATE "C"',
}
_LISTED_ORDERS = {
    "listing": 'p.listing_date DESC, p.id COLLATE "C" DESC',
    "upvotes": 'COALESCE(p.upvotes, 0) DESC, p.listing_date DESC, p.id COLLATE "C"',
}
_STAGED = ", ".join(c for c in _COLUMNS if c not in ("first_seen", "last_seen"))
# One batch's rows, as COPY writes them; dropped at commit (and with a rollback).
_STAGE_TABLE = (
    "CREATE TEMP TABLE paperboy_stage ON COMMIT DROP AS"
    f" SELECT 0 AS pos, {_STAGED}, tsv, doc_len FROM papers WITH NO DATA"
)
_UPDATE_FROM_STAGE = (
    "UPDATE papers p SET "
    + ", ".join(
        "last_seen = now()" if c == "last_seen" else f"{c} = s.{c}"
        for c in _COLUMNS
        if c not in ("id", "first_seen")
    )
    + " FROM paperboy_stage s WHERE s.id = p.id AND s.id = ANY(%s)"
)
# tsv and doc_len of texts, as the index trigger makes them (prepare: on a second connection).
_INDEX_TEXTS = """
    SELECT x.pos, x.tsv::text, paperboy_doc_len(x.tsv) FROM (
        SELECT pos, paperboy_tsv(title, abstract, authors) AS tsv FROM paperboy_texts OFFSET 0
    ) x
"""
# New rows in batch order (``seq`` is insertion order); their lexemes, tokens and count go
# into the statistics in the same statement, from the tsv and doc_len the trigger made.
_INSERT_FROM_STAGE = f"""
    WITH ins AS (
        INSERT INTO papers ({_STAGED}, first_seen, last_seen, tsv, doc_len)
        SELECT {_STAGED}, now(), now(), COALESCE(tsv, ''), COALESCE(doc_len, 0)
        FROM paperboy_stage
        WHERE NOT (id = ANY(%s)) ORDER BY pos
        RETURNING tsv, doc_len
    ), terms AS (
        INSERT INTO lexemes (lexeme, df)
        SELECT u.lexeme, count(*) FROM ins, unnest(tsvector_to_array(ins.tsv)) u(lexeme)
        GROUP BY u.lexeme ORDER BY u.lexeme
        ON CONFLICT (lexeme) DO UPDATE SET df = lexemes.df + excluded.df
    )
    UPDATE counters c SET value = c.value + t.added
    FROM (SELECT 'documents' AS name, count(*) AS added FROM ins
          UNION ALL SELECT 'tokens', COALESCE(sum(doc_len), 0) FROM ins) t
    WHERE c.name = t.name
"""


def _rank_weights(weights: FieldWeights) -> list[float]:
    """FieldWeights as ``ts_rank``'s {D, C, B, A} array, scaled into its 0..1 range."""
    top = max(weights.title, weights.abstract, weights.authors, 1e-9)
    return [weights.authors / top, weights.authors / top, weights.abstract / top,
            weights.title / top]  # fmt: skip


@dataclass(frozen=True)
class _Ranking:
    """What BM25 needs of one query, whichever rows it ranks."""

    tsquery: str
    idf: dict[str, float]  # per query lexeme, in query order
    avgdl: float
    weights: FieldWeights
    limit: int

    @property
    def lexemes(self) -> list[str]:
        return list(self.idf)

    def bm25(self, doc_len: int, terms: str) -> float:
        """FTS5's bm25() of one paper, from the query's lexemes in its tsv (as text: each
        position's weight letter says its field, A title, B abstract, C authors)."""
        w = self.weights
        norm = K1 * (1 - B + B * doc_len / self.avgdl)
        score = 0.0
        for lexeme, positions in _TSV_ENTRY.findall(terms):
            title, abstract = positions.count("A"), positions.count("B")
            rest = positions.count(",") + 1 - title - abstract
            tf = w.title * title + w.abstract * abstract + w.authors * rest
            score += self.idf.get(lexeme.replace("''", "'"), 0.0) * tf * (K1 + 1) / (tf + norm)
        return score


def _idf(df: int, n: int) -> float:
    """FTS5's idf: never zero or below, so a very common word still counts a little."""
    value = math.log((n - df + 0.5) / (df + 0.5))
    return value if value > 0 else 1e-6


def match_bound(mode: str, parts: list[list[str]], df: dict[str, int], n: int) -> int:
    """At most how many papers a query matches, from its lexemes' document counts: a part (a
    term's or phrase's lexemes) no more than its rarest lexeme; all parts, the rarest part;
    any part, their sum; two parts, the sum over pairs."""
    sizes = [min(df.get(w, 0) for w in words) for words in parts]
    if not sizes:
        return 0
    if mode == "and" or len(sizes) == 1 or (mode == "two" and len(sizes) == 2):
        return min(sizes)
    if mode == "two":
        return min(n, sum(min(a, b) for a, b in combinations(sizes, 2)))
    return min(n, sum(sizes))


def _row_to_paper(row: Sequence) -> Paper:
    values = dict(zip(_COLUMNS, row, strict=True))
    values.pop("primary_category")
    values.pop("content_hash")
    for name in ("authors", "categories", "code_links", "upvote_sources"):
        values[name] = list(values[name] or [])
    return Paper(**values)


def _array(items: Sequence[str]) -> str:
    """A text[] literal for COPY: psycopg's generic list dumper costs more per row than all
    the rest of the row together (py-spy, bench_postgres run 4)."""
    quoted = (s.replace("\\", "\\\\").replace('"', '\\"') for s in items)
    return "{" + ",".join(f'"{q}"' for q in quoted) + "}"


def _paper_row(p: Paper) -> tuple:
    """A paper as ``_STAGED``'s columns for COPY (text[] as literals)."""
    return (
        p.id, p.namespace, p.version, p.title, p.abstract, _array(p.authors),
        _array(p.categories), p.primary_category, p.published, p.updated, p.listing_date,
        p.comment, p.journal_ref, p.doi, _array(p.code_links), p.upvotes,
        _array(p.upvote_sources), p.content_hash(), p.listing_basis,
    )  # fmt: skip


def _text_key(p: Paper) -> tuple:
    """What a paper's tsv is made from."""
    return (p.title, p.abstract, tuple(p.authors))


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_sql(filters: Filters | None) -> tuple[str, list]:
    """A WHERE fragment over alias ``p`` and its parameters (the same rules as SQLite's)."""
    clauses: list[str] = ["p.hidden_at IS NULL"]  # hidden papers leave every list and search
    params: list = []
    if not filters:
        return clauses[0], params
    if filters.categories:
        cats = list(filters.categories)
        clauses.append(
            "EXISTS (SELECT 1 FROM unnest(p.categories) c WHERE c = ANY(%s) OR c LIKE ANY(%s))"
        )
        params += [cats, [like_escape(c) + ".%" for c in cats]]
    for author in filters.authors:
        clauses.append("EXISTS (SELECT 1 FROM unnest(p.authors) a WHERE lower(a) LIKE %s)")
        params.append("%" + like_escape(author.lower()) + "%")
    if filters.after:
        clauses.append(f"{_DAY} >= %s")
        params.append(filters.after)
    if filters.before:
        clauses.append(f"{_DAY} <= %s")
        params.append(filters.before)
    if filters.namespace:
        clauses.append("p.namespace = %s")
        params.append(filters.namespace)
    return " AND ".join(clauses), params


def _per_bucket(select: str, params: list) -> tuple[str, list]:
    """``select`` (``SELECT … WHERE …`` over alias ``p``) once per bucket of papers, in
    bucket order, and its parameters as often: each branch can use only its bucket's partial
    GIN index, and under a ``LIMIT`` the branches after the one that fills it never run."""
    branches = [f"({select} AND (hashtext(p.id) & {BUCKETS - 1}) = {k})" for k in range(BUCKETS)]
    return " UNION ALL ".join(branches), params * BUCKETS


def _quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresPapers(PaperStore):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self._local = threading.local()  # the writer's connection, inside a transaction
        self._jobs: list[_IndexAhead] = []  # prepare()'s, newest last
        self._jobs_lock = threading.Lock()

    # --- writes -------------------------------------------------------------------------
    def _write_transaction(self):  # noqa: ANN202
        return _Bound(self)

    @property
    def _w(self) -> psycopg.Connection:
        conn = getattr(self._local, "conn", None)
        assert conn is not None, "only inside the write transaction"
        return conn

    def _stored_hashes(self, ids: list[str]) -> dict[str, str]:
        rows = self._w.execute("SELECT id, content_hash FROM papers WHERE id = ANY(%s)", (ids,))
        return dict(rows.fetchall())

    def _load_papers(self, ids: list[str]) -> dict[str, Paper]:
        rows = self._w.execute(f"{_SELECT} WHERE p.id = ANY(%s)", (ids,)).fetchall()
        return {r[0]: _row_to_paper(r) for r in rows}

    def _write_papers(self, papers: list[tuple[Paper, bool]]) -> None:
        """COPY the batch into a staging table, then write it set-wise: per-row INSERTs cost
        a statement each, and the new rows' term statistics come from the rows the insert
        returns instead of reading them back (bench/README.md, bench_postgres run 4)."""
        conn = self._w
        indexed = self._take_indexed([p.id for p, new in papers if new])
        with conn.cursor() as cur:
            cur.execute(_STAGE_TABLE)
            with cur.copy(f"COPY paperboy_stage (pos, {_STAGED}, tsv, doc_len) FROM STDIN") as copy:
                for pos, (p, new) in enumerate(papers):
                    got = indexed.get(p.id) if new else None
                    tsv, doc_len = got[1:] if got and got[0] == _text_key(p) else (None, None)
                    copy.write_row((pos, *_paper_row(p), tsv, doc_len))
            updated = [p.id for p, new in papers if not new]
            if updated:  # their old lexemes and tokens leave the statistics, the new come in
                self._count_terms(cur, updated, -1)
                cur.execute(_UPDATE_FROM_STAGE, (updated,))
                self._count_terms(cur, updated, +1)
            if len(updated) < len(papers):
                cur.execute(_INSERT_FROM_STAGE, (updated,))

    def prepare(self, papers: Sequence[Paper]) -> None:
        """Index the text of papers about to be inserted on a connection of their own, in a
        thread, so the server makes their tsv while the writer holds the lock for the batch
        before (bench/README.md, bench_postgres run 4)."""
        job = _IndexAhead(self.db, list(merge_batch(papers).values()))
        with self._jobs_lock:
            self._jobs = [*self._jobs[-1:], job]  # an unclaimed older one is dropped

    def _take_indexed(self, ids: list[str]) -> dict[str, tuple]:
        """Prepared (text key, tsv, doc_len) for any of ``ids``, waiting for their job."""
        if not ids:
            return {}
        with self._jobs_lock:
            mine = [j for j in self._jobs if not j.ids.isdisjoint(ids)]
            self._jobs = [j for j in self._jobs if j not in mine]
        found: dict[str, tuple] = {}
        for job in mine:
            found.update(job.result())
        return found

    def _count_terms(self, cur: psycopg.Cursor, ids: list[str], sign: int) -> None:
        """Add (or take away) these papers' lexemes and tokens to the BM25 statistics."""
        cur.execute(
            "INSERT INTO lexemes (lexeme, df)"
            " SELECT u.lexeme, %s * count(*)"
            " FROM papers p, unnest(tsvector_to_array(p.tsv)) u(lexeme)"
            " WHERE p.id = ANY(%s) GROUP BY u.lexeme ORDER BY u.lexeme"
            " ON CONFLICT (lexeme) DO UPDATE SET df = lexemes.df + excluded.df",
            (sign, ids),
        )
        cur.execute(
            "UPDATE counters SET value = value + %s * (SELECT COALESCE(sum(doc_len), 0)"
            " FROM papers WHERE id = ANY(%s)) WHERE name = 'tokens'",
            (sign, ids),
        )

    def _bump_version(self) -> None:
        self.db.bump(self._w, "papers")

    def version(self) -> int:
        return self.db.counter("papers")

    # --- reads --------------------------------------------------------------------------
    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        rows = self.db.read(f"{_SELECT} WHERE p.id = ANY(%s) AND p.hidden_at IS NULL", (ids,))
        found = {r[0]: _row_to_paper(r) for r in rows}
        return {i: found[i] for i in ids if i in found}

    def _count_all(self) -> int:
        hidden = self.db.read("SELECT count(*) FROM papers WHERE hidden_at IS NOT NULL")
        return self.db.counter("documents") - hidden[0][0]

    def _count_filtered(self, filters: Filters) -> int:
        where, params = filter_sql(filters)
        return self.db.read(f"SELECT count(*) FROM papers p WHERE {where}", params)[0][0]

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
        rows = self.db.read(
            f"{_SELECT} WHERE {where} ORDER BY {_ORDERS[order]} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [_row_to_paper(r) for r in rows]

    def iter_papers(self, batch_size: int = 1000) -> Iterator[list[Paper]]:
        last = 0
        while True:
            rows = self.db.read(
                f"SELECT p.seq, {_SELECT[7:]} WHERE p.seq > %s ORDER BY p.seq LIMIT %s",
                (last, batch_size),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [_row_to_paper(r[1:]) for r in rows]

    def _listing_dates(self, filters: Filters | None) -> list[date]:
        if filters:
            where, params = filter_sql(filters)
            rows = self.db.read(
                f"SELECT DISTINCT p.listing_date FROM papers p WHERE p.listing_date IS NOT NULL"
                f" AND {where} ORDER BY p.listing_date DESC",
                params,
            )
            return [r[0] for r in rows]
        # All days: stepping down the listing_date index a day at a time (DISTINCT read
        # every row: 1.1 s at 1M papers, made each daily page 1.5 req/s; this is ~50 ms).
        return [r[0] for r in self.db.read(_LISTING_DAYS)]

    def filter_ids(self, ids: Sequence[str], filters: Filters) -> set[str]:
        if not ids:
            return set()
        where, params = filter_sql(filters)
        rows = self.db.read(
            f"SELECT p.id FROM papers p WHERE p.id = ANY(%s) AND {where}", [list(ids), *params]
        )
        return {r[0] for r in rows}

    def list_listed(
        self, start: date, end: date, *, order: str = "listing", limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        if order not in _LISTED_ORDERS:
            raise ValueError(f"unknown order {order!r}; expected one of {sorted(_LISTED_ORDERS)}")
        rows = self.db.read(
            f"{_SELECT} WHERE p.listing_date BETWEEN %s AND %s AND p.hidden_at IS NULL"
            f" ORDER BY {_LISTED_ORDERS[order]}"
            " LIMIT %s OFFSET %s",
            (start, end, limit, offset),
        )
        return [_row_to_paper(r) for r in rows]

    def count_listed(self, start: date, end: date) -> int:
        return self.db.read(
            "SELECT count(*) FROM papers WHERE listing_date BETWEEN %s AND %s"
            " AND hidden_at IS NULL",
            (start, end),
        )[0][0]

    def stats(self) -> dict:
        papers = self.db.read("SELECT count(*) FROM papers")[0][0]
        namespaces = dict(self.db.read("SELECT namespace, count(*) FROM papers GROUP BY namespace"))
        first, last = self.db.read("SELECT min(listing_date), max(listing_date) FROM papers")[0]
        return {
            "papers": papers,
            "namespaces": namespaces,
            "listing_dates": [d.isoformat() if d else None for d in (first, last)],
        }

    # --- moderation ---------------------------------------------------------------------
    def set_hidden(self, paper_id: str, hidden: bool) -> bool:
        with self.db.write() as conn:
            cur = conn.execute(
                "UPDATE papers SET hidden_at = CASE WHEN %s THEN now() END"
                " WHERE id = %s AND (hidden_at IS NULL) = %s",
                (hidden, paper_id, hidden),
            )
            if cur.rowcount:  # a repeat changes nothing, and no cache needs to forget
                self.db.bump(conn, "papers")
                return True
            found = conn.execute("SELECT 1 FROM papers WHERE id = %s", (paper_id,)).fetchone()
            return found is not None

    def _hidden_ids(self) -> list[str]:
        rows = self.db.read("SELECT id FROM papers WHERE hidden_at IS NOT NULL ORDER BY id")
        return [r[0] for r in rows]

    # --- full text ----------------------------------------------------------------------
    def _lexemes(self, texts: Sequence[str]) -> list[list[str]]:
        """Each text's lexemes as the index makes them (stopwords give none)."""
        if not texts:
            return []
        rows = self.db.read(
            "SELECT x.i, ARRAY(SELECT u.lexeme FROM unnest(to_tsvector('english', x.t)) u"
            " ORDER BY u.positions[1])"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, i) ORDER BY x.i",
            ([t.replace("\x00", " ") for t in texts],),
        )
        return [list(r[1]) for r in rows]

    def _tsquery(self, query: TextQuery) -> tuple[str, list[list[str]]]:
        """The tsquery text (lexemes quoted, so nothing is read as syntax) and each part's
        lexemes (a term's or a phrase's; stopwords make none)."""
        terms = [(w, " & ") for w in self._lexemes(query.terms) if w]
        phrases = [(w, " <-> ") for w in self._lexemes(query.phrases) if w]
        parts = [words for words, _ in terms + phrases]
        clauses = ["(" + op.join(_quote_lexeme(w) for w in words) + ")"
                   for words, op in terms + phrases]  # fmt: skip
        if query.mode == "two" and len(clauses) > 2:
            return " | ".join(f"({a} & {b})" for a, b in combinations(clauses, 2)), parts
        joiner = " & " if query.mode in ("and", "two") else " | "
        return joiner.join(clauses), parts

    def _statistics(self, lexemes: list[str]) -> tuple[dict[str, int], int, float]:
        """Papers holding each lexeme, papers in all, and the average document length: one
        read, as every search asks for them."""
        ((documents, tokens, df),) = self.db.read(
            "SELECT (SELECT value FROM counters WHERE name = 'documents'),"
            " (SELECT value FROM counters WHERE name = 'tokens'),"
            " (SELECT jsonb_object_agg(lexeme, df) FROM lexemes WHERE lexeme = ANY(%s))",
            (lexemes,),
        )
        n = max(documents or 0, 1)
        return df or {}, n, max((tokens or 0) / n, 1.0)

    def lexical_search(
        self,
        query: TextQuery,
        filters: Filters | None = None,
        *,
        limit: int = 100,
        weights: FieldWeights = FieldWeights(),
    ) -> list[Hit]:
        tsquery, parts = self._tsquery(query)
        if not tsquery:
            return []
        lexemes = list(dict.fromkeys(w for words in parts for w in words))
        df, n, avgdl = self._statistics(lexemes)
        idf = {lex: _idf(df.get(lex, 0), n) for lex in lexemes}
        rank = _Ranking(tsquery, idf, avgdl, weights, limit)
        where, params = filter_sql(filters)
        match = f"SELECT {_CANDIDATE} WHERE p.tsv @@ %s::tsquery AND {where}"
        if match_bound(query.mode, parts, df, n) <= EXACT_MAX:
            source, args = _per_bucket(match, [tsquery, *params])
            return self._ranked(rank, f"{source} LIMIT %s", [*args, CANDIDATES], RERANK)
        # Too many matches to read them all: papers whose titles match the whole query come
        # first, and when fewer than ``limit`` do, the other matches follow, TIER_CAP rows
        # read in all (bench/README.md, "Lexical search at 1M").
        title = f"SELECT {_CANDIDATE} WHERE {_TITLE} @@ %s::tsquery AND {where}"
        source, args = _per_bucket(title, [tsquery, *params])
        hits = self._ranked(rank, f"{source} LIMIT %s", [*args, TIER_CAP], RERANK_TIERS)
        if len(hits) >= limit:
            return hits
        rest = f"{match} AND NOT ({_TITLE} @@ %s::tsquery)"
        source, args = _per_bucket(rest, [tsquery, *params, tsquery])
        more = self._ranked(rank, f"{source} LIMIT %s", [*args, TIER_CAP - len(hits)],
                            RERANK_TIERS)  # fmt: skip
        return sorted(hits + more, key=lambda h: (-h.score, h.id))[:limit]

    def _ranked(self, rank: _Ranking, source: str, args: list, rerank: int) -> list[Hit]:
        """BM25 hits of the candidate rows ``source`` selects: ``ts_rank`` (C) keeps the best
        ``rerank`` of them, and only those get the exact BM25, here, from the query's part of
        their tsv (scoring in SQL cost ~15 us a row in joins and aggregates)."""
        sql = f"""
            SELECT c.id, c.doc_len,
                ts_delete(c.tsv, tsvector_to_array(ts_delete(c.tsv, %s::text[])))::text
            FROM (
                SELECT m.id, m.tsv, m.doc_len FROM ({source}) m
                ORDER BY ts_rank(%s::float4[], m.tsv, %s::tsquery, 1) DESC LIMIT %s
            ) c
        """
        args = [rank.lexemes, *args, _rank_weights(rank.weights), rank.tsquery,
                max(rerank, rank.limit)]  # fmt: skip
        try:
            rows = self.db.read(sql, args)
        except psycopg.Error as exc:
            log.warning("full-text search for %r failed: %s", rank.tsquery, exc)
            raise ValueError("cannot search for that query") from None
        hits = [Hit(pid, rank.bm25(doc_len, terms)) for pid, doc_len, terms in rows]
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[: rank.limit]

    def document_counts(self, terms: Sequence[str]) -> dict[str, int]:
        words = self._lexemes(terms)
        flat = sorted({w for ws in words for w in ws})
        df = dict(self.db.read("SELECT lexeme, df FROM lexemes WHERE lexeme = ANY(%s)", (flat,)))
        return {
            t: max((df.get(w, 0) for w in ws), default=0)
            for t, ws in zip(terms, words, strict=True)
        }

    def find_by_title(self, title: str, limit: int = 5) -> list[str]:
        text = " ".join(title.split()).lower()
        rows = self.db.read(
            "SELECT id FROM papers WHERE lower(title) = %s AND hidden_at IS NULL LIMIT %s",
            (text, limit),
        )
        return [r[0] for r in rows]


class _IndexAhead:
    """``paperboy_tsv`` and ``paperboy_doc_len`` of some papers' text, made in a thread on a
    pool connection that takes no lock. A failure only means the trigger indexes them."""

    def __init__(self, db: Database, papers: list[Paper]) -> None:
        self.db = db
        self.papers = papers
        self.ids = {p.id for p in papers}
        self._found: dict[str, tuple] = {}
        self._thread = threading.Thread(target=self._run, name="paperboy-index-ahead",
                                         daemon=True)  # fmt: skip
        self._thread.start()

    def _run(self) -> None:
        try:
            with self.db.transaction() as conn, conn.cursor() as cur:
                cur.execute(
                    "CREATE TEMP TABLE paperboy_texts (pos INTEGER, title TEXT, abstract TEXT,"
                    " authors TEXT[]) ON COMMIT DROP"
                )
                with cur.copy("COPY paperboy_texts FROM STDIN") as copy:
                    for pos, p in enumerate(self.papers):
                        copy.write_row((pos, p.title, p.abstract, _array(p.authors)))
                rows = cur.execute(_INDEX_TEXTS).fetchall()
            for pos, tsv, doc_len in rows:
                p = self.papers[pos]
                self._found[p.id] = (_text_key(p), tsv, doc_len)
        except Exception as exc:  # the trigger indexes them instead
            log.warning("indexing ahead failed, the insert indexes instead: %s", exc)
            self._found = {}

    def result(self) -> dict[str, tuple]:
        self._thread.join()
        return self._found


class _Bound:
    """The write transaction, with its connection bound to the store for the helpers."""

    def __init__(self, papers: PostgresPapers) -> None:
        self.papers = papers
        self._cm = papers.db.write()

    def __enter__(self) -> psycopg.Connection:
        conn = self._cm.__enter__()
        self.papers._local.conn = conn
        return conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self.papers._local.conn = None
        return self._cm.__exit__(exc_type, exc, tb)
