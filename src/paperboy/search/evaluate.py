"""Measure search quality on a BEIR-format set: nDCG@10 and recall@100 per ranking method.

A BEIR set is ``corpus.jsonl`` ({_id, title, text}), ``queries.jsonl`` ({_id, text}) and a
qrels TSV (query-id, corpus-id, score, with a header). The corpus goes into the store under
its own namespace, so ids never collide with arXiv papers and every search stays inside it.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from paperboy.config import Settings
from paperboy.models.paper import Paper
from paperboy.models.query import Filters
from paperboy.store import Store

METHODS = ("lexical", "dense", "hybrid")
Qrels = dict[str, dict[str, int]]


def ndcg_at(ranked: Sequence[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains, as trec_eval's ndcg_cut computes it."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], relevant: dict[str, int], k: int = 100) -> float:
    rel = {d for d, g in relevant.items() if g > 0}
    return len(rel.intersection(ranked[:k])) / len(rel) if rel else 0.0


@dataclass
class Scores:
    ndcg10: float
    recall100: float
    queries: int


def score_run(run: dict[str, list[str]], qrels: Qrels) -> Scores:
    """Mean metrics over the queries that have at least one relevant document."""
    judged = [q for q, rel in qrels.items() if any(g > 0 for g in rel.values())]
    if not judged:
        return Scores(0.0, 0.0, 0)
    nd = sum(ndcg_at(run.get(q, []), qrels[q]) for q in judged) / len(judged)
    rc = sum(recall_at(run.get(q, []), qrels[q]) for q in judged) / len(judged)
    return Scores(nd, rc, len(judged))


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc})") from None


def read_queries(path: Path) -> dict[str, str]:
    return {str(r["_id"]): r["text"] for r in read_jsonl(path)}


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 3 or not row[2].strip().lstrip("-").isdigit():
                continue  # header or blank line
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return qrels


def corpus_papers(path: Path, namespace: str) -> Iterator[Paper]:
    for r in read_jsonl(path):
        yield Paper(
            id=f"{namespace}:{r['_id']}",
            title=(r.get("title") or "").strip() or str(r["_id"]),
            abstract=r.get("text") or "",
            namespace=namespace,
        )


def import_corpus(
    store: Store, path: Path, namespace: str, progress: Callable[[int], None] | None = None
) -> int:
    """Put a BEIR corpus into ``store`` under ``namespace``; returns how many documents."""
    batch: list[Paper] = []
    total = 0
    for paper in corpus_papers(path, namespace):
        batch.append(paper)
        if len(batch) == 1000:
            store.papers.upsert_papers(batch)
            total += len(batch)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        store.papers.upsert_papers(batch)
        total += len(batch)
        if progress:
            progress(len(batch))
    return total


def evaluate(
    run_query: Callable[[str, str, Filters], list[str]],
    queries: dict[str, str],
    qrels: Qrels,
    namespace: str,
    method: str,
    progress: Callable[[int], None] | None = None,
) -> Scores:
    """Run every judged query through ``run_query(text, method, filters)`` and score it."""
    prefix = f"{namespace}:"
    run: dict[str, list[str]] = {}
    for qid, text in queries.items():
        if qid not in qrels:
            continue
        ids = run_query(text, method, Filters(namespace=namespace))
        run[qid] = [i.removeprefix(prefix) for i in ids]
        if progress:
            progress(1)
    return score_run(run, {q: qrels[q] for q in run})


def run_eval(
    settings: Settings,
    corpus: Path,
    queries_path: Path,
    qrels_path: Path,
    namespace: str = "eval",
    progress=None,
) -> dict:
    """Import, embed, search every judged query with each method, and score the runs.

    ``progress`` is a context-manager factory like ``paperboy.cli.app.progress_bar``.
    Returns {"methods": {method: {"ndcg@10", "recall@100", "queries"}}, "notes": [...]}.
    """
    from paperboy.search.embed import Embedder, ModelUnavailable, refresh_vectors, stale_papers
    from paperboy.search.service import Searcher
    from paperboy.store import open_store

    bar = progress or _no_progress
    queries = read_queries(queries_path)
    qrels = read_qrels(qrels_path)
    judged = {q: t for q, t in queries.items() if q in qrels}
    if not judged:
        raise ValueError(f"{qrels_path}: no query in {queries_path} has judgements")
    notes: list[str] = []
    with open_store(settings.database_url) as store:
        with bar("importing corpus") as advance:
            import_corpus(store, corpus, namespace, advance)
        embedder = Embedder(settings.embed_model)
        try:
            stale = stale_papers(store, embedder.name)
            with bar("embedding corpus", total=len(stale)) as advance:
                refresh_vectors(store, embedder, stale, progress=advance)
        except ModelUnavailable as exc:
            notes.append(f"{exc}; dense and hybrid fall back to keywords only")
        searcher = Searcher(store, settings)
        table = {}
        for method in METHODS:
            with bar(f"{method} queries", total=len(judged)) as advance:
                scores = evaluate(
                    lambda text, m, f: searcher.rank_ids(text, m, f, 100),
                    judged, qrels, namespace, method, advance,
                )  # fmt: skip
            table[method] = {
                "ndcg@10": round(scores.ndcg10, 4),
                "recall@100": round(scores.recall100, 4),
                "queries": scores.queries,
            }
    return {"methods": table, "notes": notes}


@contextmanager
def _no_progress(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    def advance(n: int = 1) -> None:
        pass

    yield advance
