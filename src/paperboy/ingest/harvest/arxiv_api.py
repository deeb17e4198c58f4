"""Look papers up by id through the arXiv Atom API (``id_list``, at most 100 ids a request).

Ids that are not arXiv ids are rejected before any request; ids the API does not know come
back as an empty feed (or an error entry) and are reported one by one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from paperboy.ingest.formats import atom
from paperboy.ingest.formats.adapt import Rejected
from paperboy.ingest.harvest.http import Fetcher, FetchError
from paperboy.ingest.harvest.stopped import IngestStopped
from paperboy.ingest.jobs import ImportReport, Progress, import_records
from paperboy.models.arxiv_id import ArxivId, parse_arxiv_id
from paperboy.models.paper import Paper
from paperboy.store import Store

log = logging.getLogger(__name__)

MAX_BATCH = 100
SOURCE = "arXiv API"


def lookup(
    store: Store,
    fetcher: Fetcher,
    api_url: str,
    ids: Sequence[str],
    *,
    batch_size: int = MAX_BATCH,
    progress: Progress | None = None,
) -> ImportReport:
    """Fetch and import the named papers; each batch is one request and one transaction."""
    batch_size = max(1, min(batch_size, MAX_BATCH))
    report = ImportReport()
    wanted: list[ArxivId] = []
    for raw in ids:
        try:
            parsed = parse_arxiv_id(raw)
        except ValueError:
            report.reject(
                Rejected(SOURCE, raw, "not an arXiv id (e.g. 2401.01234 or hep-th/9901001)")
            )
            continue
        if parsed not in wanted:
            wanted.append(parsed)
    for start in range(0, len(wanted), batch_size):
        batch = wanted[start : start + batch_size]
        try:
            items = list(fetch_batch(fetcher, api_url, batch))
        except FetchError as exc:
            raise IngestStopped(str(exc), report) from None
        report.merge(import_records(store, items, batch_size=len(items) + 1, progress=progress))
    return report


def fetch_batch(
    fetcher: Fetcher, api_url: str, batch: Sequence[ArxivId]
) -> Iterator[Paper | Rejected]:
    id_list = ",".join(str(a) for a in batch)
    params = {"id_list": id_list, "start": "0", "max_results": str(len(batch))}
    response = fetcher.get(api_url, params)
    where = f"{SOURCE} ({id_list[:80]})"
    if not atom.sniff(response.content[:4096]):
        raise FetchError(f"{where}: HTTP {response.status_code}, not an Atom feed")
    found: set[str] = set()
    errors = 0
    for item in atom.parse(response.content, where):
        if isinstance(item, Paper):
            found.add(item.id)
        else:
            errors += 1
        yield item
    for a in batch:
        if a.id not in found and not (errors and len(batch) == 1):
            yield Rejected(SOURCE, str(a), "unknown id: arXiv returned no paper for it")
