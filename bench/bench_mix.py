"""The load mix of issue 8 against a real ``paperboy serve --workers N`` (imported by
``bench_web.py --mix``; kept apart so the per-endpoint bench stays short).

Every connection loops until the deadline: 30 % uncached paper pages (distinct ids), 30 %
uncached searches (distinct queries), 40 % lists and feeds. A request that takes over
``TIMEOUT`` seconds counts as a timeout and its connection is replaced.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np

from common import exchange, free_port, get_request

TIMEOUT = 10.0
MIX = (("paper", 0.3), ("search", 0.3), ("list", 0.4))


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    timeouts: int = 0
    errors: int = 0


async def get(reader, writer, path: str) -> int:  # noqa: ANN001
    return (await exchange(reader, writer, get_request(path)))[0]


@dataclass
class Paths:
    """Endless, distinct paper and search paths; a fixed list of list and feed paths."""

    ids: list[str]
    words: list[str]
    lists: list[str]
    _paper: itertools.count = field(default_factory=itertools.count)
    _search: itertools.count = field(default_factory=itertools.count)

    def next(self, kind: str, rng: random.Random) -> str:
        if kind == "paper":
            return "/papers/" + self.ids[next(self._paper) % len(self.ids)]
        if kind == "search":
            n = next(self._search)  # the word at the counter keeps queries apart
            w = self.words
            q = f"{rng.choice(w)} {rng.choice(w)} {w[n % len(w)]}"
            page = "/search?q=" if n % 2 else "/api/papers/search?q="
            return page + quote(q)
        if kind == "healthz":
            return "/healthz"
        return rng.choice(self.lists)


async def run_mix(port: int, paths: Paths, seconds: float, connections: int,
                  kinds=MIX) -> tuple[Tally, float]:  # fmt: skip
    tally = Tally()
    deadline = time.perf_counter() + seconds
    names = [k for k, _ in kinds]
    weights = [w for _, w in kinds]

    async def connection(seed: int) -> None:
        rng = random.Random(seed)
        conn = None
        while time.perf_counter() < deadline:
            if conn is None:
                try:
                    conn = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", port), TIMEOUT
                    )
                except (OSError, TimeoutError):
                    tally.errors += 1
                    await asyncio.sleep(0.1)
                    continue
            kind = rng.choices(names, weights)[0]
            path = paths.next(kind, rng)
            start = time.perf_counter()
            try:
                status = await asyncio.wait_for(get(*conn, path), TIMEOUT)
            except TimeoutError:
                tally.timeouts += 1
                conn[1].close()
                conn = None
                continue
            except (OSError, asyncio.IncompleteReadError, ValueError):
                tally.errors += 1
                conn[1].close()
                conn = None
                continue
            if status == 200:
                tally.latencies.setdefault(kind, []).append(time.perf_counter() - start)
            else:
                tally.errors += 1
        if conn is not None:
            conn[1].close()

    begin = time.perf_counter()
    await asyncio.gather(*(connection(i) for i in range(connections)))
    return tally, time.perf_counter() - begin


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


class Server:
    """``paperboy serve --workers N`` in a child process, until the block ends."""

    def __init__(self, db: Path, workers: int) -> None:
        self.db, self.workers, self.port = db, workers, free_port()

    def __enter__(self) -> Server:
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "paperboy", "--db", str(self.db), "serve",
             "--workers", str(self.workers), "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("server did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def sequential(port: int, paths: list[str]) -> list[float]:
    """One connection, one request at a time: latency without load."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    out = []
    try:
        for path in paths:
            start = time.perf_counter()
            assert await get(reader, writer, path) == 200, path
            out.append(time.perf_counter() - start)
    finally:
        writer.close()
    return out


def with_vectors(db: Path, target: Path, model: str, dim: int = 384) -> Path:
    """A copy of ``db`` with a random unit vector per paper and the related lists they give.

    Embedding 75k abstracts takes hours on two cores; page and search latency do not depend
    on which text a vector came from (bench_search.py does the same with titles).
    """
    from paperboy.search.related import precompute_related
    from paperboy.store import open_store

    if target.exists():
        return target
    shutil.copy(db, target)
    with open_store(str(target)) as store:
        rng = np.random.default_rng(7)
        ids = [p.id for batch in store.papers.iter_papers() for p in batch]
        for i in range(0, len(ids), 5000):
            part = ids[i : i + 5000]
            v = rng.standard_normal((len(part), dim)).astype(np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            store.vectors.save_vectors(model, [(pid, "bench", v[j]) for j, pid in enumerate(part)])
        start = time.perf_counter()
        precompute_related(store, model)
        print(f"related lists for {len(ids):,} papers in {time.perf_counter() - start:.0f} s")
    return target


# --- wrk ------------------------------------------------------------------------------------
LUA = Path(__file__).resolve().parent / "mix.lua"
WRK_THREADS = 2


@dataclass
class WrkResult:
    """What wrk's ``done`` (mix.lua) reported: totals and latency percentiles in ms."""

    requests: int
    seconds: float
    timeouts: int
    errors: int  # connect, read, write errors and non-2xx/3xx answers
    p50: float
    p95: float
    p99: float
    degraded: int = 0  # searches answered keywords-only (X-Paperboy-Degraded header)
    searches: int = 0  # searches sent

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_files(folder: Path, paths: Paths, searches: int, seed: int = 5) -> tuple[Path, ...]:
    """The three path files mix.lua reads: paper pages and searches in the order they are
    taken (each once), and the list and feed paths."""
    rng = random.Random(seed)
    made = []
    for name, lines in (
        ("papers.txt", ["/papers/" + i for i in paths.ids]),
        ("searches.txt", [paths.next("search", rng) for _ in range(searches)]),
        ("lists.txt", paths.lists),
    ):
        (folder / name).write_text("\n".join(lines) + "\n")
        made.append(folder / name)
    return tuple(made)


def run_wrk(port: int, files: tuple[Path, ...], seconds: float, connections: int,
            shares: tuple[float, float] = (0.3, 0.3)) -> WrkResult:  # fmt: skip
    """wrk with ``connections`` keep-alive connections on WRK_THREADS threads; a request over
    TIMEOUT seconds is a timeout (wrk then reconnects)."""
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           f"--timeout={TIMEOUT:g}s", "--latency", "-s", str(LUA), f"http://127.0.0.1:{port}",
           "--", *map(str, files), str(WRK_THREADS), *map(str, shares)]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("WRKMIX ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no WRKMIX line:\n{out}")
    f = {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    return WrkResult(
        requests=f["requests"], seconds=f["duration_us"] / 1e6, timeouts=f["timeout"],
        errors=f["connect"] + f["read"] + f["write"] + f["status"],
        p50=f["p50_us"] / 1000, p95=f["p95_us"] / 1000, p99=f["p99_us"] / 1000,
        degraded=f.get("degraded", 0), searches=f.get("searches", 0),
    )  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (the workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found] + [g for c in found for g in _children(int(c))]
