"""Topic facets: split the top results of an ambiguous query into a few labelled groups.

"alignment" means preference tuning of LLMs, DNA sequence alignment, forced alignment of
speech and entity alignment between knowledge graphs. Each paper is represented by its
embedding joined with a TF-IDF vector of the words *around the query's words* (title and the
sentences that use them: "DNA sequence alignment", "entity alignment"), which is what tells
one sense from another; the embedding alone sees every "alignment" paper as much alike.

Average-linkage clustering of those rows is cut at ``GROUPS`` groups. A dominant topic with a
few distinct minorities is the usual shape of an ambiguous query, and the silhouette-best
cut on such data is "dominant vs. the tightest minority", which hides the others; so the
silhouette only decides *whether* the results mix topics at all (best silhouette over
2..MAX_GROUPS cuts above ``MIN_SILHOUETTE``), and single leftover papers are pooled into one
"other" group. Each group is labelled with its most distinctive words (class-based TF-IDF,
as in BERTopic).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paperboy.models.paper import Paper
from paperboy.search.embed import sentences
from paperboy.search.query import STOPWORDS

TOP = 50  # results grouped
MIN_RESULTS = 6  # fewer than this is not worth grouping
GROUPS = 6  # the cut: at most this many facets (fewer when results are few)
MAX_GROUPS = 8  # cuts tried when judging whether the results split at all
MIN_SILHOUETTE = 0.04  # below: the results do not split into distinct topics
LABEL_TERMS = 3

_TOKEN = re.compile(r"[a-z][a-z0-9\-]{2,}")
_MORE_STOP = frozenset(
    """also our we propose proposed method methods approach approaches results show shows
    based new novel model models paper present work task tasks data performance large
    existing while such these than more both two one can which through however across
    demonstrate experiments framework significantly various different use used including
    study achieve improve improves state-of-the-art first further other between without
    within its their them they it is are be been this that with from into over under""".split()
)


@dataclass(frozen=True)
class Group:
    ids: list[str]
    label: str


def average_linkage(sim: np.ndarray) -> list[list[list[int]]]:
    """Agglomerative clustering (average linkage on cosine similarity).

    Returns the partitions from n groups down to one: ``result[k-1]`` has ``k`` groups.
    O(n³) on at most ``TOP`` points, which is microseconds of numpy.
    """
    n = len(sim)
    groups: list[list[int]] = [[i] for i in range(n)]
    between = sim.astype(np.float64).copy()
    np.fill_diagonal(between, -np.inf)
    sizes = np.ones(n)
    alive = list(range(n))
    partitions = {n: [list(g) for g in groups]}
    while len(alive) > 1:
        sub = between[np.ix_(alive, alive)]
        flat = int(np.argmax(sub))
        a, b = alive[flat // len(alive)], alive[flat % len(alive)]
        a, b = min(a, b), max(a, b)
        # The merged group's mean similarity to every other group, weighted by size.
        merged = (between[a] * sizes[a] + between[b] * sizes[b]) / (sizes[a] + sizes[b])
        between[a, :] = merged
        between[:, a] = merged
        between[a, a] = -np.inf
        between[b, :] = -np.inf
        between[:, b] = -np.inf
        sizes[a] += sizes[b]
        groups[a] += groups[b]
        groups[b] = []
        alive.remove(b)
        partitions[len(alive)] = [list(groups[i]) for i in alive]
    return [partitions[k] for k in range(1, n + 1)]


def silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette; points alone in their group count 0 (Rousseeuw's convention).

    One matrix product gives every point's summed distance to every group (a Python loop
    over points and groups took ~15 ms of a 50-result search page)."""
    ks, index = np.unique(labels, return_inverse=True)
    if len(ks) < 2:
        return 0.0
    members = np.zeros((len(labels), len(ks)))
    members[np.arange(len(labels)), index] = 1.0
    sums = dist @ members  # (points, groups)
    counts = members.sum(axis=0)
    rows = np.arange(len(labels))
    own = counts[index]
    a = sums[rows, index] / np.maximum(own - 1, 1)
    means = sums / counts
    means[rows, index] = np.inf
    b = means.min(axis=1)
    scores = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(scores.mean())


def cluster(rows: np.ndarray, groups: int = GROUPS) -> tuple[list[list[int]], list[int]] | None:
    """Row indices per group (each sorted, groups by best member) and the leftover rows that
    stood alone; None when the rows are one topic."""
    n = len(rows)
    if n < MIN_RESULTS:
        return None
    sim = rows @ rows.T
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    partitions = average_linkage(sim)
    best = MIN_SILHOUETTE
    for k in range(2, min(MAX_GROUPS, n - 1) + 1):
        labels = np.empty(n, dtype=int)
        for g, members in enumerate(partitions[k - 1]):
            labels[members] = g
        best = max(best, silhouette(dist, labels))
    if best <= MIN_SILHOUETTE:
        return None
    cut = partitions[min(groups, max(2, n // 3)) - 1]
    kept = [sorted(g) for g in cut if len(g) > 1]
    leftovers = sorted(i for g in cut if len(g) == 1 for i in g)
    kept.sort(key=lambda g: g[0])
    return (kept, leftovers) if len(kept) + bool(leftovers) > 1 else None


def context_rows(papers: Sequence[Paper], query_terms: Sequence[str]) -> np.ndarray:
    """TF-IDF rows of each paper's title and the abstract sentences using a query word."""
    stems = tuple(t.lower()[:5] for t in query_terms if len(t) >= 3)
    docs = []
    for p in papers:
        used = [s for s in sentences(p.abstract) if any(st in s.lower() for st in stems)]
        words = _TOKEN.findall(f"{p.title} {' '.join(used)}".lower())
        docs.append(
            Counter(
                w for w in words
                if w not in STOPWORDS and w not in _MORE_STOP and not w.startswith(stems)
            )
        )  # fmt: skip
    df = Counter(w for d in docs for w in d)
    vocab = {w: i for i, w in enumerate(sorted(df))}
    out = np.zeros((len(docs), max(1, len(vocab))), dtype=np.float32)
    for r, d in enumerate(docs):
        for w, c in d.items():
            out[r, vocab[w]] = (1 + math.log(c)) * math.log(len(docs) / df[w])
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def tokens(paper: Paper) -> list[str]:
    text = f"{paper.title} {paper.title} {paper.abstract}".lower()
    return [
        t.strip("-") for t in _TOKEN.findall(text) if t not in STOPWORDS and t not in _MORE_STOP
    ]


def label_groups(
    groups: Sequence[Sequence[Paper]], exclude: set[str], n_terms: int = LABEL_TERMS
) -> list[str]:
    """Each group's most distinctive words by class-based TF-IDF.

    A word's weight in a group is its frequency there times log(1 + average group length /
    its frequency over all groups): frequent here, rare elsewhere.
    """
    counts = [Counter(t for p in g for t in tokens(p) if t not in exclude) for g in groups]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    avg = sum(total.values()) / max(1, len(groups))
    labels = []
    for c in counts:
        size = sum(c.values()) or 1
        scored = sorted(
            ((n / size) * math.log(1 + avg / total[t]), t) for t, n in c.items() if n >= 1
        )
        picked: list[str] = []
        for _, term in reversed(scored):
            if any(term in p or p in term for p in picked):
                continue  # "sequence" and "sequences" once
            picked.append(term)
            if len(picked) == n_terms:
                break
        labels.append(", ".join(picked) or "other")
    return labels


def topic_groups(
    papers: Sequence[Paper], vectors: np.ndarray, query_terms: Sequence[str]
) -> list[Group]:
    """Groups of ``papers`` (in their given order) with labels; [] when they are one topic."""
    context = context_rows(papers, query_terms)
    found = cluster(np.hstack([vectors, context]) / math.sqrt(2.0))
    if not found:
        return []
    parts, leftovers = found
    exclude = {t.lower() for t in query_terms}
    exclude |= {t[:-1] for t in exclude if t.endswith("s")} | {t + "s" for t in exclude}
    exclude |= {t + "ed" for t in exclude} | {t.removesuffix("ment") for t in exclude}
    members = [[papers[i] for i in g] for g in parts]
    labels = label_groups(members, exclude)
    out = [Group([p.id for p in m], label) for m, label in zip(members, labels, strict=True)]
    if leftovers:
        out.append(Group([papers[i].id for i in leftovers], "other"))
    return out
