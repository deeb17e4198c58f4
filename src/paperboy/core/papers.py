"""One paper by any id a user might paste (arXiv id with or without version, URL, namespace)."""

from __future__ import annotations

from paperboy.core.errors import NotFound
from paperboy.models.paper import Paper
from paperboy.store import Store


def find_paper_or_raise(store: Store, raw_id: str) -> Paper:
    """``store.papers.find_paper``, with an unknown id a ``NotFound`` naming it."""
    paper = store.papers.find_paper(raw_id)
    if paper is None:
        raise NotFound(f"no paper {raw_id[:100]!r}")
    return paper
