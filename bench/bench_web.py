"""Serve the shared arXiv cs corpus with uvicorn and measure the web app under load.

Imports the corpus into a temp SQLite file through the real importer, starts uvicorn in a
child process (so the load generator never shares the server's interpreter), then drives
each endpoint with a small asyncio HTTP/1.1 keep-alive client over loopback for a fixed
time. Prints req/s and p50/p99 latency per endpoint against ``/healthz`` measured in the
same run, which is the baseline: the cost of the server and the client alone.

    .venv/bin/python bench/bench_web.py [--seconds S] [--concurrency C] [--db FILE]

Every endpoint gets a one-second warm-up first, so lists repeat from the response cache as
they would in production; ``/papers/{id}`` spreads over 2,000 ids and mostly misses it.
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

from common import ARXIV_CS, print_table, require, timer  # noqa: E402
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _get(reader, writer, path: str) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


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
    elapsed = time.perf_counter() - begin
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors,
        "rps": n / elapsed,
        "p50": latencies[n // 2] * 1000 if n else float("nan"),
        "p99": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
    }


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


if __name__ == "__main__":
    main()
