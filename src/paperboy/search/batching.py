"""Query encodings from concurrent searches, run together in one model call.

A MiniLM forward pass over one short query is mostly fixed overhead: on one CPU thread one
query costs ~10 ms and each of eight queries encoded together ~3 ms. Under load several
searches wait for the encoder at once, so the thread that finds the encoder free takes every
waiting query (up to ``max_batch``) and encodes them in one call; the others wait for their
vector. A lone search is encoded at once, as before, with no timer and no extra thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

MAX_BATCH = 16


class _Waiting:
    __slots__ = ("error", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None


class QueryBatcher:
    """Thread-safe; ``encode_many`` gets each batch in arrival order."""

    def __init__(
        self, encode_many: Callable[[Sequence[str]], np.ndarray], max_batch: int = MAX_BATCH
    ) -> None:
        self._encode_many = encode_many
        self._max_batch = max_batch
        self._changed = threading.Condition()
        self._queue: list[_Waiting] = []
        self._busy = False  # a thread is encoding a batch
        self.batches = 0  # model calls made, for tests and logs

    @property
    def waiting(self) -> int:
        """Queries not yet taken into a batch."""
        return len(self._queue)

    def encode(self, text: str) -> np.ndarray:
        """``text``'s vector, encoded alone or with whatever queries wait beside it."""
        me = _Waiting(text)
        with self._changed:
            self._queue.append(me)
            while me.vector is None and me.error is None:
                if self._busy:
                    self._changed.wait()
                    continue
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                self._busy = True
                self._changed.release()
                try:
                    self._run(batch)
                finally:
                    self._changed.acquire()
                    self._busy = False
                    self._changed.notify_all()
        if me.error is not None:
            raise me.error
        assert me.vector is not None
        return me.vector

    def _run(self, batch: list[_Waiting]) -> None:
        try:
            vectors = self._encode_many([w.text for w in batch])
            self.batches += 1
        except BaseException as exc:  # every query of the batch gets the model's error
            for w in batch:
                w.error = exc
            return
        for w, vector in zip(batch, vectors, strict=True):
            w.vector = vector
