"""The in-memory vector index of a store, shared by every searcher in the process.

Loading 75k vectors from SQLite takes a fraction of a second and a million takes seconds, so
the index is built once per (database, model) and rebuilt only when the store says its
vectors changed; that check is one cheap query, made at most every ``CHECK_EVERY`` seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from paperboy.search.dense import ExactIndex, build_index
from paperboy.store import Store

CHECK_EVERY = 2.0


@dataclass
class _Entry:
    version: str
    index: ExactIndex | None
    checked: float


class VectorCache:
    def __init__(self, check_every: float = CHECK_EVERY) -> None:
        self.check_every = check_every
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()

    def index(self, store: Store, model: str) -> ExactIndex | None:
        """The index of ``model``'s vectors in ``store``; None when it has none."""
        key = (store.url, model)
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry and now - entry.checked < self.check_every:
            return entry.index
        with self._lock:
            entry = self._entries.get(key)
            version = store.vector_version(model)
            if entry and entry.version == version:
                entry.checked = now
                return entry.index
            ids, matrix = store.load_vectors(model)
            index = build_index(ids, matrix) if ids else None
            self._entries[key] = _Entry(version, index, time.monotonic())
            return index


CACHE = VectorCache()
