"""Search latency at 75k real papers and at 1M, and embedding throughput.

    .venv/bin/python bench/bench_search.py [--queries 200] [--million]

Latency: p50/p95 per query of lexical (BM25 with AND→OR), dense (query embedding + index) and
hybrid (the full ``Searcher.search`` path: parse, BM25, embedding, index, fusion, papers),
each beside a plain numpy brute-force scan (the same query embedding, ``q @ X.T`` and a full
argsort) run in the same process on the same queries. Vectors: embedding all 74,728
abstracts takes hours on a small CPU, so the bench embeds *titles* (cached under /tmp) and
stores them as the papers' vectors; latency does not depend on which text was embedded.
Every paper also gets 7 passage vectors (its title vector plus Gaussian noise, sigma 0.05),
so hybrid search pays the passage max-sim look-ups it pays on a fully embedded store.
1M rows are the 74,728 title vectors repeated 14 times, each copy plus Gaussian noise
(sigma 0.02 per dimension) and re-normalised, served by the IVF index; BM25 stays on the
75k store (copies have no text).

Throughput: ``Embedder.encode`` (our path) against ``SentenceTransformer.encode`` called
directly on the same 500 abstracts in the same process (best of three interleaved runs).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ARXIV_CS, load_jsonl, print_table, require, timer  # noqa: E402
from paperboy.config import load_settings  # noqa: E402
from paperboy.search.embed import PACKAGED, Embedder, load_model, text_hash  # noqa: E402
from paperboy.search.service import Searcher  # noqa: E402
from paperboy.search.types import SearchRequest  # noqa: E402
from paperboy.store import open_store  # noqa: E402
from paperboy.store.sqlite.vector_index import ExactIndex, IVFIndex, normalise, recall_at_k  # noqa: E402

CACHE = Path(os.environ.get("PAPERBOY_BENCH_CACHE", tempfile.gettempdir())) / "paperboy-bench"


class FixedCache:
    """Hands the Searcher a prebuilt index (the 1M one) instead of loading from the store."""

    def __init__(self, index) -> None:
        self._index = index

    def index(self, store, model):
        return self._index


def pct(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - start)
    return out


def build_store(records: list[dict]):
    from paperboy.ingest.jobs import import_files

    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / "arxiv-cs.db"
    store = open_store(str(db))
    if store.papers.count_papers() < len(records) * 0.9:
        with timer() as t:
            import_files(store, [ARXIV_CS])
        print(f"imported {store.papers.count_papers():,} papers in {t.seconds:.0f} s")
    return store


def title_vectors(store, embedder: Embedder) -> tuple[list[str], np.ndarray]:
    path = CACHE / "title-vectors.npz"
    if path.is_file():
        data = np.load(path)
        return [str(i) for i in data["ids"]], data["vectors"].astype(np.float32)
    papers = [p for batch in store.papers.iter_papers() for p in batch]
    with timer() as t:
        vectors = embedder.encode([p.title for p in papers])
    print(f"embedded {len(papers):,} titles in {t.seconds:.0f} s ({len(papers) / t.seconds:.0f}/s)")
    ids = [p.id for p in papers]
    np.savez(path, ids=np.array(ids), vectors=vectors.astype(np.float16))
    return ids, vectors


def ensure_vectors(store, ids: list[str], vectors: np.ndarray) -> None:
    if store.stats()["vectors"].get(PACKAGED, 0) >= len(ids):
        return
    for i in range(0, len(ids), 5000):
        rows = [(pid, text_hash("title:" + pid), v) for pid, v in zip(ids[i : i + 5000],
                vectors[i : i + 5000], strict=True)]  # fmt: skip
        store.vectors.save_vectors(PACKAGED, rows)


def ensure_passages(store, ids: list[str], vectors: np.ndarray, per_paper: int = 7) -> None:
    if store.stats()["vectors"].get(PACKAGED + "#passages", 0) >= len(ids):
        return
    rng = np.random.default_rng(3)
    with timer() as t:
        for i in range(0, len(ids), 2000):
            block = vectors[i : i + 2000]
            noisy = block[:, None, :] + rng.normal(0, 0.05, (len(block), per_paper, block.shape[1]))
            noisy /= np.linalg.norm(noisy, axis=2, keepdims=True)
            rows = [(pid, text_hash("title:" + pid), m) for pid, m in zip(ids[i : i + 2000],
                    noisy.astype(np.float32), strict=True)]  # fmt: skip
            store.vectors.save_passage_vectors(PACKAGED, rows)
    print(f"stored {per_paper} synthetic passage vectors per paper in {t.seconds:.0f} s")


def brute_force(matrix: np.ndarray, embedder: Embedder, k: int = 100):
    def run(q: str):
        v = embedder.encode_query(q)
        scores = matrix @ v
        return np.argsort(-scores)[:k]

    return run


def latency_rows(label, searcher, embedder, matrix, index, queries, store) -> list[list]:
    for q in queries[:5]:  # warm the model, the index cache and SQLite pages
        searcher.search(SearchRequest(q))
    base = pct(timed(brute_force(matrix, embedder), queries))

    def lexical(q):
        return searcher.rank_ids(q, "lexical", None, 100)

    def dense(q):
        return index.search(embedder.encode_query(q), 100)

    def hybrid(q):
        return searcher.search(SearchRequest(q, limit=20))

    rows = [[label, "numpy brute force (baseline)", *base, 1.0]]
    for name, fn in (("lexical", lexical), ("dense", dense), ("hybrid", hybrid)):
        p50, p95 = pct(timed(fn, queries))
        rows.append([label, f"{name} ({index.kind})" if name != "lexical" else name, p50, p95,
                     p95 / base[1]])  # fmt: skip
    return rows


def throughput(records: list[dict], embedder: Embedder) -> list[list]:
    """Best of three interleaved runs each, so a neighbour's burst hits both paths alike."""
    texts = [r["title"] + "\n" + r["summary"] for r in records[:500]]
    model = load_model(embedder.name)
    embedder.encode(texts[:16])  # warm

    def bare():
        model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True,
                     convert_to_numpy=True, show_progress_bar=False)  # fmt: skip

    best = {"bare": float("inf"), "ours": float("inf")}
    for _ in range(3):
        for name, fn in (("bare", bare), ("ours", lambda: embedder.encode(texts))):
            with timer() as t:
                fn()
            best[name] = min(best[name], t.seconds)
    return [
        ["SentenceTransformer.encode (bare model)", len(texts) / best["bare"], 1.0],
        ["Embedder.encode (our path)", len(texts) / best["ours"], best["bare"] / best["ours"]],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--million", action="store_true", help="also measure at 1M vectors")
    args = parser.parse_args()
    require(ARXIV_CS)
    records = load_jsonl(ARXIV_CS)
    store = build_store(records)
    embedder = Embedder(PACKAGED)
    ids, vectors = title_vectors(store, embedder)
    ensure_vectors(store, ids, vectors)
    ensure_passages(store, ids, vectors)
    rng = np.random.default_rng(0)
    picks = rng.choice(len(records), args.queries, replace=False)
    # Queries: the first few words of random titles, as people type them.
    queries = [" ".join(records[i]["title"].split()[: rng.integers(2, 6)]) for i in picks]

    settings = load_settings({})
    searcher = Searcher(store, settings)
    index = searcher.index()
    rows = latency_rows(
        f"{len(ids):,}", searcher, embedder, index.rows(slice(None)), index, queries, store
    )

    if args.million:
        copies = 14
        with timer() as t:
            noise = np.random.default_rng(1)
            big = np.concatenate(
                [vectors] + [normalise(vectors + noise.normal(0, 0.02, vectors.shape)
                             .astype(np.float32)) for _ in range(copies - 1)]
            )  # fmt: skip
            big_ids = ids + [f"{pid}~{c}" for c in range(1, copies) for pid in ids]
            ivf = IVFIndex(big_ids, big)
        print(f"built IVF over {len(big_ids):,} vectors (nlist {ivf.nlist}) in {t.seconds:.0f} s")
        exact = ExactIndex(big_ids, big)
        qv = normalise(np.stack([embedder.encode_query(q) for q in queries[:100]]))
        recall = recall_at_k(exact, ivf, qv, k=10)
        big_searcher = Searcher(store, settings, cache=FixedCache(ivf))
        exact_rows = exact.rows(slice(None))
        rows += latency_rows(f"{len(big_ids):,}", big_searcher, embedder, exact_rows, ivf,
                             queries, store)  # fmt: skip
        rows.append([f"{len(big_ids):,}", f"IVF recall@10 vs exact: {recall:.3f}", "", "", ""])

    print_table(
        f"Search latency, ms per query ({len(queries)} queries; query embedding included; "
        "vectors are of titles, see the module docstring; ratio = p95 / brute-force p95)",
        ["papers", "method", "p50 ms", "p95 ms", "p95 ratio"],
        rows,
    )
    print_table(
        "Embedding throughput on 500 abstracts (same process)",
        ["path", "abstracts/s", "ratio to bare model"],
        throughput(records, embedder),
    )


if __name__ == "__main__":
    main()
