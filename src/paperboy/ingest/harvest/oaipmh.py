"""Harvest arXiv over OAI-PMH ``ListRecords``, page by page, resumably.

Each page is imported in one transaction, then its cursor (the resumptionToken and the
window it belongs to) is saved with ``store.set_state``; a harvest that is killed resumes at
the page after the last one saved. A finished harvest records its ``until`` (or today) as
the high-water mark, so the next run without ``from`` fetches only the delta since then.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from paperboy.ingest.formats import oai
from paperboy.ingest.harvest.http import Fetcher, FetchError
from paperboy.ingest.harvest.stopped import IngestStopped
from paperboy.ingest.jobs import ImportReport, Progress, import_records
from paperboy.store import Store

log = logging.getLogger(__name__)

PREFIXES = ("arXiv", "arXivRaw")
MAX_PAGES = 100_000  # a server that hands out tokens forever must not loop forever


class HarvestError(IngestStopped):
    """The harvest stopped; ``report`` holds what was imported before it did."""


@dataclass(frozen=True)
class Window:
    prefix: str
    from_: str | None
    until: str | None
    set_: str | None


@dataclass
class HarvestReport(ImportReport):
    pages: int = 0
    deleted: int = 0
    resumed: bool = False
    window: Window | None = None


def state_keys(prefix: str, set_: str | None) -> tuple[str, str]:
    """(cursor key, high-water key) for one metadata format and set."""
    base = f"oaipmh:{prefix}:{set_ or '*'}"
    return f"{base}:cursor", f"{base}:harvested_until"


def harvest(
    store: Store,
    fetcher: Fetcher,
    base_url: str,
    *,
    prefix: str = "arXiv",
    from_: date | None = None,
    until: date | None = None,
    set_: str | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> HarvestReport:
    """Harvest (or resume) one window; raise HarvestError with the partial report on failure."""
    if prefix not in PREFIXES:
        raise ValueError(f"metadata format {prefix!r}: expected one of {', '.join(PREFIXES)}")
    cursor_key, hwm_key = state_keys(prefix, set_)
    wanted = Window(
        prefix,
        from_.isoformat() if from_ else store.state.get_state(hwm_key),
        until.isoformat() if until else None,
        set_,
    )
    report = HarvestReport(window=wanted)
    token = None
    saved = _load_cursor(store.state.get_state(cursor_key))
    if saved is not None:
        saved_window, saved_token, saved_url = saved
        explicit = from_ is not None or until is not None
        if saved_url == base_url and (not explicit or saved_window == wanted):
            wanted, token, report.resumed = saved_window, saved_token, True
            report.window = wanted
            log.info("resuming the %s harvest of %s at token %r", prefix, _describe(wanted), token)
        else:
            log.warning("discarding the unfinished harvest of %s", _describe(saved_window))
            store.state.set_state(cursor_key, None)

    while report.pages < MAX_PAGES:
        params = {"verb": "ListRecords", "resumptionToken": token} if token else _first(wanted)
        try:
            response = fetcher.get(base_url, params)
        except FetchError as exc:
            raise HarvestError(str(exc), report) from None
        page = oai.OaiPage()
        where = f"OAI-PMH page {report.pages + 1} ({base_url})"
        try:
            items = list(oai.parse(response.content, where, page))
        except ValueError as exc:  # SourceError: nothing readable on the page
            raise HarvestError(f"HTTP {response.status_code}: {exc}", report) from None
        if page.errors:
            _handle_errors(page, store, cursor_key, report)
            break
        if response.status_code != 200:
            raise HarvestError(f"{where}: HTTP {response.status_code}", report)
        part = import_records(store, items, batch_size=len(items) + 1, progress=progress)
        report.merge(part)
        report.pages += 1
        report.deleted += len(page.deleted)
        token = page.token
        if not token:
            break
        store.state.set_state(
            cursor_key, json.dumps({**asdict(wanted), "token": token, "url": base_url})
        )
        log.info("page %d done: %s; next token %r", report.pages, part.summary(), token)

    store.state.set_state(cursor_key, None)
    mark = wanted.until or (today or datetime.now(UTC).date()).isoformat()
    store.state.set_state(hwm_key, mark)
    log.info("harvest of %s finished; next delta starts at %s", _describe(wanted), mark)
    return report


def _first(window: Window) -> dict[str, str]:
    params = {"verb": "ListRecords", "metadataPrefix": window.prefix}
    for key, value in (("from", window.from_), ("until", window.until), ("set", window.set_)):
        if value:
            params[key] = value
    return params


def _handle_errors(page: oai.OaiPage, store: Store, cursor_key: str, report: ImportReport) -> None:
    codes = {code for code, _ in page.errors}
    if codes == {"noRecordsMatch"}:
        log.info("no records match the harvest window")
        return
    text = "; ".join(f"{code}: {message}" for code, message in page.errors)
    if "badResumptionToken" in codes:
        store.state.set_state(cursor_key, None)
        raise HarvestError(
            f"the OAI-PMH server refused the resumption token ({text}); it has expired or the "
            "server restarted. The saved cursor was dropped: run the harvest again to redo "
            "the window (already imported papers stay as they are).",
            report,
        )
    if "badArgument" in codes:
        raise HarvestError(
            f"the OAI-PMH server rejected the request ({text}); check --from, "
            "--until (YYYY-MM-DD) and --set",
            report,
        )
    raise HarvestError(f"OAI-PMH error: {text}", report)


def _load_cursor(raw: str | None) -> tuple[Window, str, str] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        window = Window(data["prefix"], data["from_"], data["until"], data["set_"])
        return window, data["token"], data["url"]
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable harvest cursor: %r", raw[:200])
        return None


def _describe(w: Window) -> str:
    return f"{w.prefix} {w.set_ or 'all sets'} from {w.from_ or 'the start'} to {w.until or 'now'}"
