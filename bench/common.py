"""Pieces every bench script shares: the shared data set, a timer and a table printer.

Figures are only meaningful as ratios against a baseline run in the same process, on the same
machine, at the same moment; absolute numbers move with the hardware and the neighbours.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("PAPERBOY_SHARED_DATA", REPO.parent / "shared" / "data"))
ARXIV_CS = SHARED_DATA / "arxiv-cs-2025-03_2026-07.jsonl.gz"


def require(path: Path) -> Path:
    """``path``, or exit 0 with a one-line reason when the shared data is not on this machine."""
    if not path.is_file():
        print(f"skipped: {path} is absent (set PAPERBOY_SHARED_DATA to its folder)")
        sys.exit(0)
    return path


def load_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    """Records of a (gzipped) JSON Lines file, in order."""
    opener = gzip.open if path.suffix == ".gz" else open
    out: list[dict] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
                if limit is not None and len(out) >= limit:
                    break
    return out


@dataclass
class Timing:
    seconds: float = 0.0


@contextmanager
def timer() -> Iterator[Timing]:
    """``with timer() as t: ...`` then ``t.seconds`` (wall clock, perf_counter)."""
    t = Timing()
    start = time.perf_counter()
    try:
        yield t
    finally:
        t.seconds = time.perf_counter() - start


def free_port() -> int:
    """A port nothing listens on now (the bench's server takes it next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


async def exchange(reader, writer, request: bytes) -> tuple[int, bytes]:  # noqa: ANN001
    """Send one HTTP/1.1 request on a keep-alive connection; (status, body)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return int(head[9:12]), await reader.readexactly(length)


def latency_summary(latencies: list[float], errors: int, elapsed: float) -> dict:
    """Requests, errors, rate and p50/p99 (ms) of a closed-loop run of ``elapsed`` seconds."""
    latencies = sorted(latencies)
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors,
        "rps": n / elapsed,
        "p50": latencies[n // 2] * 1000 if n else float("nan"),
        "p99": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
    }


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain-text table, right-aligned numbers, readable in a terminal and in a README."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        parts = [
            c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)
        ]
        print("| " + " | ".join(parts) + " |")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("×", "").replace("-", "").isdigit()
