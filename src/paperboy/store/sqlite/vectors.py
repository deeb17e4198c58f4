"""Vectors in SQLite, searched by an in-process index.

SQLite has no vector index, so ``nearest`` loads a model's vectors once into an exact (or,
past a few hundred thousand rows, faiss IVF) index and reloads it only when the vectors
counter moved; that check is one cheap query, made at most every ``CHECK_EVERY`` seconds.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from paperboy.models.query import Filters, Hit
from paperboy.store.sqlite.db import Database, chunks, marks
from paperboy.store.sqlite.papers import SQLitePapers
from paperboy.store.sqlite.vector_index import ExactIndex, build_index, normalise
from paperboy.store.vectors import RelatedRow, VectorRow, VectorStore

CHECK_EVERY = 2.0
FILTER_WIDEN = 3  # neighbours fetched per wanted one when filters may drop some


@dataclass
class _Loaded:
    version: str
    index: ExactIndex | None
    checked: float


class SQLiteVectors(VectorStore):
    def __init__(self, db: Database, papers: SQLitePapers) -> None:
        self.db = db
        self.papers = papers
        self._indexes: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    # --- document vectors ---------------------------------------------------------------
    def save_vectors(self, model: str, rows: Sequence[VectorRow]) -> None:
        with self.db.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (paper_id, model, text_hash, dim, vector)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (pid, model, h, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes())
                    for pid, h, v in rows
                ],
            )
            self.db.bump(conn, "vectors")

    def vector_text_hashes(self, model: str) -> dict[str, str]:
        return dict(
            self.db.read("SELECT paper_id, text_hash FROM vectors WHERE model = ?", (model,))
        )

    def version(self, model: str) -> str:
        return str(self.db.counter("vectors"))

    def models(self) -> list[str]:
        return [r[0] for r in self.db.read("SELECT DISTINCT model FROM vectors ORDER BY model")]

    def index(self, model: str) -> ExactIndex | None:
        """The in-process index of ``model``'s vectors; None when there are none."""
        loaded = self._indexes.get(model)
        now = time.monotonic()
        if loaded and now - loaded.checked < CHECK_EVERY:
            return loaded.index
        with self._lock:
            loaded = self._indexes.get(model)
            version = self.version(model)
            if loaded and loaded.version == version:
                loaded.checked = now
                return loaded.index
            ids, matrix = self._load(model)
            index = build_index(ids, matrix) if ids else None
            self._indexes[model] = _Loaded(version, index, time.monotonic())
            return index

    def _load(self, model: str) -> tuple[list[str], np.ndarray]:
        rows = self.db.read(
            "SELECT v.paper_id, v.dim, v.vector FROM vectors v JOIN papers p ON p.id = v.paper_id"
            " WHERE v.model = ? ORDER BY p.rowid",
            (model,),
        )
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        dim = rows[0][1]
        matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), dim)
        return [r[0] for r in rows], matrix.astype(np.float32, copy=False)

    def count(self, model: str) -> int:
        index = self.index(model)
        return len(index) if index is not None else 0

    def nearest(
        self, model: str, vector: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[Hit]:
        index = self.index(model)
        if index is None or k <= 0:
            return []
        q = normalise(np.asarray(vector, dtype=np.float32))
        hidden = len(self.papers.hidden_ids())  # each may take a place in the nearest
        narrowed = bool(filters) or hidden > 0
        ids, scores = index.search(q, (k * FILTER_WIDEN if filters else k) + hidden)
        found = list(zip(ids[0], scores[0].tolist(), strict=True))
        if narrowed:  # filter_ids leaves out hidden papers too
            keep = self.papers.filter_ids([i for i, _ in found], filters or Filters())
            found = [(i, s) for i, s in found if i in keep]
        return [Hit(i, s) for i, s in found[:k]]

    def get_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        index = self.index(model)
        if index is None:
            return {}
        known = [(pid, index.row[pid]) for pid in dict.fromkeys(ids) if pid in index.row]
        if not known:
            return {}
        # One gather from the transposed matrix, not one strided copy per paper.
        rows = np.ascontiguousarray(index.rows(np.array([at for _, at in known])))
        return {pid: rows[i] for i, (pid, _) in enumerate(known)}

    def iter_vectors(self, model: str, batch_size: int = 5000) -> Iterator[list[VectorRow]]:
        last = 0
        while True:
            rows = self.db.read(
                "SELECT rowid, paper_id, text_hash, vector FROM vectors"
                " WHERE model = ? AND rowid > ? ORDER BY rowid LIMIT ?",
                (model, last, batch_size),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [(pid, h, np.frombuffer(blob, dtype="<f4").copy()) for _, pid, h, blob in rows]

    # --- passages -----------------------------------------------------------------------
    def save_passage_vectors(self, model: str, rows: Sequence[VectorRow]) -> None:
        with self.db.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO passage_vectors (paper_id, model, text_hash, dim, vectors)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (pid, model, h, int(m.shape[1]),
                     np.ascontiguousarray(m, dtype="<f2").tobytes())
                    for pid, h, m in rows
                ],
            )  # fmt: skip
            self.db.bump(conn, "vectors")

    def get_passage_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            rows = self.db.read(
                "SELECT paper_id, dim, vectors FROM passage_vectors WHERE model = ?"
                f" AND paper_id IN ({marks(len(chunk))})",
                [model, *chunk],
            )
            for pid, dim, blob in rows:
                out[pid] = np.frombuffer(blob, dtype="<f2").reshape(-1, dim).astype(np.float32)
        return out

    def passage_text_hashes(self, model: str) -> dict[str, str]:
        return dict(
            self.db.read(
                "SELECT paper_id, text_hash FROM passage_vectors WHERE model = ?", (model,)
            )
        )

    def iter_passage_vectors(self, model: str, batch_size: int = 2000) -> Iterator[list[VectorRow]]:
        last = 0
        while True:
            rows = self.db.read(
                "SELECT rowid, paper_id, text_hash, dim, vectors FROM passage_vectors"
                " WHERE model = ? AND rowid > ? ORDER BY rowid LIMIT ?",
                (model, last, batch_size),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [
                (pid, h, np.frombuffer(blob, dtype="<f2").reshape(-1, dim).astype(np.float32))
                for _, pid, h, dim, blob in rows
            ]

    def passage_models(self) -> list[str]:
        rows = self.db.read("SELECT DISTINCT model FROM passage_vectors ORDER BY model")
        return [r[0] for r in rows]

    # --- related papers -----------------------------------------------------------------
    def save_related(self, model: str, lists: Mapping[str, Sequence[RelatedRow]]) -> None:
        rows = [
            (model, pid, json.dumps([[o, round(float(s), 6), r] for o, s, r in items]))
            for pid, items in lists.items()
        ]
        with self.db.write() as conn:
            # Papers deleted meanwhile are skipped rather than failing the whole batch.
            conn.executemany(
                "INSERT OR REPLACE INTO related (model, paper_id, items)"
                " SELECT ?, id, ? FROM papers WHERE id = ?",
                [(m, items, pid) for m, pid, items in rows],
            )
            self.db.bump(conn, "related")

    def get_related(self, model: str, paper_id: str) -> list[RelatedRow] | None:
        rows = self.db.read(
            "SELECT items FROM related WHERE model = ? AND paper_id = ?", (model, paper_id)
        )
        if not rows:
            return None
        return [(str(o), float(s), str(r)) for o, s, r in json.loads(rows[0][0])]

    def related_count(self, model: str) -> int:
        return self.db.read("SELECT count(*) FROM related WHERE model = ?", (model,))[0][0]
