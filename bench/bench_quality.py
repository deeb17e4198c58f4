"""Search quality on SciFact train (BEIR format): nDCG@10 and recall@100 per method.

    .venv/bin/python bench/bench_quality.py

Reads SciFact from ../shared/data/scifact (never copied into the repo: its licence is
non-commercial) and skips when it is absent. The corpus goes into a store under /tmp that is
kept between runs, so only the first run embeds (5,183 abstracts and their sentence
windows: tens of minutes on a small CPU). Rows:

- BM25: FTS5 BM25 over title (×3) and abstract, AND first, OR fallback (our lexical path)
- dense: packaged all-MiniLM-L6-v2, one vector per title + abstract
- dense + passages: the same, mixed with the best sentence-window similarity (max-sim)
- hybrid RRF k=60: reciprocal rank fusion of BM25 and dense (the usual baseline)
- hybrid (default): what ``paperboy search`` does, via ``Searcher.rank_ids(..., "hybrid")``
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED_DATA, print_table, timer  # noqa: E402
from paperboy.config import load_settings  # noqa: E402
from paperboy.models.query import Filters, Hit  # noqa: E402
from paperboy.search import hybrid  # noqa: E402
from paperboy.search.embed import Embedder, refresh_vectors, stale_papers  # noqa: E402
from paperboy.search.evaluate import (  # noqa: E402
    evaluate,
    import_corpus,
    read_qrels,
    read_queries,
)
from paperboy.search.service import Searcher  # noqa: E402
from paperboy.store import open_store  # noqa: E402

SCIFACT = SHARED_DATA / "scifact"
NAMESPACE = "scifact"
DB = Path(os.environ.get("PAPERBOY_BENCH_CACHE", tempfile.gettempdir())) / "paperboy-bench"


def main() -> None:
    corpus = SCIFACT / "corpus.jsonl"
    if not corpus.is_file():
        print(f"skipped: {SCIFACT} is absent (set PAPERBOY_SHARED_DATA to its parent folder)")
        return
    DB.mkdir(parents=True, exist_ok=True)
    settings = load_settings({}).with_overrides(database_url=str(DB / "scifact.db"))
    queries = read_queries(SCIFACT / "queries-train.jsonl")
    qrels = read_qrels(SCIFACT / "qrels" / "train.tsv")
    judged = {q: t for q, t in queries.items() if q in qrels}
    with open_store(settings.database_url) as store:
        if store.papers.count_papers(Filters(namespace=NAMESPACE)) == 0:
            import_corpus(store, corpus, NAMESPACE)
        embedder = Embedder(settings.embed_model)
        stale = stale_papers(store, embedder.name)
        if len(stale):
            print(f"embedding {len(stale):,} documents (first run only)…", flush=True)
            with timer() as t:
                refresh_vectors(store, embedder, stale)
            print(f"embedded in {t.seconds:.0f} s")
        searcher = Searcher(store, settings)

        def dense_passages(text: str, k: int = 100) -> list[str]:
            q = searcher.encode_query(text)
            ids, scores = searcher.index().search(q, k)
            near = dict(zip(ids[0], scores[0].tolist(), strict=True))
            mixed = hybrid.with_passages(near, q, store, embedder.name)
            return sorted(mixed, key=lambda i: -mixed[i])

        def rrf(text: str, k: int = 100) -> list[str]:
            lex = searcher.rank_ids(text, "lexical", Filters(namespace=NAMESPACE), k)
            den = searcher.rank_ids(text, "dense", Filters(namespace=NAMESPACE), k)
            fused = hybrid.rrf([[Hit(i, 0) for i in lex], [Hit(i, 0) for i in den]])
            return [h.id for h in fused[:k]]

        methods = {
            "BM25 (lexical)": lambda t, m, f: searcher.rank_ids(t, "lexical", f),
            "dense (document vectors)": lambda t, m, f: searcher.rank_ids(t, "dense", f),
            "dense + passages (max-sim)": lambda t, m, f: dense_passages(t),
            "hybrid RRF k=60 (baseline)": lambda t, m, f: rrf(t),
            "hybrid (default search)": lambda t, m, f: searcher.rank_ids(t, "hybrid", f),
        }
        rows = []
        for name, run in methods.items():
            with timer() as t:
                s = evaluate(run, judged, qrels, NAMESPACE, name)
            rows.append([name, f"{s.ndcg10:.4f}", f"{s.recall100:.4f}", s.queries,
                         f"{1000 * t.seconds / s.queries:.0f}"])  # fmt: skip
    print_table(
        "SciFact train: packaged all-MiniLM-L6-v2, fully offline "
        f"(hybrid: BM25/top-score and max-sim cosine, lexical weight {hybrid.LEXICAL_WEIGHT})",
        ["method", "nDCG@10", "recall@100", "queries", "ms/query"],
        rows,
    )


if __name__ == "__main__":
    main()
