"""Vectors in pgvector: ``nearest`` is an HNSW index scan in the database.

The ``embedding`` column has no fixed dimension (models differ), so each model gets a
partial HNSW index on ``embedding::vector(dim)`` when its first vectors arrive, and queries
cast the same way to use it. Filtered searches turn on pgvector's iterative index scans, so
a narrow filter still fills ``k``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np
from pgvector import HalfVector
from psycopg import sql
from psycopg.types.json import Jsonb

from paperboy.models.query import Filters, Hit
from paperboy.store.postgres.db import Database
from paperboy.store.postgres.papers import filter_sql
from paperboy.store.vectors import RelatedRow, VectorRow, VectorStore

EF_SEARCH = 100  # HNSW candidate list per search (pgvector's default is 40)
HIDDEN_MARGIN = 20  # extra neighbours fetched so that hidden papers can be dropped


def _array(v: object) -> np.ndarray:
    """A float32 array from pgvector's ``Vector``/``HalfVector`` (or an array already)."""
    to_numpy = getattr(v, "to_numpy", None)
    return np.asarray(to_numpy() if to_numpy else v, dtype=np.float32)


def _unit(v: object) -> np.ndarray:
    v = _array(v)
    return v / max(float(np.linalg.norm(v)), 1e-12)


class PostgresVectors(VectorStore):
    def __init__(self, db: Database) -> None:
        self.db = db
        self._indexed: set[tuple[str, int]] = set()
        self._dims: dict[str, int] = {}
        self._counts: dict[str, tuple[int, int]] = {}  # model → (vectors counter, count)
        self._lock = threading.Lock()

    def _ensure_index(self, conn, model: str, dim: int) -> None:  # noqa: ANN001
        if (model, dim) in self._indexed:
            return
        name = (
            "vectors_hnsw_" + hashlib.blake2b(f"{model}:{dim}".encode(), digest_size=6).hexdigest()
        )
        conn.execute(
            sql.SQL(
                "CREATE INDEX IF NOT EXISTS {} ON vectors USING hnsw"
                " ((embedding::vector({})) vector_cosine_ops) WHERE model = {}"
            ).format(sql.Identifier(name), sql.Literal(dim), sql.Literal(model))
        )
        self._indexed.add((model, dim))

    def _dim(self, model: str) -> int | None:
        dim = self._dims.get(model)
        if dim is None:
            rows = self.db.read(
                "SELECT vector_dims(embedding) FROM vectors WHERE model = %s LIMIT 1", (model,)
            )
            if not rows:
                return None
            dim = self._dims[model] = rows[0][0]
        return dim

    # --- document vectors ---------------------------------------------------------------
    def save_vectors(self, model: str, rows: Sequence[VectorRow]) -> None:
        if not rows:
            return
        with self.db.write() as conn:
            dim = int(np.asarray(rows[0][2]).shape[0])
            self._ensure_index(conn, model, dim)
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO vectors (paper_id, model, text_hash, embedding)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT (model, paper_id) DO UPDATE"
                    " SET text_hash = excluded.text_hash, embedding = excluded.embedding",
                    [(pid, model, h, np.asarray(v, dtype=np.float32)) for pid, h, v in rows],
                )
            self.db.bump(conn, "vectors")

    def vector_text_hashes(self, model: str) -> dict[str, str]:
        return dict(
            self.db.read("SELECT paper_id, text_hash FROM vectors WHERE model = %s", (model,))
        )

    def version(self, model: str) -> str:
        return str(self.db.counter("vectors"))

    def count(self, model: str) -> int:
        """Counted once per change of the vectors counter: asked on every search."""
        version = self.db.counter("vectors")
        cached = self._counts.get(model)
        if cached is None or cached[0] != version:
            n = self.db.read("SELECT count(*) FROM vectors WHERE model = %s", (model,))[0][0]
            self._counts[model] = cached = (version, n)
        return cached[1]

    def models(self) -> list[str]:
        return [r[0] for r in self.db.read("SELECT DISTINCT model FROM vectors ORDER BY model")]

    def nearest(
        self, model: str, vector: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[Hit]:
        dim = self._dim(model)
        if dim is None or k <= 0:
            return []
        q = _unit(vector)
        cast = f"vector({int(dim)})"
        rows = None
        if not filters:
            rows = self._nearest_shown(q, model, cast, k)
        if rows is None:
            where, params = filter_sql(filters)  # hidden papers never pass
            query = sql.SQL(
                f"SELECT v.paper_id, 1 - (v.embedding::{cast} <=> %s::{cast}) FROM vectors v"
                f" JOIN papers p ON p.id = v.paper_id WHERE v.model = {{model}} AND {where}"
                f" ORDER BY v.embedding::{cast} <=> %s::{cast} LIMIT %s"
            ).format(model=sql.Literal(model))
            with self.db.transaction() as conn:
                conn.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, int(k))}")
                conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                rows = conn.execute(query, [q, *params, q, k]).fetchall()
        hits = [Hit(pid, float(score)) for pid, score in rows]
        hits.sort(key=lambda h: -h.score)  # relaxed order: re-sort what came back
        return hits

    def _nearest_shown(self, q: np.ndarray, model: str, cast: str, k: int) -> list | None:
        """The ``k`` nearest papers that are not hidden, from the HNSW index alone, or None
        when more than ``HIDDEN_MARGIN`` of the nearest are hidden.

        Joined to ``papers`` in one query (for the hidden flag), the planner may walk every
        paper and compute each distance instead of using the index, as soon as its
        estimate of the non-hidden papers is small (a fresh import): 45 ms instead of ~2 at
        20k vectors, 140 ms at 50k in bench_postgres. The index scan runs first here.

        The model is written into the query, not passed as a parameter: the HNSW index is
        partial (``WHERE model = '…'``), and once psycopg prepares a statement (its fifth
        run) PostgreSQL may pick a generic plan, which cannot prove that predicate for ``$n``
        and sorts every vector instead (15 → 44 ms a search at 50k)."""
        query = sql.SQL(
            f"SELECT n.paper_id, n.score, p.hidden_at IS NULL FROM ("
            f"SELECT v.paper_id, 1 - (v.embedding::{cast} <=> %s::{cast}) AS score"
            f" FROM vectors v WHERE v.model = {{model}}"
            f" ORDER BY v.embedding::{cast} <=> %s::{cast} LIMIT %s) n"
            f" JOIN papers p ON p.id = n.paper_id"
        ).format(model=sql.Literal(model))
        wanted = k + HIDDEN_MARGIN
        with self.db.transaction() as conn:
            conn.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, wanted)}")
            rows = conn.execute(query, [q, q, wanted]).fetchall()
        shown = [(pid, score) for pid, score, visible in rows if visible]
        if len(shown) < k and len(rows) == wanted:
            return None  # many hidden papers among the nearest: the filtered scan
        return sorted(shown, key=lambda r: -r[1])[:k]

    def get_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        rows = self.db.read(
            "SELECT paper_id, embedding FROM vectors WHERE model = %s AND paper_id = ANY(%s)",
            (model, ids),
            binary=True,
        )
        return {pid: _unit(v) for pid, v in rows}

    def iter_vectors(self, model: str, batch_size: int = 5000) -> Iterator[list[VectorRow]]:
        last = 0
        while True:
            rows = self.db.read(
                "SELECT seq, paper_id, text_hash, embedding FROM vectors"
                " WHERE model = %s AND seq > %s ORDER BY seq LIMIT %s",
                (model, last, batch_size),
                binary=True,
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [(pid, h, _array(v)) for _, pid, h, v in rows]

    # --- passages -----------------------------------------------------------------------
    def save_passage_vectors(self, model: str, rows: Sequence[VectorRow]) -> None:
        if not rows:
            return
        with self.db.write() as conn:
            ids = [pid for pid, _, _ in rows]
            conn.execute(
                "DELETE FROM passage_vectors WHERE model = %s AND paper_id = ANY(%s)", (model, ids)
            )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO passage_vectors (paper_id, model, idx, text_hash, embedding)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    [
                        (pid, model, i, h, HalfVector(np.asarray(row, dtype=np.float32)))
                        for pid, h, matrix in rows
                        for i, row in enumerate(np.atleast_2d(matrix))
                    ],
                )
            self.db.bump(conn, "vectors")

    def get_passage_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        rows = self.db.read(
            "SELECT paper_id, embedding FROM passage_vectors"
            " WHERE model = %s AND paper_id = ANY(%s) ORDER BY paper_id, idx",
            (model, ids),
            binary=True,
        )
        return _group_passages((pid, v) for pid, v in rows)

    def passage_text_hashes(self, model: str) -> dict[str, str]:
        return dict(
            self.db.read(
                "SELECT DISTINCT paper_id, text_hash FROM passage_vectors WHERE model = %s",
                (model,),
            )
        )

    def iter_passage_vectors(self, model: str, batch_size: int = 2000) -> Iterator[list[VectorRow]]:
        last = ""
        while True:
            ids = [
                r[0]
                for r in self.db.read(
                    "SELECT paper_id FROM passage_vectors WHERE model = %s AND idx = 0"
                    ' AND paper_id COLLATE "C" > %s ORDER BY paper_id COLLATE "C" LIMIT %s',
                    (model, last, batch_size),
                )
            ]
            if not ids:
                return
            last = ids[-1]
            hashes = dict(
                self.db.read(
                    "SELECT DISTINCT paper_id, text_hash FROM passage_vectors"
                    " WHERE model = %s AND paper_id = ANY(%s)",
                    (model, ids),
                )
            )
            found = self.get_passage_vectors(model, ids)
            yield [(pid, hashes[pid], found[pid]) for pid in ids if pid in found]

    def passage_models(self) -> list[str]:
        rows = self.db.read("SELECT DISTINCT model FROM passage_vectors ORDER BY model")
        return [r[0] for r in rows]

    # --- related papers -----------------------------------------------------------------
    def save_related(self, model: str, lists: Mapping[str, Sequence[RelatedRow]]) -> None:
        rows = [
            (model, Jsonb([[o, round(float(s), 6), r] for o, s, r in items]), pid)
            for pid, items in lists.items()
        ]
        if not rows:
            return
        with self.db.transaction() as conn:
            with conn.cursor() as cur:
                # Papers deleted meanwhile are skipped rather than failing the whole batch.
                cur.executemany(
                    "INSERT INTO related (model, paper_id, items)"
                    " SELECT %s, id, %s FROM papers WHERE id = %s"
                    " ON CONFLICT (model, paper_id) DO UPDATE SET items = excluded.items",
                    rows,
                )
            self.db.bump(conn, "related")

    def get_related(self, model: str, paper_id: str) -> list[RelatedRow] | None:
        rows = self.db.read(
            "SELECT items FROM related WHERE model = %s AND paper_id = %s", (model, paper_id)
        )
        if not rows:
            return None
        return [(str(o), float(s), str(r)) for o, s, r in rows[0][0]]

    def related_count(self, model: str) -> int:
        rows = self.db.read("SELECT count(*) FROM related WHERE model = %s", (model,))
        return int(rows[0][0])


def _group_passages(rows: Iterable[tuple[str, HalfVector]]) -> dict[str, np.ndarray]:
    grouped: dict[str, list[np.ndarray]] = {}
    for pid, v in rows:
        grouped.setdefault(pid, []).append(_array(v))
    return {pid: np.stack(vs) for pid, vs in grouped.items()}
