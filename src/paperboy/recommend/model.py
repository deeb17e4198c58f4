"""Rank candidates for one reader: a linear SVM on tf-idf, fused with nearest-paper similarity.

arxiv-sanity-lite's recipe (a linear SVM on tf-idf, the reader's papers against everything
else) carries most of the signal on simulated readers (bench/README.md, bench_recs.py). One
hyperplane averages a reader's topics, so the similarity to their closest papers is added
(z-scored; tf-idf, and MiniLM where the store has vectors: alone it does worse, but it errs
differently). The closest saved or upvoted paper also gives each pick its reason, and with a
single positive (cold start) similarity is most of what there is to go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

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

    c: float = 1.0  # SVM regularisation (arxiv-sanity-lite: 0.01 over a whole corpus)
    dislike_weight: float = 3.0  # a "not interested" counts as this many unlabelled papers
    nearest_weight: float = 0.75  # tf-idf similarity to the closest positives, z-scored
    nearest_top: int = 2  # ... the mean over the k closest
    dense_weight: float = 0.75  # MiniLM similarity to the closest positive, z-scored
    dense_top: int = 1
    bigrams: bool = True


@dataclass(frozen=True)
class Scored:
    id: str
    score: float
    because: str | None  # the positive this candidate is closest to
    similarity: float  # how close (cosine), for wording the reason


@dataclass(frozen=True)
class Signals:
    """Per-candidate evidence before fusion (rows: candidates; columns: positives)."""

    svm: np.ndarray | None  # SVM margins; None when there was nothing to train against
    lexical: np.ndarray  # tf-idf cosine to each positive
    dense: np.ndarray | None  # MiniLM cosine to each positive; None without vectors


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
    found = signals(positives, candidates, negatives, background, params)
    fused = fuse(found, params)
    closeness = found.dense if found.dense is not None else found.lexical
    nearest = closeness.argmax(axis=1)
    out = [
        Scored(c.id, float(s), positives[j].id, float(closeness[k, j]))
        for k, (c, s, j) in enumerate(zip(candidates, fused, nearest, strict=True))
    ]
    out.sort(key=lambda s: -s.score)
    return out


def signals(
    positives: Sequence[Item],
    candidates: Sequence[Item],
    negatives: Sequence[Item] = (),
    background: Sequence[Item] = (),
    params: Params = Params(),
) -> Signals:
    """The evidence ``fuse`` weighs (apart, so a tuner can fuse many ways cheaply)."""
    n_pos, n_neg, n_cand = len(positives), len(negatives), len(candidates)
    items = [*positives, *negatives, *candidates, *background]
    x = tfidf([i.text for i in items], bigrams=params.bigrams)
    cand = x[n_pos + n_neg : n_pos + n_neg + n_cand]
    svm = None
    if len(items) - n_pos >= 2:
        svm = _svm(x, n_pos, n_neg, params).decision_function(cand)
    return Signals(svm, _similarity(cand, x[:n_pos]), _dense(positives, candidates))


def fuse(found: Signals, params: Params) -> np.ndarray:
    """The z-scored sum: SVM margin + weighted nearest-positive similarities."""
    fused = np.zeros(found.lexical.shape[0])
    if found.svm is not None:
        fused += _zscore(found.svm)
    if params.nearest_weight or found.svm is None:
        weight = params.nearest_weight or 1.0
        fused += weight * _zscore(_top_mean(found.lexical, params.nearest_top))
    if found.dense is not None and params.dense_weight:
        fused += params.dense_weight * _zscore(_top_mean(found.dense, params.dense_top))
    return fused


def _svm(x: csr_matrix, n_pos: int, n_neg: int, params: Params) -> Any:
    """A fitted LinearSVC (scikit-learn imported here: see ``features.tfidf``)."""
    from sklearn.svm import LinearSVC

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
