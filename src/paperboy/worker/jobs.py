"""The worker's jobs: each calls the same use case as its CLI command, and says what it did.

A job is a name, the setting that holds its crontab line, a function of a ``JobContext``
returning a small JSON-able report, and the jobs that follow it when it succeeds (embedding
and trending after an ingest). ``default_jobs()`` is the registry; one more job is one more
``Job(...)`` in that list.

Long jobs call ``ctx.checkpoint`` between units of work that are already committed (an
OAI-PMH page, a chunk of vectors): after SIGTERM it raises ``Interrupted`` there, and the
next run resumes, as it would after a crash.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from paperboy.config import Settings
from paperboy.store import Store

FIRST_HARVEST_DAYS = 7  # a first scheduled harvest takes the last week, never all of arXiv


class Interrupted(Exception):
    """Raised at a checkpoint once the worker was asked to stop; what is done stays done."""


@dataclass
class JobContext:
    store: Store
    settings: Settings
    now: datetime  # when the run started (aware UTC)
    stop: threading.Event  # the worker is stopping (SIGTERM)
    lost: threading.Event = field(default_factory=threading.Event)  # the lease was taken

    def checkpoint(self, _done: int = 0) -> None:
        """A safe point to stop at (usable as a ``progress(n)`` callback)."""
        if self.stop.is_set():
            raise Interrupted("stopped; the next run resumes")
        if self.lost.is_set():  # another worker may be running this job now: leave it to it
            raise Interrupted("the lease expired and another worker took the job")


Report = Mapping[str, Any]


@dataclass(frozen=True)
class Job:
    name: str
    setting: str  # the Settings attribute holding its crontab line (or "off")
    run: Callable[[JobContext], Report]
    help: str
    then: tuple[str, ...] = ()  # run after a successful run, each under its own lease

    @property
    def env(self) -> str:
        return f"PAPERBOY_{self.setting.upper()}"


def first_harvest_day(now: datetime) -> date:
    return now.date() - timedelta(days=FIRST_HARVEST_DAYS)


def ingest_arxiv(ctx: JobContext) -> Report:
    """The OAI-PMH daily delta since the last harvest (``paperboy ingest arxiv``)."""
    from paperboy.core.harvest import harvest_arxiv
    from paperboy.ingest.harvest.oaipmh import state_keys

    set_spec = ctx.settings.arxiv_set or None
    since = None
    if not any(ctx.store.state.get_state(key) for key in state_keys("arXiv", set_spec)):
        since = first_harvest_day(ctx.now)
    report = harvest_arxiv(
        ctx.store, ctx.settings, since=since, set_spec=set_spec, progress=ctx.checkpoint
    )
    return {**report.summary(), "pages": report.pages, "deleted": report.deleted}


def ingest_hf(ctx: JobContext) -> Report:
    """Hugging Face's latest daily papers, with their upvotes (``paperboy ingest hf``)."""
    from paperboy.core.harvest import fetch_hf

    return fetch_hf(ctx.store, ctx.settings).summary()


def embed(ctx: JobContext) -> Report:
    """Vectors for new and changed papers (``paperboy embed``)."""
    from paperboy.core.embed import embed_new

    report = embed_new(ctx.store, ctx.settings, progress=ctx.checkpoint)
    return {
        "embedded": report.embedded,
        "passages": report.passages,
        "current": report.current,
        "related": report.related,
        "model": report.model,
    }


def trending(ctx: JobContext) -> Report:
    """Trending scores recomputed, so they age without votes (``paperboy trending refresh``)."""
    from paperboy.core.trending import refresh

    report = refresh(ctx.store)
    return {"rows": report.rows, "seconds": round(report.seconds, 3)}


def digest(ctx: JobContext) -> Report:
    """The digests due now, each sent exactly once (``paperboy digest send``)."""
    from paperboy.core.digest.send import send_due  # the mail stack loads only for this job

    # ctx.checkpoint as progress: it runs between messages, where no claim is open, so a
    # SIGTERM stops the run there and the next run sends the rest (nothing left in doubt).
    report = send_due(ctx.store, ctx.settings, ctx.now, progress=ctx.checkpoint)
    return report.as_json()


def default_jobs() -> list[Job]:
    return [
        Job(
            "ingest",
            "schedule_ingest",
            ingest_arxiv,
            "harvest arXiv (OAI-PMH delta)",
            then=("embed", "trending"),
        ),
        Job("hf", "schedule_hf", ingest_hf, "import Hugging Face daily papers", ("trending",)),
        Job("embed", "schedule_embed", embed, "embed new and changed papers"),
        Job("trending", "schedule_trending", trending, "recompute trending scores"),
        Job("digest", "schedule_digest", digest, "send the digests due"),
    ]
