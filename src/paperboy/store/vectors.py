"""Embedding vectors: document vectors with nearest-neighbour search, and passage vectors.

The nearest-neighbour search is the store's job, so a backend with a vector index
(pgvector) answers it in the database, while SQLite keeps an in-process index.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from paperboy.models.query import Filters, Hit

VectorRow = tuple[str, str, np.ndarray]  # (paper_id, text_hash, vector or passage matrix)
RelatedRow = tuple[str, float, str]  # (other paper's id, similarity, reason), best first


class VectorStore(ABC):
    @abstractmethod
    def save_vectors(self, model: str, rows: Sequence[VectorRow]) -> None:
        """Store (paper_id, text_hash, vector) rows for ``model``, replacing older ones."""

    @abstractmethod
    def vector_text_hashes(self, model: str) -> dict[str, str]:
        """Which text each stored vector was computed from, by paper id."""

    @abstractmethod
    def version(self, model: str) -> str:
        """A token that changes whenever vectors of ``model`` are saved or deleted."""

    @abstractmethod
    def count(self, model: str) -> int:
        """How many papers have a document vector of ``model`` (cheap: asked per search)."""

    @abstractmethod
    def nearest(
        self, model: str, vector: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[Hit]:
        """The ``k`` papers whose vectors are closest to ``vector`` (cosine), best first,
        among those that pass ``filters``. Exact or approximate: the backend chooses."""

    @abstractmethod
    def get_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """Unit-length float32 document vectors of those ``ids`` that have one."""

    @abstractmethod
    def iter_vectors(self, model: str, batch_size: int = 5000) -> Iterator[list[VectorRow]]:
        """Every document vector of ``model`` once, in batches (for copying an instance)."""

    @abstractmethod
    def models(self) -> list[str]:
        """Models with document vectors."""

    # --- passages -----------------------------------------------------------------------
    @abstractmethod
    def save_passage_vectors(self, model: str, rows: Sequence[VectorRow]) -> None:
        """Store (paper_id, text_hash, matrix) rows: all passage vectors of each paper."""

    @abstractmethod
    def get_passage_vectors(self, model: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """Passage matrices (float32, one row per passage) of those ``ids`` that have them."""

    @abstractmethod
    def passage_text_hashes(self, model: str) -> dict[str, str]: ...

    @abstractmethod
    def iter_passage_vectors(
        self, model: str, batch_size: int = 2000
    ) -> Iterator[list[VectorRow]]: ...

    @abstractmethod
    def passage_models(self) -> list[str]: ...

    # --- related papers (precomputed when vectors are made) -----------------------------
    @abstractmethod
    def save_related(self, model: str, lists: Mapping[str, Sequence[RelatedRow]]) -> None:
        """Store each paper's related papers under ``model``, replacing its older list.

        Computed when vectors are made, so that a paper page reads a list instead of
        searching; an empty list is kept too (the paper has no neighbours)."""

    @abstractmethod
    def get_related(self, model: str, paper_id: str) -> list[RelatedRow] | None:
        """The stored list of ``paper_id``, best first; None when none was ever computed."""

    @abstractmethod
    def related_count(self, model: str) -> int:
        """How many papers have a stored related list for ``model``."""
