"""Fetch Hugging Face daily papers (``GET {hf_url}/api/daily_papers``) and import them.

One of ``date`` (YYYY-MM-DD), ``week`` (YYYY-Www) or ``month`` (YYYY-MM), or none for the
latest list; pages of ``limit`` items are fetched with ``p`` until a short page comes back.
"""

from __future__ import annotations

import logging
import re

from paperboy.ingest.formats import hf_json
from paperboy.ingest.formats.source import SourceError
from paperboy.ingest.harvest.http import Fetcher, FetchError
from paperboy.ingest.harvest.stopped import IngestStopped
from paperboy.ingest.jobs import ImportReport, Progress, import_records
from paperboy.models.paper import Paper
from paperboy.store import Store

log = logging.getLogger(__name__)

PAGE_LIMIT = 100
MAX_PAGES = 100
_PERIODS = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "week": re.compile(r"^\d{4}-W\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
}


def period_params(
    date: str | None = None, week: str | None = None, month: str | None = None
) -> dict:
    """The query for one period; ValueError names a malformed or doubled option."""
    given = {k: v for k, v in (("date", date), ("week", week), ("month", month)) if v}
    if len(given) > 1:
        raise ValueError(f"give one of --date, --week, --month, not {' and '.join(given)}")
    for key, value in given.items():
        if not _PERIODS[key].match(value):
            example = {"date": "2025-10-29", "week": "2025-W09", "month": "2025-02"}[key]
            raise ValueError(f"--{key} {value!r}: expected the form {example}")
    return given


def fetch_daily(
    store: Store,
    fetcher: Fetcher,
    hf_url: str,
    *,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    limit: int = PAGE_LIMIT,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one period's daily papers with their upvotes; each page is one transaction."""
    params = period_params(date, week, month)
    url = hf_url.rstrip("/") + "/api/daily_papers"
    report = ImportReport()
    seen: set[str] = set()
    for p in range(MAX_PAGES):
        try:
            response = fetcher.get(url, {**params, "p": str(p), "limit": str(limit)})
        except FetchError as exc:
            raise IngestStopped(str(exc), report) from None
        where = f"HF daily_papers page {p} ({url})"
        if response.status_code != 200:
            raise IngestStopped(f"{where}: HTTP {response.status_code}", report)
        try:
            items = list(hf_json.parse(response.text, where))
        except SourceError as exc:
            raise IngestStopped(str(exc), report) from None
        ids = {i.id for i in items if isinstance(i, Paper)}
        if ids and ids <= seen:
            log.info("%s repeats earlier items; the server ignores paging", where)
            break
        seen |= ids
        report.merge(import_records(store, items, batch_size=len(items) + 1, progress=progress))
        if len(items) < limit:
            break
    return report
