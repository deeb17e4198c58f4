"""Nearest neighbours over unit vectors: exact dot products, or faiss IVF past a size.

Both indexes answer ``search(queries, k) -> (ids, scores)`` so callers never know which one
they have. Exact search is one matrix product and beats any approximate index up to a few
hundred thousand rows; past ``APPROX_FROM`` rows an IVF index (inner product) scans only
``nprobe`` of its lists.
"""

from __future__ import annotations

import math

import numpy as np

APPROX_FROM = 300_000
NPROBE = 256  # of 2048 lists at 1M: short real queries have many near-ties
MAX_LISTS = 2048  # more lists train slower (k-means) for little speed-up at 1M
RERANK = 4  # candidates per wanted result that get an exact score
ADD_BATCH = 50_000  # rows handed to faiss at a time


def normalise(matrix: np.ndarray) -> np.ndarray:
    m = np.ascontiguousarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.maximum(norms, 1e-12)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row-wise indices of the ``k`` largest scores, best first (argpartition, then sort)."""
    k = min(k, scores.shape[-1])
    if k <= 0:
        return np.zeros(scores.shape[:-1] + (0,), dtype=np.int64)
    part = np.argpartition(-scores, k - 1, axis=-1)[..., :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=-1), axis=-1, kind="stable")
    return np.take_along_axis(part, order, axis=-1)


class ExactIndex:
    """All rows in one float32 matrix; a search is ``q @ matrix.T`` and a partial sort.

    The matrix is kept transposed (one contiguous row per dimension): OpenBLAS multiplies a
    query by it in half the time of the row-major layout (75k × 384, one thread: 4.2 against
    9.0 ms), and the scan is most of a dense search's cost.
    """

    kind = "exact"

    def __init__(self, ids: list[str], matrix: np.ndarray) -> None:
        self.ids = list(ids)
        rows = normalise(matrix) if len(ids) else np.zeros((0, 0), np.float32)
        self.columns = np.ascontiguousarray(rows.T)
        self.row = {pid: i for i, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, at: np.ndarray | slice) -> np.ndarray:
        """The unit vectors at these row positions, one per row."""
        return self.columns[:, at].T

    def vector(self, paper_id: str) -> np.ndarray | None:
        i = self.row.get(paper_id)
        return None if i is None else np.ascontiguousarray(self.columns[:, i])

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        q = np.atleast_2d(queries).astype(np.float32, copy=False)
        if not len(self.ids):
            return [[] for _ in q], np.zeros((len(q), 0), np.float32)
        scores = q @ self.columns
        idx = top_k(scores, k)
        return [[self.ids[j] for j in row] for row in idx], np.take_along_axis(scores, idx, -1)


class IVFIndex(ExactIndex):
    """faiss IVF with 8-bit scalar-quantised lists (inner product), re-ranked exactly.

    The lists hold 8-bit codes, a quarter of the bytes to scan per probed list; the best
    ``RERANK`` × k candidates are then re-scored with the exact float32 rows kept for
    look-ups, so quantisation costs almost no recall.
    """

    kind = "ivf"

    def __init__(
        self, ids: list[str], matrix: np.ndarray, *, nlist: int | None = None, seed: int = 0
    ) -> None:
        import faiss

        super().__init__(ids, matrix)
        dim, n = self.columns.shape
        self.nlist = nlist or max(16, min(MAX_LISTS, int(4 * math.sqrt(n))))
        quantizer = faiss.IndexFlatIP(dim)
        self.index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, self.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        rng = np.random.default_rng(seed)
        sample = min(n, self.nlist * 40)
        train = np.ascontiguousarray(self.rows(np.sort(rng.choice(n, sample, replace=False))))
        self.index.train(train)
        for start in range(0, n, ADD_BATCH):  # row-major copies, a slice at a time
            self.index.add(np.ascontiguousarray(self.rows(slice(start, start + ADD_BATCH))))
        self.index.nprobe = min(NPROBE, self.nlist)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        _, idx = self.index.search(q, min(k * RERANK, len(self.ids)))
        out_ids, out_scores = [], []
        for row, qv in zip(idx, q, strict=True):
            cand = row[row >= 0]
            exact = qv @ self.columns[:, cand]
            best = top_k(exact, k)
            out_ids.append([self.ids[j] for j in cand[best]])
            out_scores.append(exact[best])
        width = max((len(s) for s in out_scores), default=0)
        scores = np.full((len(q), width), -np.inf, dtype=np.float32)
        for i, s in enumerate(out_scores):
            scores[i, : len(s)] = s
        return out_ids, scores


def build_index(ids: list[str], matrix: np.ndarray, approx_from: int = APPROX_FROM):
    """Exact below ``approx_from`` rows (or when faiss is missing), IVF above."""
    if len(ids) >= approx_from:
        try:
            return IVFIndex(ids, matrix)
        except ImportError:
            pass
    return ExactIndex(ids, matrix)


def recall_at_k(exact: ExactIndex, approx: ExactIndex, queries: np.ndarray, k: int = 10) -> float:
    """Share of the exact top-k that the approximate index also returns."""
    truth, _ = exact.search(queries, k)
    got, _ = approx.search(queries, k)
    hits = sum(len(set(t) & set(g)) for t, g in zip(truth, got, strict=True))
    return hits / max(1, sum(len(t) for t in truth))
