"""Personal picks on simulated readers: newest first, arxiv-sanity-lite's SVM, Paperboy's model.

    .venv/bin/python bench/bench_recs.py [--readers 80] [--tune]

Readers come from the shared arXiv CS file (``recs_readers.py``): authors with at least 6
papers; their earlier papers are the library, their last 2 are hidden among 1,000 papers listed
within 3 days of those papers' listing dates. Author names are kept out of every feature (an
author's own name would find their papers trivially). Printed: recall@10 and nDCG@10, averaged
over readers, for

- newest first (listing day, then arXiv id, descending);
- arxiv-sanity-lite's recipe re-implemented: tf-idf fitted on the whole file (1-2 grams,
  sublinear tf, 20,000 features, min_df 5, max_df 0.1) and a linear SVM (C 0.01, balanced),
  the library against the pool;
- Paperboy's model (``paperboy.recommend.model.rank`` with its default ``Params``), and two
  of its parts alone (tf-idf SVM without MiniLM; MiniLM nearest-paper cosine).

Readers are split in two by a seeded shuffle: ``--tune`` grid-searches ``Params`` on the
*train* readers only; the table reports the *held-out* readers, which nothing was tuned on.
MiniLM vectors of the ~10,000 abstracts involved are embedded once and cached
(``recs_vectors.py``; ~7 minutes on 2 cores the first time).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from common import ARXIV_CS, load_jsonl, print_table, require, timer  # noqa: E402
from paperboy.recommend.features import paper_text  # noqa: E402
from paperboy.recommend.model import Item, Params, Signals, fuse, rank, signals  # noqa: E402
from recs_readers import POOL, Reader, build_readers, recall_ndcg  # noqa: E402
from recs_vectors import doc_vectors  # noqa: E402

Ranker = Callable[[Reader], np.ndarray]  # scores of reader.candidates, larger first


def sanity_features(records: list[dict]):  # noqa: ANN201 - a sparse matrix
    """arxiv-sanity-lite's compute.py vectoriser over title + abstract (authors left out)."""
    vectoriser = TfidfVectorizer(
        input="content",
        encoding="utf-8",
        decode_error="replace",
        strip_accents="unicode",
        lowercase=True,
        analyzer="word",
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        ngram_range=(1, 2),
        max_features=20000,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=True,
        max_df=0.1,
        min_df=5,
    )
    return vectoriser.fit_transform(f"{r['title']} | {r['summary']}" for r in records)


def sanity_svm(x) -> Ranker:  # noqa: ANN001
    """serve.py's svm_rank: the library (1) against everything else it holds (0)."""

    def score(reader: Reader) -> np.ndarray:
        rows = reader.library + reader.candidates
        y = np.zeros(len(rows))
        y[: len(reader.library)] = 1
        clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01)
        clf.fit(x[rows], y)
        return clf.decision_function(x[reader.candidates])

    return score


def newest_first(records: list[dict]) -> Ranker:
    def score(reader: Reader) -> np.ndarray:
        order = sorted(
            range(len(reader.candidates)),
            key=lambda k: (
                records[reader.candidates[k]]["listing_date"],
                records[reader.candidates[k]]["id"],
            ),
        )
        out = np.empty(len(order))
        out[order] = np.arange(len(order))
        return out

    return score


def _items(
    records: list[dict], vectors: dict[int, np.ndarray], reader: Reader
) -> tuple[list[Item], list[Item]]:
    """The library and the candidates as the model sees papers (no author names)."""

    def item(i: int) -> Item:
        r = records[i]
        return Item(str(i), paper_text(r["title"], r["summary"], r["categories"]), vectors.get(i))

    return [item(i) for i in reader.library], [item(i) for i in reader.candidates]


def paperboy(records: list[dict], vectors: dict[int, np.ndarray], params: Params) -> Ranker:
    def score(reader: Reader) -> np.ndarray:
        ranked = rank(*_items(records, vectors, reader), params=params)
        by_id = {s.id: s.score for s in ranked}
        return np.array([by_id[str(i)] for i in reader.candidates])

    return score


def minilm_nearest(vectors: dict[int, np.ndarray]) -> Ranker:
    def score(reader: Reader) -> np.ndarray:
        lib = np.stack([vectors[i] for i in reader.library])
        cand = np.stack([vectors[i] for i in reader.candidates])
        return (cand @ lib.T).max(axis=1)

    return score


def evaluate(readers: list[Reader], ranker: Ranker) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-reader recall@10 and nDCG@10, and seconds per reader."""
    recalls, ndcgs = [], []
    with timer() as t:
        for reader in readers:
            relevant = np.isin(reader.candidates, reader.hidden)
            r, n = recall_ndcg(ranker(reader), relevant)
            recalls.append(r)
            ndcgs.append(n)
    return np.array(recalls), np.array(ndcgs), t.seconds / max(len(readers), 1)


def paired_interval(ours: np.ndarray, base: np.ndarray, rounds: int = 10000) -> tuple[float, float]:
    """95 % paired bootstrap interval of mean(ours) / mean(base) - 1 over readers: with 160
    hidden papers, a few readers more or less move nDCG by hundredths."""
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(ours), size=(rounds, len(ours)))
    ratios = ours[idx].mean(axis=1) / np.maximum(base[idx].mean(axis=1), 1e-12) - 1
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def tune(readers: list[Reader], records: list[dict], vectors: dict[int, np.ndarray]) -> Params:
    """Grid over the fusion's knobs on the train readers; the best nDCG@10 wins. Signals are
    computed once per reader and SVM ``c``, then fused for every weight (cheap)."""
    grid = {
        "c": [0.3, 1.0],
        "nearest_weight": [0.0, 0.25, 0.5, 0.75],
        "nearest_top": [1, 2],
        "dense_weight": [0.0, 0.25, 0.5, 0.75, 1.0],
        "dense_top": [1, 2],
    }
    found: dict[tuple[float, str], Signals] = {}
    for c in grid["c"]:
        for reader in readers:
            pos, cand = _items(records, vectors, reader)
            found[c, reader.name] = signals(pos, cand, params=replace(Params(), c=c))
    relevant = {r.name: np.isin(r.candidates, r.hidden) for r in readers}
    best: tuple[float, Params] = (-1.0, Params())
    rows = []
    for values in itertools.product(*grid.values()):
        params = replace(Params(), **dict(zip(grid, values, strict=True)))
        ndcg = float(
            np.mean(
                [
                    recall_ndcg(fuse(found[params.c, r.name], params), relevant[r.name])[1]
                    for r in readers
                ]
            )
        )
        rows.append([*values, f"{ndcg:.4f}"])
        if ndcg > best[0]:
            best = (ndcg, params)
    rows.sort(key=lambda row: row[-1], reverse=True)
    print_table("tuning on train readers: the best 10 of the grid", [*grid, "nDCG@10"], rows[:10])
    print(f"best on train: {best[1]}")
    return best[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--readers", type=int, default=80, help="held-out readers (and as many train)")
    ap.add_argument("--tune", action="store_true", help="grid-search Params on train readers")
    args = ap.parse_args()

    records = load_jsonl(require(ARXIV_CS))
    readers = build_readers(records)
    held_out, train = readers[: args.readers], readers[args.readers : 2 * args.readers]
    wanted = train if args.tune else held_out
    needed = sorted({i for r in held_out + wanted for i in r.library + r.candidates})
    vectors = doc_vectors(records, needed)
    mean_lib = np.mean([len(r.library) for r in held_out])
    print(
        f"{len(readers):,} eligible readers; {len(held_out)} held-out, {len(train)} train;"
        f" {POOL:,} candidates each, 2 hidden; library {mean_lib:.1f} papers on average"
    )
    params = tune(train, records, vectors) if args.tune else Params()

    with timer() as t:
        x = sanity_features(records)
    print(f"arxiv-sanity-lite tf-idf over {len(records):,} papers: {t.seconds:.0f} s")
    methods: dict[str, Ranker] = {
        "newest first": newest_first(records),
        "tf-idf + linear SVM (arxiv-sanity-lite)": sanity_svm(x),
        "MiniLM nearest library paper (cosine)": minilm_nearest(vectors),
        "Paperboy, tf-idf parts only (no MiniLM)": paperboy(
            records, {}, replace(params, dense_weight=0.0)
        ),
        "Paperboy model (tf-idf SVM + nearest, + MiniLM)": paperboy(records, vectors, params),
    }
    results = {name: evaluate(held_out, ranker) for name, ranker in methods.items()}
    base = results["tf-idf + linear SVM (arxiv-sanity-lite)"][1]
    rows = []
    for name, (r, n, s) in results.items():
        low, high = paired_interval(n, base)
        change = f"{(n.mean() / base.mean() - 1) * 100:+.1f}% [{low * 100:+.0f}, {high * 100:+.0f}]"
        rows.append([name, f"{r.mean():.3f}", f"{n.mean():.3f}", change, f"{s * 1000:.0f}"])
    print_table(
        f"held-out readers ({len(held_out)}), {POOL:,} candidates each",
        ["method", "recall@10", "nDCG@10", "nDCG vs SVM [95% CI]", "ms/reader"],
        rows,
    )
    print(f"Paperboy Params: {params}")


if __name__ == "__main__":
    main()
