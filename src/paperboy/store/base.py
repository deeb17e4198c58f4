"""The one storage door: every backend implements this interface, and nothing else runs SQL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

import numpy as np

from paperboy.models.arxiv_id import parse_arxiv_id
from paperboy.models.paper import Paper, merge
from paperboy.models.query import FieldWeights, Filters, Hit, TextQuery, UpsertCounts


class StoreError(RuntimeError):
    """A storage problem a user can act on (bad URL, newer schema, unreadable file)."""


class Store(ABC):
    """Papers, their full-text index, vectors and importer state."""

    url: str

    # --- papers -------------------------------------------------------------------------
    def upsert_papers(self, papers: Sequence[Paper]) -> UpsertCounts:
        """Merge a batch into the store in one transaction (all or nothing).

        Duplicates within the batch merge first; a paper whose merged content hashes the same
        as what is stored is left untouched, which keeps re-imports cheap and idempotent.
        """
        batch: dict[str, Paper] = {}
        for p in papers:
            batch[p.id] = merge(batch[p.id], p) if p.id in batch else p
        counts = UpsertCounts()
        with self._write_transaction():
            hashes = self._stored_hashes(list(batch))
            exact = {pid for pid, h in hashes.items() if batch[pid].content_hash() == h}
            counts.unchanged += len(exact)
            to_merge = [pid for pid in hashes if pid not in exact]
            stored = self._load_papers(to_merge) if to_merge else {}
            writes: list[tuple[Paper, bool]] = []
            for pid, incoming in batch.items():
                if pid in exact:
                    continue
                if pid in stored:
                    merged = merge(stored[pid], incoming)
                    if merged.content_hash() == hashes[pid]:
                        counts.unchanged += 1
                        continue
                    writes.append((merged, False))
                    counts.updated += 1
                else:
                    writes.append((incoming, True))
                    counts.added += 1
                counts.changed_ids.append(pid)
            if writes:
                self._write_papers(writes)
        return counts

    @abstractmethod
    def _write_transaction(self): ...  # context manager holding the single writer

    @abstractmethod
    def _stored_hashes(self, ids: list[str]) -> dict[str, str]: ...

    @abstractmethod
    def _load_papers(self, ids: list[str]) -> dict[str, Paper]: ...

    @abstractmethod
    def _write_papers(self, papers: list[tuple[Paper, bool]]) -> None:
        """Insert (True) or update (False) each paper; called inside the write transaction."""

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.get_papers([paper_id]).get(paper_id)

    def find_paper(self, raw_id: str) -> Paper | None:
        """A paper by any id form people paste (``2401.01234v2``, ``arXiv:…``, an abs URL),
        or by a corpus id as given."""
        raw_id = raw_id.strip()
        if not raw_id or len(raw_id) > 300:
            return None
        try:
            canonical = parse_arxiv_id(raw_id).id
        except ValueError:
            return self.get_paper(raw_id)
        return self.get_paper(canonical) or self.get_paper(raw_id)

    @abstractmethod
    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]: ...

    @abstractmethod
    def count_papers(self, filters: Filters | None = None) -> int: ...

    @abstractmethod
    def list_papers(
        self,
        filters: Filters | None = None,
        *,
        order: str = "listing",  # listing | published | upvotes | id
        limit: int = 50,
        offset: int = 0,
    ) -> list[Paper]: ...

    @abstractmethod
    def iter_papers(self, batch_size: int = 1000) -> Iterator[list[Paper]]: ...

    @abstractmethod
    def listing_dates(self, filters: Filters | None = None) -> list[date]:
        """Distinct listing days, newest first."""

    @abstractmethod
    def filter_ids(self, ids: Sequence[str], filters: Filters) -> set[str]:
        """The subset of ``ids`` that pass ``filters``."""

    def list_listed(
        self, start: date, end: date, *, order: str = "listing", limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        """Papers whose listing day is in [start, end]: the daily, weekly and monthly lists.

        Unlike ``list_papers`` with date filters (which fall back to the published date),
        this asks for the listing day only, so backends can answer from its index.
        """
        filters = Filters(after=start, before=end)
        return self.list_papers(filters, order=order, limit=limit, offset=offset)

    def count_listed(self, start: date, end: date) -> int:
        return self.count_papers(Filters(after=start, before=end))

    def data_version(self) -> str:
        """A token that changes whenever papers change, for caches keyed on store contents.

        Backends that cannot tell cheaply return a fresh token every call, which simply
        disables such caches.
        """
        import time

        return f"uncached:{time.monotonic_ns()}"

    @abstractmethod
    def stats(self) -> dict:
        """At least {"papers": N}; backends add what they know."""

    # --- search -------------------------------------------------------------------------
    @abstractmethod
    def lexical_search(
        self,
        query: TextQuery,
        filters: Filters | None = None,
        *,
        limit: int = 100,
        weights: FieldWeights = FieldWeights(),
    ) -> list[Hit]:
        """BM25-ranked hits, best first; scores are larger-is-better."""

    @abstractmethod
    def document_counts(self, terms: Sequence[str]) -> dict[str, int]:
        """How many papers each term (as the full-text index tokenises it) occurs in."""

    @abstractmethod
    def find_by_title(self, title: str, limit: int = 5) -> list[str]:
        """Ids of papers whose title equals ``title`` ignoring case and spacing."""

    # --- vectors ------------------------------------------------------------------------
    @abstractmethod
    def save_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """Store (paper_id, text_hash, vector) rows for ``model``."""

    @abstractmethod
    def load_vectors(self, model: str) -> tuple[list[str], np.ndarray]:
        """All vectors of ``model``: ids and a float32 matrix, row i for ids[i]."""

    @abstractmethod
    def vector_text_hashes(self, model: str) -> dict[str, str]: ...

    # Search additions: a cheap change token for vector caches, and passage vectors (several
    # rows per paper: sentence windows of the abstract) kept beside the document vectors.
    @abstractmethod
    def vector_version(self, model: str) -> str:
        """A token that changes whenever vectors of ``model`` are saved or deleted."""

    @abstractmethod
    def save_passage_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """Store (paper_id, text_hash, matrix) rows: all passage vectors of each paper."""

    @abstractmethod
    def get_passage_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """Passage matrices (float32, one row per passage) of those ``ids`` that have them."""

    @abstractmethod
    def passage_text_hashes(self, model: str) -> dict[str, str]: ...

    # --- importer state -----------------------------------------------------------------
    @abstractmethod
    def get_state(self, key: str) -> str | None: ...

    @abstractmethod
    def set_state(self, key: str, value: str | None) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
