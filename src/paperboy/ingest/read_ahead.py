"""Parse the next batch while the store writes this one.

An import alternates between parsing records (Python, holding the GIL) and waiting for the
database to write a batch (the GIL released). Reading one batch ahead in a thread overlaps
the two, so a server-bound backend (PostgreSQL: text search, GIN) is never idle while the
file is parsed (bench/README.md, bench_postgres run 4).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def read_ahead(items: Iterable[T], chunk: int) -> Iterator[T]:
    """``items`` in the same order, produced by a thread that keeps one chunk of ``chunk``
    items ready. An error while producing is raised here, after every item that came
    before it, as the plain iteration would; closing this iterator stops the thread."""
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = iter(items)
        buf: list[T] = []
        try:
            for item in source:
                buf.append(item)
                if len(buf) >= chunk:
                    if not put(buf):
                        return
                    buf = []
            if put(buf):
                put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            if put(buf):
                put(_Failed(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="paperboy-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            got = ready.get()
            if got is _DONE:
                return
            if isinstance(got, _Failed):
                raise got.exc
            yield from got
    finally:
        stop.set()
        thread.join()
