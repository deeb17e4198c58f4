"""Simulated readers for ``bench_recs.py``: real authors of the shared arXiv CS file.

A reader is an author (by exact name) with at least 6 papers whose last two papers were
listed in the file's final four weeks: the earlier papers are the library (positives), and the
last two are hidden among 1,000 papers listed within 3 days of their listing dates. Keeping
the hidden papers in the final weeks keeps the candidate windows together, so the abstracts to
embed are ~8,000, not the whole file (embedding them takes ~7 minutes on 2 cores, once: the
vectors are cached).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

MIN_PAPERS = 6
HIDDEN = 2
WINDOW_DAYS = 3
POOL = 1000  # candidates per reader, the hidden papers included
FINAL_WEEKS = 4
SEED = 11


@dataclass
class Reader:
    name: str
    library: list[int]  # record indexes, oldest first
    hidden: list[int]
    candidates: list[int]  # POOL record indexes in a shuffled order, hidden included


def listing_day(record: dict) -> date:
    return date.fromisoformat(record["listing_date"])


def build_readers(records: list[dict]) -> list[Reader]:
    """Every eligible reader, in a seeded random order (the caller splits train/held-out)."""
    by_author: dict[str, list[int]] = defaultdict(list)
    by_day: dict[date, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_day[listing_day(r)].append(i)
        for name in dict.fromkeys(r["authors"]):
            by_author[name].append(i)
    end = max(by_day)
    start = end - timedelta(weeks=FINAL_WEEKS)
    names = sorted(
        name
        for name, papers in by_author.items()
        if len(papers) >= MIN_PAPERS
        and all(listing_day(records[i]) > start for i in _ordered(records, papers)[-HIDDEN:])
    )
    rng = random.Random(SEED)
    rng.shuffle(names)
    readers = []
    for name in names:
        ordered = _ordered(records, by_author[name])
        library, hidden = ordered[:-HIDDEN], ordered[-HIDDEN:]
        window: set[int] = set()
        for h in hidden:
            day = listing_day(records[h])
            for k in range(-WINDOW_DAYS, WINDOW_DAYS + 1):
                window.update(by_day.get(day + timedelta(days=k), ()))
        others = sorted(window - set(library) - set(hidden))
        pick = random.Random(f"{SEED}:{name}")
        chosen = pick.sample(others, min(POOL - HIDDEN, len(others))) + hidden
        pick.shuffle(chosen)
        readers.append(Reader(name, library, hidden, chosen))
    return readers


def _ordered(records: list[dict], papers: list[int]) -> list[int]:
    return sorted(papers, key=lambda i: (records[i]["listing_date"], records[i]["id"]))


def recall_ndcg(scores: np.ndarray, relevant: np.ndarray, k: int = 10) -> tuple[float, float]:
    """recall@k and nDCG@k (binary gains) of one ranking by ``scores`` (larger first)."""
    top = np.argsort(-scores, kind="stable")[:k]
    gains = relevant[top].astype(float)
    dcg = float((gains / np.log2(np.arange(2, len(top) + 2))).sum())
    n_rel = int(relevant.sum())
    ideal = float((1.0 / np.log2(np.arange(2, min(n_rel, k) + 2))).sum())
    return float(gains.sum()) / max(n_rel, 1), dcg / ideal if ideal else 0.0
