"""Helpers shared by the store contract suite and the backend-specific store tests."""

from __future__ import annotations

from datetime import date

import numpy as np

from paperboy.models.paper import Paper


def all_vectors(store, model: str) -> tuple[list[str], np.ndarray]:
    rows = [row for batch in store.vectors.iter_vectors(model) for row in batch]
    if not rows:
        return [], np.zeros((0, 0), np.float32)
    return [r[0] for r in rows], np.stack([r[2] for r in rows])


def paper(pid: str, **kw) -> Paper:
    base = dict(
        id=pid,
        title=f"Paper {pid}",
        abstract="An abstract.",
        authors=["Ada Lovelace"],
        categories=["cs.CL"],
        version=1,
        listing_date=date(2024, 1, 2),
    )
    return Paper(**{**base, **kw})
