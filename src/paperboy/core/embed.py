"""The "embed new papers" job: vectors for papers that have none, or whose text changed.

Shared by ``paperboy embed`` and, later, the worker; it takes plain values and reports
progress through callbacks, so no caller needs the CLI's progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paperboy.config import Settings
from paperboy.search.embed import (
    BATCH,
    Embedder,
    ModelUnavailable,
    RefreshReport,
    refresh_vectors,
    stale_papers,
)
from paperboy.store import Store

__all__ = ["EmbedReport", "ModelUnavailable", "embed_new"]


@dataclass
class EmbedReport(RefreshReport):
    model: str = ""  # the model the vectors belong to, as the store keys them


def embed_new(
    store: Store,
    settings: Settings,
    *,
    passages: bool = True,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> EmbedReport:
    """Embed new and changed papers with the configured model (the others keep theirs).

    ``on_total(n)`` is called once with the number of papers to embed, before the model
    loads; ``progress(n)`` then counts papers done. Raises ``ModelUnavailable`` when the
    model cannot be loaded.
    """
    embedder = Embedder(settings.embed_model, batch_size)
    stale = stale_papers(store, embedder.name, passages)
    if on_total:
        on_total(len(stale))
    done = refresh_vectors(store, embedder, stale, progress=progress)
    return EmbedReport(
        embedded=done.embedded, current=done.current, passages=done.passages, model=embedder.name
    )
