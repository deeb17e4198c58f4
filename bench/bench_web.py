"""Serve the shared arXiv cs corpus with uvicorn and measure the web app under load.

Imports the corpus into a temp SQLite file through the real importer, starts uvicorn in a
child process (so the load generator never shares the server's interpreter), then drives
each endpoint with a small asyncio HTTP/1.1 keep-alive client over loopback for a fixed
time. Prints req/s and p50/p99 latency per endpoint against ``/healthz`` measured in the
same run, which is the baseline: the cost of the server and the client alone.

    .venv/bin/python bench/bench_web.py [--seconds S] [--concurrency C] [--db FILE]

Every endpoint gets a one-second warm-up first, so lists repeat from the response cache as
they would in production; ``/papers/{id}`` spreads over 2,000 ids and mostly misses it.

``--mix`` runs issue 8's load mix instead (``bench_mix.py``): ``--connections`` (200)
connections for ``--duration`` (60) seconds, 30 % uncached paper pages, 30 % uncached
searches, 40 % lists and feeds, against ``paperboy serve --workers 1`` and ``2`` (``--workers``)
without vectors and with (random) vectors and their precomputed related lists; ``/healthz``
under the same connections is the baseline row. The load comes from ``wrk`` (``mix.lua``)
where it is installed, else (or with ``--python-client``) from a Python asyncio client that
itself needs much of the CPU it shares with the server. Also the server's CPU per request
and the unloaded p95 of 300 distinct paper pages, one request at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ARXIV_CS,
    exchange,
    free_port,
    get_request,
    latency_summary,
    print_table,
    require,
    timer,
)
from paperboy.ingest.jobs import import_files  # noqa: E402
from paperboy.store import open_store  # noqa: E402

QUERIES = [
    "alignment", "diffusion models", "graph neural networks", "reinforcement learning",
    "large language models", "retrieval augmented generation", "federated learning",
    "image segmentation", "speech recognition", "code generation", "robot manipulation",
    "protein", "quantization", "mixture of experts", "contrastive learning",
    "knowledge distillation", "multimodal reasoning", "time series forecasting",
    "adversarial robustness", "3d gaussian splatting",
]  # fmt: skip

SERVER = """
import sys, uvicorn
from paperboy.config import load_settings
from paperboy.store import open_store
from paperboy.web.app import create_app
store = open_store(sys.argv[1])
uvicorn.run(create_app(load_settings({}), store), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", access_log=False)
"""


async def _get(reader, writer, path: str) -> int:  # noqa: ANN001
    return (await exchange(reader, writer, get_request(path)))[0]


async def load(port: int, paths: list[str], seconds: float, concurrency: int) -> dict:
    """Keep ``concurrency`` connections busy for ``seconds``; latencies of 200 answers."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (start := time.perf_counter()) < deadline:
                status = await _get(reader, writer, rng.choice(paths))
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1
        finally:
            writer.close()

    begin = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latency_summary(latencies, errors, time.perf_counter() - begin)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument("--db", type=Path, help="reuse (or keep) this database file")
    parser.add_argument("--mix", action="store_true", help="issue 8's load mix (see above)")
    parser.add_argument("--connections", type=int, default=200, help="--mix: (default 200)")
    parser.add_argument("--duration", type=float, default=60.0, help="--mix: s (default 60)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="--mix: server worker counts (default 1 2)")  # fmt: skip
    parser.add_argument("--stores", nargs="+", choices=["plain", "vectors"],
                        default=["plain", "vectors"],
                        help="--mix: the store without vectors, with them, or both")  # fmt: skip
    parser.add_argument("--python-client", action="store_true",
                        help="--mix: the Python load generator even with wrk")  # fmt: skip
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        store = open_store(str(db))
        if store.papers.count_papers() == 0:
            source = require(ARXIV_CS)
            with timer() as t:
                report = import_files(store, [source])
            print(f"imported {report.counts.added:,} papers in {t.seconds:.1f} s")
        papers = store.papers.count_papers()
        days = [d.isoformat() for d in store.papers.listing_dates()[:20]]
        rng = random.Random(7)
        ids = [p.id for p in store.papers.list_papers(order="id", limit=papers)]
        sample = rng.sample(ids, min(2000, len(ids)))
        if args.mix:
            titles = [p.title for p in store.papers.get_papers(sample[:500]).values()]
            store.close()
            mix_main(args, db, papers, ids, titles, days)
            return
        store.close()

        port = free_port()
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port)], env=env)
        try:
            wait_ready(port, proc)
            endpoints = {
                "/healthz (baseline)": ["/healthz"],
                "/api/daily_papers (20 days)": [f"/api/daily_papers?date={d}" for d in days],
                "/api/papers/search (20 queries)": [
                    f"/api/papers/search?q={quote(q)}" for q in QUERIES
                ],
                "/feeds/daily.atom": ["/feeds/daily.atom"],
                "/ (home page)": ["/"],
                "/papers/{id} (2,000 ids)": [f"/papers/{pid}" for pid in sample],
            }
            rows = []
            base = None
            for name, paths in endpoints.items():
                asyncio.run(load(port, paths, min(1.0, args.seconds), args.concurrency))  # warm
                r = asyncio.run(load(port, paths, args.seconds, args.concurrency))
                base = base or r["rps"]
                rows.append([name, r["requests"], r["errors"], r["rps"], r["p50"], r["p99"],
                             f"{r['rps'] / base:.2f}×"])  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    print_table(
        f"web: {papers:,} papers, {args.concurrency} connections, {args.seconds:g} s each, "
        f"uvicorn 1 process, loopback",
        ["endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms", "vs healthz"],
        rows,
    )


def mix_main(
    args: argparse.Namespace, db: Path, papers: int, ids: list[str], titles: list[str],
    days: list[str],
) -> None:  # fmt: skip
    import bench_mix as bm
    from paperboy.search.embed import PACKAGED

    words = sorted({w for t in titles for w in t.lower().split() if w.isalpha() and len(w) > 3})
    lists = ["/", "/trending", "/feeds/daily.atom", "/feeds/trending.atom", "/api/daily_papers"]
    lists += [f"/api/daily_papers?date={d}" for d in days] + [f"/?date={d}" for d in days]
    lists += [f"/feeds/daily.atom?date={d}" for d in days]
    vec_db = bm.with_vectors(db, db.with_name(db.stem + "-vectors.db"), PACKAGED)
    use_wrk = bm.wrk_available() and not args.python_client
    generator = "wrk 2 threads" if use_wrk else "Python asyncio client (bench_mix.py)"
    # Each run starts a fresh server (empty response cache), so every run may use every id;
    # the first 300 are kept for the unloaded paper-page timing.
    shuffled = random.Random(11).sample(ids, len(ids))
    paths = bm.Paths(shuffled[300:], words, lists)
    rows, unloaded = [], []
    stores = [("no vectors", db, "plain"), ("vectors", vec_db, "vectors")]
    configs = [(label, path, workers) for label, path, kind in stores
               if kind in args.stores for workers in args.workers]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        files = bm.wrk_files(Path(tmp), paths, searches=200_000) if use_wrk else ()
        health = Path(tmp) / "healthz.txt"
        health.write_text("/healthz\n")
        for label, path, workers in configs:
            with bm.Server(path, workers) as server:
                # Let the workers load and fill the list cache; lists only, so that no paper
                # page or search the run will ask for is cached before it.
                asyncio.run(bm.run_mix(server.port, paths, 3, 20, kinds=(("list", 1.0),)))
                if label == "vectors":  # the model preloads in the background: wait for it
                    deadline = time.monotonic() + 120
                    while time.monotonic() < deadline:
                        body = asyncio.run(_search_json(server.port, "warm up the model"))
                        if '"lexicalOnly":false' in body.replace(" ", ""):
                            break
                        time.sleep(1)
                name = f"--workers {workers}, {label}"
                base_s = min(10, args.duration)
                if use_wrk:
                    hz = bm.run_wrk(server.port, (health, health, health), base_s,
                                 args.connections, shares=(0, 0))  # fmt: skip
                    cpu0 = bm.cpu_seconds(server.proc.pid)
                    mix = bm.run_wrk(server.port, files, args.duration, args.connections)
                    cpu = bm.cpu_seconds(server.proc.pid) - cpu0
                    rows.append([f"{name}: /healthz (baseline)", hz.rps, hz.p50, hz.p95,
                                 hz.p99, hz.timeouts, hz.errors, "", "1.00×", ""])  # fmt: skip
                    rows.append([f"{name}: mix", mix.rps, mix.p50, mix.p95, mix.p99,
                                 mix.timeouts, mix.errors, cpu * 1000 / max(1, mix.requests),
                                 f"{mix.rps / hz.rps:.2f}×",
                                 f"{mix.degraded:,} / {mix.searches:,}"])  # fmt: skip
                else:
                    rows += _python_rows(server.port, paths, name, base_s, args)
                alone = asyncio.run(
                    bm.sequential(server.port, [f"/papers/{i}" for i in shuffled[:300]])
                )
            unloaded.append([name, bm.pct(alone, 0.5), bm.pct(alone, 0.95), bm.pct(alone, 0.99)])
    print_table(
        f"web mix: {papers:,} papers, {args.connections} connections, {args.duration:g} s, "
        f"{os.cpu_count()} cores, loopback, timeout 10 s, load from {generator}",
        ["run", "req/s", "p50 ms", "p95 ms", "p99 ms", "timeouts", "errors", "CPU ms/req",
         "vs healthz", "keywords-only searches"],
        rows,
    )  # fmt: skip
    print_table(
        "uncached /papers/{id}, 300 distinct ids, one request at a time",
        ["server", "p50 ms", "p95 ms", "p99 ms"],
        unloaded,
    )


def _python_rows(
    port: int, paths: object, name: str, base_s: float, args: argparse.Namespace
) -> list[list]:
    """The mix from the Python client (no wrk): per-kind rows too, no CPU figure."""
    from bench_mix import pct, run_mix

    base, elapsed = asyncio.run(
        run_mix(port, paths, base_s, args.connections, kinds=(("healthz", 1.0),))
    )
    tally, seconds = asyncio.run(run_mix(port, paths, args.duration, args.connections))
    hz = base.latencies.get("healthz", [])
    base_rps = len(hz) / elapsed
    rows = [[f"{name}: /healthz (baseline)", base_rps, pct(hz, 0.5), pct(hz, 0.95),
             pct(hz, 0.99), base.timeouts, base.errors, "", "1.00×", ""]]  # fmt: skip
    every = [x for v in tally.latencies.values() for x in v]
    rps = len(every) / seconds
    rows.append([f"{name}: mix", rps, pct(every, 0.5), pct(every, 0.95), pct(every, 0.99),
                 tally.timeouts, tally.errors, "", f"{rps / base_rps:.2f}×", ""])  # fmt: skip
    for kind in ("paper", "search", "list"):
        got = tally.latencies.get(kind, [])
        rows.append([f"  {kind}", len(got) / seconds, pct(got, 0.5), pct(got, 0.95),
                     pct(got, 0.99), "", "", "", "", ""])  # fmt: skip
    return rows


async def _search_json(port: int, q: str) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET /api/paperboy/search?q={quote(q)} HTTP/1.1\r\nHost: b\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(h[15:]) for h in head.split(b"\r\n") if h[:15].lower() == b"content-length:"
        )
        return (await reader.readexactly(length)).decode()
    finally:
        writer.close()


if __name__ == "__main__":
    main()
