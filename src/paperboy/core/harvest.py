"""Live ingest jobs: harvest arXiv (OAI-PMH), look arXiv ids up (Atom API), fetch HF daily papers.

The CLI calls these today and a scheduled worker will call them tomorrow, so each takes plain
values (the store, the settings, a ``progress(n)`` callback) and builds its own polite fetcher
from the settings. Bad options raise ``InvalidParameter`` before any request is made; an
upstream that fails part-way raises ``IngestStopped`` carrying what was imported before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from paperboy.config import Settings
from paperboy.core.errors import InvalidParameter
from paperboy.ingest.harvest import arxiv_api, hf_daily, oaipmh
from paperboy.ingest.harvest.http import Fetcher
from paperboy.ingest.harvest.oaipmh import HarvestReport
from paperboy.ingest.harvest.stopped import IngestStopped
from paperboy.ingest.jobs import ImportReport, Progress
from paperboy.store import Store

__all__ = [
    "HarvestReport",
    "IngestStopped",
    "check_arxiv_options",
    "check_hf_period",
    "fetch_hf",
    "fetcher_for",
    "harvest_arxiv",
    "lookup_arxiv_ids",
]


def fetcher_for(settings: Settings) -> Fetcher:
    """The polite fetcher the settings ask for (delay between requests, retries), which
    follows redirects only to the configured upstream hosts."""
    return Fetcher(
        delay=settings.request_delay,
        max_retries=settings.max_retries,
        upstreams=(settings.arxiv_oai_url, settings.arxiv_api_url, settings.hf_url),
    )


def check_arxiv_options(
    metadata_format: str = "arXiv", since: date | None = None, until: date | None = None
) -> None:
    """Refuse an unknown metadata format or a window that ends before it starts."""
    if metadata_format not in oaipmh.PREFIXES:
        raise InvalidParameter(
            f"--format {metadata_format!r}: expected one of {', '.join(oaipmh.PREFIXES)}"
        )
    if since and until and since > until:
        raise InvalidParameter(f"--from {since} is after --until {until}")


def check_hf_period(
    day: str | None = None, week: str | None = None, month: str | None = None
) -> None:
    """Refuse a malformed period, or more than one of day, week and month."""
    try:
        hf_daily.period_params(day, week, month)
    except ValueError as exc:
        raise InvalidParameter(str(exc)) from None


def harvest_arxiv(
    store: Store,
    settings: Settings,
    *,
    since: date | None = None,
    until: date | None = None,
    set_spec: str | None = None,
    metadata_format: str = "arXiv",
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
) -> HarvestReport:
    """Harvest (or resume) arXiv over OAI-PMH; without ``since``, the delta since the last run."""
    check_arxiv_options(metadata_format, since, until)
    with fetcher or fetcher_for(settings) as http:
        return oaipmh.harvest(
            store,
            http,
            settings.arxiv_oai_url,
            prefix=metadata_format,
            from_=since,
            until=until,
            set_=set_spec,
            progress=progress,
        )


def lookup_arxiv_ids(
    store: Store,
    settings: Settings,
    ids: Sequence[str],
    *,
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
) -> ImportReport:
    """Fetch and import the named arXiv papers through the Atom API."""
    with fetcher or fetcher_for(settings) as http:
        return arxiv_api.lookup(store, http, settings.arxiv_api_url, ids, progress=progress)


def fetch_hf(
    store: Store,
    settings: Settings,
    *,
    day: str | None = None,
    week: str | None = None,
    month: str | None = None,
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
) -> ImportReport:
    """Import Hugging Face daily papers with their upvotes: the latest list, or one period."""
    check_hf_period(day, week, month)
    with fetcher or fetcher_for(settings) as http:
        return hf_daily.fetch_daily(
            store, http, settings.hf_url, date=day, week=week, month=month, progress=progress
        )
