"""`paperboy serve --workers 2` on one SQLite file: a `paperboy import` in another process is
seen by every worker at its next request, cached pages included."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

FIRST = {
    "id": "2503.00001",
    "title": "Quokkas at scale",
    "summary": "We count quokkas.",
    "authors": ["Ada Lovelace"],
    "categories": ["cs.CV"],
    "listing_date": "2025-03-18",
}
LATER = {**FIRST, "id": "2503.00002", "title": "Wombats later", "summary": "Wombats."}
# fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _paperboy(db: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(db), *args],
        capture_output=True, text=True, timeout=120, **kw,
    )  # fmt: skip


def _jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _fresh_get(url: str) -> httpx.Response:
    """One request on a new connection, so that either worker may take it."""
    with httpx.Client(timeout=10) as client:
        return client.get(url, headers={"Connection": "close"})


@pytest.fixture
def served(tmp_path: Path):
    db = tmp_path / "papers.db"
    assert _paperboy(db, "import", str(_jsonl(tmp_path / "a.jsonl", FIRST))).returncode == 0
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperboy", "--db", str(db), "serve", "--workers", "2",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if _fresh_get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield db, base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_every_worker_sees_an_import_from_another_process(served, tmp_path: Path) -> None:
    db, base, _ = served
    url = base + "/api/daily_papers?date=2025-03-18"
    for _ in range(12):  # both workers answer and cache the one-paper list
        assert [p["paper"]["id"] for p in _fresh_get(url).json()] == ["2503.00001"]
    done = _paperboy(db, "import", str(_jsonl(tmp_path / "b.jsonl", LATER)))
    assert done.returncode == 0, done.stderr
    for _ in range(12):
        ids = {p["paper"]["id"] for p in _fresh_get(url).json()}
        assert ids == {"2503.00001", "2503.00002"}
    assert _fresh_get(base + "/papers/2503.00002").status_code == 200


def test_worker_connections_do_not_wait_for_delayed_acks(served) -> None:
    """Without TCP_NODELAY on the shared socket, each answer took 40 ms more on loopback."""
    _, base, _ = served
    with httpx.Client(timeout=10) as client:
        client.get(base + "/healthz")
        took = []
        for _ in range(15):
            start = time.perf_counter()
            assert client.get(base + "/healthz").status_code == 200
            took.append(time.perf_counter() - start)
    assert sorted(took)[len(took) // 2] < 0.030


def _workers(server_pid: int) -> list:
    """The worker processes: the children of ``paperboy serve`` that listen on sockets."""
    import psutil

    children = psutil.Process(server_pid).children()
    return [c for c in children if any(k.status == "LISTEN" for k in c.net_connections("tcp"))]


def _held(worker, port: int) -> int:
    return sum(
        1
        for k in worker.net_connections("tcp")
        if k.status == "ESTABLISHED" and k.laddr.port == port
    )


def test_connections_spread_over_the_workers_and_a_dead_worker_comes_back(served) -> None:
    """Each worker accepts on its own socket: 40 keep-alive clients do not pile up on one."""
    _, base, server = served
    port = int(base.rsplit(":", 1)[1])
    clients = [httpx.Client(timeout=10) for _ in range(40)]
    try:
        for client in clients:
            assert client.get(base + "/healthz").status_code == 200
        workers = _workers(server.pid)
        assert len(workers) == 2
        held = [_held(w, port) for w in workers]
        assert sum(held) == 40 and min(held) >= 10, held
    finally:
        for client in clients:
            client.close()
    workers[0].kill()
    deadline = time.monotonic() + 60
    while len(again := _workers(server.pid)) < 2 or workers[0].pid in {w.pid for w in again}:
        assert time.monotonic() < deadline, "the dead worker was not replaced"
        time.sleep(0.2)
    deadline = time.monotonic() + 60
    while True:  # the new worker may still be loading the app
        try:
            if all(_fresh_get(base + "/healthz").status_code == 200 for _ in range(20)):
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the new worker never answered"
        time.sleep(0.5)
