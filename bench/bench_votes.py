"""Votes under load: 1,000 accounts voting on the 75k-paper store against ``paperboy serve``.

Builds (or reuses, ``--db``) a SQLite store of the shared arXiv cs corpus through the real
importer, creates the accounts and their API tokens directly through the store, and starts
``paperboy serve --workers N`` (SQLite) in a child process. The load comes from ``wrk`` (one
thread per load, ``votes.lua``), which leaves the 2 shared cores to the server; without wrk,
or with ``--python-client``, from Python asyncio keep-alive clients, one process per load.
Phases, ``--seconds`` each:

1. anonymous ``/`` alone: the baseline req/s (measured again last; the mean is the baseline);
2. the same ``/`` load while ``--voters`` connections post votes as fast as the server answers
   (``Authorization: Bearer``, random accounts; 70 % on random papers of the corpus, 30 % on
   the newest day's, the ones ``/`` shows): the most votes/s;
3. the same ``/`` load while votes flow at ``--vote-rate`` (500/s, the target; wrk paces them
   on a fixed schedule): how much of ``/`` is left at that rate;
4. ``/`` alone again; then ``paperboy trending refresh`` (the refresh the server also runs).

Flat out, closed-loop voters take whatever share of the cores their connection count wins
them, so phase 2's ``/`` ratio says more about 16 against 8 connections than about what a
vote costs; phase 3 measures the target as worded: 500 votes/s and ``/`` ≥ 80 % meanwhile.

    .venv/bin/python bench/bench_votes.py [--seconds S] [--db FILE] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import wait_ready  # noqa: E402
from common import (  # noqa: E402
    ARXIV_CS,
    exchange,
    free_port,
    latency_summary,
    print_table,
    require,
    timer,
)
from paperboy.core.accounts import new_token, token_hash  # noqa: E402
from paperboy.ingest.jobs import import_files  # noqa: E402
from paperboy.store import open_store  # noqa: E402


async def _request(reader, writer, head: bytes) -> int:  # noqa: ANN001
    return (await exchange(reader, writer, head))[0]


async def _drive(
    port: int, heads: list[bytes], seconds: float, concurrency: int, seed: int, rate: float = 0
):
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    next_slot = time.perf_counter()  # rate > 0: each request waits for its slot (as votes.lua)

    async def worker(n: int) -> None:
        nonlocal errors, next_slot
        rng = random.Random(seed * 1000 + n)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                if rate:
                    now = time.perf_counter()
                    next_slot = max(next_slot, now - 1.0)  # no catch-up bursts
                    wait, next_slot = next_slot - now, next_slot + 1 / rate
                    if wait > 0:
                        await asyncio.sleep(wait)
                start = time.perf_counter()
                status = await _request(reader, writer, rng.choice(heads))
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1
        finally:
            writer.close()

    begin = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latency_summary(latencies, errors, time.perf_counter() - begin)


def drive(
    port: int, heads: list[bytes], seconds: float, concurrency: int, seed: int, rate: float = 0
) -> dict:
    """One load generator, in its own process (``rate`` > 0: that many requests a second)."""
    return asyncio.run(_drive(port, heads, seconds, concurrency, seed, rate))


def get_head(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()


def vote_heads(tokens: list[str], targets: list[str], n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [
        (
            f"POST /papers/{rng.choice(targets)}/vote HTTP/1.1\r\nHost: bench\r\n"
            f"Authorization: Bearer {rng.choice(tokens)}\r\nContent-Length: 0\r\n\r\n"
        ).encode()
        for _ in range(n)
    ]


def make_accounts(store, n: int) -> list[str]:
    """``n`` accounts with a session and an API token each, straight through the store."""
    tokens = []
    expires = datetime.now(UTC) + timedelta(days=1)
    for i in range(n):
        user, _ = store.users.get_or_create(f"reader{i}@bench.example")
        store.users.create_session(user.id, token_hash(new_token()), expires)
        token = new_token()
        store.users.create_api_token(user.id, "bench", token_hash(token))
        tokens.append(token)
    return tokens


LUA = Path(__file__).resolve().parent / "votes.lua"


def wrk_lines(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def start_wrk(port: int, lines: Path, seconds: float, connections: int, rate: float = 0,
              seed: int = 0) -> subprocess.Popen:  # fmt: skip
    """One wrk process (one thread: it shares the server's cores) running votes.lua."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout=10s",
           "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(lines), f"{rate:g}",
           str(seed)]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def wrk_result(proc: subprocess.Popen) -> dict:
    """``latency_summary``'s keys from a finished wrk's WRKVOTES line."""
    out, _ = proc.communicate()
    line = next((x for x in out.splitlines() if x.startswith("WRKVOTES ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no WRKVOTES line:\n{out}")
    f = {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    errors = f["connect"] + f["read"] + f["write"] + f["status"] + f["timeout"]
    seconds = f["duration_us"] / 1e6
    return {"requests": f["requests"] - f["status"], "errors": errors,
            "rps": (f["requests"] - f["status"]) / seconds,
            "p50": f["p50_us"] / 1000, "p99": f["p99_us"] / 1000}  # fmt: skip


def run_wrk_phase(port: int, jobs: list[tuple[Path, int, float]], seconds: float) -> list[dict]:
    """Several wrk processes at once, each (request file, connections, rate/s or 0)."""
    procs = [start_wrk(port, f, seconds, c, rate, seed=i) for i, (f, c, rate) in enumerate(jobs)]
    return [wrk_result(p) for p in procs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase (default 10)")
    parser.add_argument("--accounts", type=int, default=1000, help="voters (default 1000)")
    parser.add_argument("--voters", type=int, default=16, help="vote connections (default 16)")
    parser.add_argument("--readers", type=int, default=8, help="/ connections (default 8)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.add_argument("--db", type=Path, help="reuse (or keep) this database file")
    parser.add_argument(
        "--vote-rate",
        type=float,
        default=500.0,
        help="votes/s of the paced phase (default 500, the target)",
    )
    parser.add_argument(
        "--python-client",
        action="store_true",
        help="the Python asyncio load generators even when wrk is installed",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        store = open_store(str(db), migrate="apply")  # a kept --db may be behind: bring it up
        if store.papers.count_papers() == 0:
            with timer() as t:
                report = import_files(store, [require(ARXIV_CS)])
            print(f"imported {report.counts.added:,} papers in {t.seconds:.1f} s")
        papers = store.papers.count_papers()
        with timer() as t:
            tokens = make_accounts(store, args.accounts)
        print(f"{len(tokens):,} accounts with sessions and API tokens in {t.seconds:.1f} s")
        ids = [p.id for p in store.papers.list_papers(order="id", limit=papers)]
        newest = store.papers.listing_dates()[0]
        today = [p.id for p in store.papers.list_listed(newest, newest, limit=5000)]
        store.close()
        rng = random.Random(7)
        targets = rng.sample(ids, 7000) + today * max(1, 3000 // max(len(today), 1))
        heads = vote_heads(tokens, targets, 20_000, seed=11)
        use_wrk = shutil.which("wrk") is not None and not args.python_client
        if use_wrk:
            rng = random.Random(11)
            home_file = wrk_lines(Path(tmp), "home.txt", ["/"])
            vote_file = wrk_lines(Path(tmp), "votes.txt", [
                f"/papers/{rng.choice(targets)}/vote {rng.choice(tokens)}" for _ in range(20_000)
            ])  # fmt: skip

        port = free_port()
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        cmd = [sys.executable, "-m", "paperboy", "--db", str(db), "serve", "--port", str(port),
               "--workers", str(args.workers)]  # fmt: skip
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
        home = [get_head("/")]
        try:
            wait_ready(port, proc)
            load_before = os.getloadavg()[0]
            if use_wrk:
                run_wrk_phase(port, [(home_file, args.readers, 0)], 8.0)  # warm up
                (alone,) = run_wrk_phase(port, [(home_file, args.readers, 0)], args.seconds)
                during, voted = run_wrk_phase(
                    port,
                    [(home_file, args.readers, 0), (vote_file, args.voters, 0)],
                    args.seconds,
                )
                paced_during, paced = run_wrk_phase(
                    port,
                    [(home_file, args.readers, 0), (vote_file, args.voters, args.vote_rate)],
                    args.seconds,
                )
                (alone_after,) = run_wrk_phase(port, [(home_file, args.readers, 0)], args.seconds)
            else:
                with ProcessPoolExecutor(2) as pool:
                    pool.submit(drive, port, home, 8.0, args.readers, 1).result()  # warm up
                    alone = pool.submit(drive, port, home, args.seconds, args.readers, 2).result()
                    reads = pool.submit(drive, port, home, args.seconds, args.readers, 3)
                    votes = pool.submit(drive, port, heads, args.seconds, args.voters, 4)
                    during, voted = reads.result(), votes.result()
                    reads = pool.submit(drive, port, home, args.seconds, args.readers, 5)
                    votes = pool.submit(drive, port, heads, args.seconds, args.voters, 6,
                                        args.vote_rate)  # fmt: skip
                    paced_during, paced = reads.result(), votes.result()
                    alone_after = pool.submit(drive, port, home, args.seconds, args.readers, 7)
                    alone_after = alone_after.result()
            load_after = os.getloadavg()[0]
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        refreshed = subprocess.run(
            [sys.executable, "-m", "paperboy", "--db", str(db), "trending", "refresh", "--json"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        refresh = json.loads(refreshed.stdout)

    # `/` alone before and after the votes: other sessions' load drifts over a run, and the
    # mean of the two is a fairer baseline than either one.
    baseline = (alone["rps"] + alone_after["rps"]) / 2
    ratio = during["rps"] / baseline
    paced_ratio = paced_during["rps"] / baseline
    generator = "wrk (one thread per load)" if use_wrk else "Python asyncio clients"
    print_table(
        f"votes: {papers:,} papers, {len(tokens):,} accounts, `paperboy serve --workers "
        f"{args.workers}` (SQLite), {args.voters} vote + {args.readers} `/` connections, "
        f"{args.seconds:g} s per phase, load from {generator}; load average "
        f"{load_before:.2f} before, {load_after:.2f} after",
        ["measure", "requests", "errors", "per s", "p50 ms", "p99 ms", "`/` vs alone (mean)"],
        [
            ["`/` anonymous, no votes (first)", alone["requests"], alone["errors"],
             alone["rps"], alone["p50"], alone["p99"], f"{alone['rps'] / baseline:.2f}×"],
            ["`/` anonymous, votes flat out", during["requests"], during["errors"],
             during["rps"], during["p50"], during["p99"], f"{ratio:.2f}×"],
            ["POST /papers/{id}/vote, flat out", voted["requests"], voted["errors"],
             voted["rps"], voted["p50"], voted["p99"], ""],
            [f"`/` anonymous, votes paced (~{args.vote_rate:g}/s)", paced_during["requests"],
             paced_during["errors"], paced_during["rps"], paced_during["p50"],
             paced_during["p99"], f"{paced_ratio:.2f}×"],
            ["POST /papers/{id}/vote, paced", paced["requests"],
             paced["errors"], paced["rps"], paced["p50"], paced["p99"], ""],
            ["`/` anonymous, no votes (last)", alone_after["requests"], alone_after["errors"],
             alone_after["rps"], alone_after["p50"], alone_after["p99"],
             f"{alone_after['rps'] / baseline:.2f}×"],
        ],
    )  # fmt: skip
    print(
        f"trending refresh: {refresh['rows']:,} papers scored in {refresh['seconds'] * 1000:.0f} ms"
    )
    ok_votes = voted["rps"] >= 500
    ok_pages = paced_ratio >= 0.8 and paced["rps"] >= 0.9 * args.vote_rate
    print(f"targets: ≥ 500 votes/s {'met' if ok_votes else 'NOT met'} "
          f"({voted['rps']:.0f}/s flat out); `/` ≥ 80 % while ~{paced['rps']:.0f} votes/s flow "
          f"{'met' if ok_pages else 'NOT met'} ({paced_ratio:.2f}×; {ratio:.2f}× with votes "
          "flat out)")  # fmt: skip


if __name__ == "__main__":
    main()
