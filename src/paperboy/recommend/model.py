"""Rank candidates for one reader: a linear SVM on tf-idf, fused with MiniLM similarity.

arxiv-sanity-lite's recipe (a linear SVM on tf-idf, the reader's papers against everything
else) carries most of the signal on simulated readers (bench/README.md, bench_recs.py);
MiniLM alone does worse but errs differently, so its z-scored nearest-paper similarity is
added with a small weight. The nearest saved or upvoted paper also gives each pick its
reason, and with a single positive (cold start) similarity is all there is to go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.svm import LinearSVC

from paperboy.recommend.features import tfidf


@dataclass(frozen=True)
class Item:
    """A paper as the model sees it: its text (``features.paper_text``) and, when the store
    has one, its unit-length document vector."""

    id: str
    text: str
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class Params:
    """The knobs ``bench/bench_recs.py`` tuned on its train readers."""

    c: float = 0.1  # SVM regularisation (arxiv-sanity-lite: 0.01 over a whole corpus)
    dislike_weight: float = 3.0  # a "not interested" counts as this many unlabelled papers
    dense_weight: float = 0.35  # MiniLM nearest-positive similarity, z-scored
    nearest_weight: float = 0.0  # tf-idf nearest-positive similarity, z-scored
    dense_top: int = 1  # similarity = mean of the k closest positives
    bigrams: bool = True


@dataclass(frozen=True)
class Scored:
    id: str
    score: float
    because: str | None  # the positive this candidate is closest to
    similarity: float  # how close (cosine), for wording the reason


def rank(
    positives: Sequence[Item],
    candidates: Sequence[Item],
    negatives: Sequence[Item] = (),
    background: Sequence[Item] = (),
    params: Params = Params(),
) -> list[Scored]:
    """``candidates`` best first for a reader who liked ``positives`` and dismissed
    ``negatives``; ``background`` adds unlabelled papers when the candidates are few.
    Empty when there are no positives or no candidates."""
    if not positives or not candidates:
        return []
    n_pos, n_neg, n_cand = len(positives), len(negatives), len(candidates)
    items = [*positives, *negatives, *candidates, *background]
    x = tfidf([i.text for i in items], bigrams=params.bigrams)
    pos = x[:n_pos]
    cand = x[n_pos + n_neg : n_pos + n_neg + n_cand]
    fused = np.zeros(n_cand)
    if len(items) - n_pos >= 2:
        fused += _zscore(_svm(x, n_pos, n_neg, params).decision_function(cand))
    lexical = _similarity(cand, pos)
    if params.nearest_weight:
        fused += params.nearest_weight * _zscore(_top_mean(lexical, params.dense_top))
    dense = _dense(positives, candidates)
    closeness = lexical
    if dense is not None:
        fused += params.dense_weight * _zscore(_top_mean(dense, params.dense_top))
        closeness = dense
    nearest = closeness.argmax(axis=1)
    out = [
        Scored(c.id, float(s), positives[j].id, float(closeness[k, j]))
        for k, (c, s, j) in enumerate(zip(candidates, fused, nearest, strict=True))
    ]
    out.sort(key=lambda s: -s.score)
    return out


def _svm(x: csr_matrix, n_pos: int, n_neg: int, params: Params) -> LinearSVC:
    y = np.zeros(x.shape[0], dtype=int)
    y[:n_pos] = 1
    weights = np.ones(x.shape[0])
    weights[n_pos : n_pos + n_neg] = params.dislike_weight
    clf = LinearSVC(class_weight="balanced", C=params.c, max_iter=10000, tol=1e-6)
    clf.fit(x, y, sample_weight=weights)
    return clf


def _similarity(cand: csr_matrix, pos: csr_matrix) -> np.ndarray:
    return np.asarray((cand @ pos.T).todense(), dtype=float)


def _dense(positives: Sequence[Item], candidates: Sequence[Item]) -> np.ndarray | None:
    """Cosine of each candidate to each positive that has a vector; candidates without one
    get the column means (neutral after z-scoring). None when either side has no vectors."""
    have = [p.vector for p in positives if p.vector is not None]
    if not have:
        return None
    mean = np.mean(have, axis=0)
    pos = [mean if p.vector is None else p.vector for p in positives]
    rows = [c.vector for c in candidates]
    known = [k for k, v in enumerate(rows) if v is not None]
    if not known:
        return None
    p = np.stack(pos).astype(np.float32)
    sims = np.empty((len(rows), len(pos)), dtype=float)
    sims[known] = np.stack([v for v in rows if v is not None]).astype(np.float32) @ p.T
    unknown = [k for k, v in enumerate(rows) if v is None]
    if unknown:
        sims[unknown] = sims[known].mean(axis=0)
    return sims


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    if k <= 1 or sims.shape[1] <= 1:
        return sims.max(axis=1)
    k = min(k, sims.shape[1])
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def _zscore(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - values.mean()) / std if std > 1e-12 else np.zeros_like(values)
