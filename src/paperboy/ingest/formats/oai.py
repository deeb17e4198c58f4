"""arXiv OAI-PMH ``ListRecords`` pages in the ``arXiv`` and ``arXivRaw`` metadata formats.

One wire record per metadata format, one adapter each. Deleted records are skipped (and
logged), not rejected. The page's resumptionToken and OAI errors are collected on the
``OaiPage`` for the harvester; the file importer ignores them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element

from paperboy.ingest.formats.adapt import Rejected, build_paper, resolve_id, to_date
from paperboy.ingest.formats.source import SourceFile
from paperboy.ingest.formats.xmlparse import child_text, iter_elements, looks_like_xml
from paperboy.models.announce import (
    listing_day,
    listing_day_after_datestamp,
    listing_day_for_date,
)
from paperboy.models.paper import ARXIV, DERIVED, Paper, PaperError

log = logging.getLogger(__name__)

NAME = "oai-pmh"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV_FMT = "{http://arxiv.org/OAI/arXiv/}"
RAW_FMT = "{http://arxiv.org/OAI/arXivRaw/}"
_TAGS = frozenset({f"{OAI}record", f"{OAI}resumptionToken", f"{OAI}error"})
_AUTHOR_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
# A new paper is announced at most a few days after its v1 (a Friday-evening submission goes
# out on Monday evening, holidays add a day or two); a datestamp further off is a later
# metadata edit, not the announcement.
_ANNOUNCED_WITHIN = timedelta(days=7)


@dataclass(slots=True)
class ArxivRecord:
    """metadataPrefix=arXiv: structured authors, created/updated dates."""

    id: str | None
    title: str | None
    abstract: str | None
    authors: list[str]
    categories: str | None
    created: str | None
    updated: str | None
    comments: str | None
    journal_ref: str | None
    doi: str | None


@dataclass(slots=True)
class RawVersion:
    number: int
    date: str | None


@dataclass(slots=True)
class ArxivRawRecord:
    """metadataPrefix=arXivRaw: one author string and every version with its date."""

    id: str | None
    title: str | None
    abstract: str | None
    authors: str | None
    categories: str | None
    versions: list[RawVersion]
    comments: str | None
    journal_ref: str | None
    doi: str | None


@dataclass
class OaiPage:
    """What a page says besides its records: how to continue, and what went wrong."""

    token: str | None = None
    complete_list_size: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    deleted: list[str] = field(default_factory=list)
    records: int = 0


def sniff(head: bytes) -> bool:
    return looks_like_xml(head, b"<OAI-PMH")


def read(src: SourceFile, namespace: str | None = None) -> Iterator[Paper | Rejected]:
    page = OaiPage()
    yield from parse(src.read_bytes(), src.name, page)
    for code, message in page.errors:
        if code != "noRecordsMatch":
            yield Rejected(src.name, "OAI-PMH error", f"{code}: {message}")
    if page.token:
        log.info("%s: ignoring resumptionToken %r (file import)", src.name, page.token)


def parse(data: bytes, source: str, page: OaiPage) -> Iterator[Paper | Rejected]:
    """Papers and Rejecteds of one page; fills ``page`` as it goes."""
    for elem in iter_elements(data, source, _TAGS):
        if isinstance(elem, Rejected):
            yield elem
        elif elem.tag == f"{OAI}resumptionToken":
            page.token = (elem.text or "").strip() or None
            size = elem.get("completeListSize")
            page.complete_list_size = int(size) if size and size.isdigit() else None
        elif elem.tag == f"{OAI}error":
            page.errors.append((elem.get("code") or "unknown", (elem.text or "").strip()))
        else:
            page.records += 1
            item = _record(elem, source, page)
            if item is not None:
                yield item


def _record(elem: Element, source: str, page: OaiPage) -> Paper | Rejected | None:
    header = elem.find(f"{OAI}header")
    identifier = (
        (child_text(header, f"{OAI}identifier") or "").strip() if header is not None else ""
    )
    location = f"record {page.records}" + (f" ({identifier})" if identifier else "")
    if header is not None and header.get("status") == "deleted":
        page.deleted.append(identifier)
        log.info("%s: %s is deleted upstream; skipped", source, location)
        return None
    meta = elem.find(f"{OAI}metadata")
    if meta is not None and (node := meta.find(f"{ARXIV_FMT}arXiv")) is not None:
        datestamp = child_text(header, f"{OAI}datestamp") if header is not None else None
        return adapt_arxiv(read_arxiv(node), source, location, datestamp=datestamp)
    if meta is not None and (node := meta.find(f"{RAW_FMT}arXivRaw")) is not None:
        return adapt_raw(read_raw(node), source, location)
    return Rejected(source, location, "no arXiv or arXivRaw metadata in the record")


def read_arxiv(node: Element) -> ArxivRecord:
    def t(tag: str) -> str | None:
        return child_text(node, ARXIV_FMT + tag)

    authors = []
    for a in node.iterfind(f"{ARXIV_FMT}authors/{ARXIV_FMT}author"):
        parts = [child_text(a, ARXIV_FMT + p) for p in ("forenames", "keyname", "suffix")]
        authors.append(" ".join(p.strip() for p in parts if p and p.strip()))
    return ArxivRecord(
        id=t("id"),
        title=t("title"),
        abstract=t("abstract"),
        authors=authors,
        categories=t("categories"),
        created=t("created"),
        updated=t("updated"),
        comments=t("comments"),
        journal_ref=t("journal-ref"),
        doi=t("doi"),
    )


def read_raw(node: Element) -> ArxivRawRecord:
    def t(tag: str) -> str | None:
        return child_text(node, RAW_FMT + tag)

    versions = []
    for i, v in enumerate(node.findall(f"{RAW_FMT}version"), start=1):
        label = (v.get("version") or "").lstrip("v")
        versions.append(
            RawVersion(int(label) if label.isdigit() else i, child_text(v, f"{RAW_FMT}date"))
        )
    return ArxivRawRecord(
        id=t("id"),
        title=t("title"),
        abstract=t("abstract"),
        authors=t("authors"),
        categories=t("categories"),
        versions=versions,
        comments=t("comments"),
        journal_ref=t("journal-ref"),
        doi=t("doi"),
    )


def adapt_arxiv(
    rec: ArxivRecord, source: str, location: str, *, datestamp: str | None = None
) -> Paper | Rejected:
    """One ``arXiv``-format record. Its listing day is derived: this format has only dates.

    A record with no ``updated`` date has only v1, so its datestamp (taken as a UTC day; arXiv
    refreshes OAI right after the evening announcement) is the day v1 was announced, unless
    it lies implausibly far from ``created`` (a later metadata edit). Otherwise ``created``
    goes through arXiv's schedule as if submitted at noon Eastern.
    """
    try:
        pid, _ns, _version = resolve_id(rec.id, ARXIV)
        created = to_date(_strip(rec.created), "created")
        updated = to_date(_strip(rec.updated), "updated")
    except PaperError as exc:
        return Rejected(source, location, str(exc))
    try:
        stamp = to_date(_strip(datestamp), "datestamp")
    except PaperError:
        stamp = None  # only a hint for the listing day; the schedule stands in
    return build_paper(
        source,
        location,
        id=pid,
        namespace=ARXIV,
        title=rec.title,
        abstract=rec.abstract or "",
        authors=rec.authors,
        categories=(rec.categories or "").split(),
        published=created,
        updated=updated or created,
        listing_date=_arxiv_listing_day(created, updated, stamp),
        listing_basis=DERIVED,
        comment=rec.comments,
        journal_ref=rec.journal_ref,
        doi=rec.doi,
    )


def _arxiv_listing_day(created: date | None, updated: date | None, stamp: date | None):
    if created is None:
        return None
    if updated is None and stamp is not None and created <= stamp <= created + _ANNOUNCED_WITHIN:
        return listing_day_after_datestamp(stamp)
    return listing_day_for_date(created)


def adapt_raw(rec: ArxivRawRecord, source: str, location: str) -> Paper | Rejected:
    """One ``arXivRaw`` record: every version's submission time, so v1's goes through arXiv's
    schedule for the listing day."""
    try:
        pid, _ns, _version = resolve_id(rec.id, ARXIV)
        moments = [_rfc2822_moment(v.date, f"version v{v.number} date") for v in rec.versions]
    except PaperError as exc:
        return Rejected(source, location, str(exc))
    dates = [m.date() if m else None for m in moments]
    v1 = next((m for v, m in zip(rec.versions, moments, strict=True) if v.number == 1), None)
    return build_paper(
        source,
        location,
        id=pid,
        namespace=ARXIV,
        version=max((v.number for v in rec.versions), default=None),
        title=rec.title,
        abstract=rec.abstract or "",
        authors=split_authors(rec.authors),
        categories=(rec.categories or "").split(),
        published=dates[0] if dates else None,
        updated=dates[-1] if dates else None,
        listing_date=listing_day(v1) if v1 else None,
        listing_basis=DERIVED,
        comment=rec.comments,
        journal_ref=rec.journal_ref,
        doi=rec.doi,
    )


def split_authors(text: str | None) -> list[str]:
    """arXivRaw's one-line author list ("A. One, B. Two and C. Three") as names."""
    flat = " ".join((text or "").split())
    return [name.strip() for name in _AUTHOR_SPLIT.split(flat) if name.strip()]


def _rfc2822_moment(text: str | None, name: str) -> datetime | None:
    """arXivRaw's ``Mon, 2 Apr 2007 19:18:42 GMT``; read as UTC if it names no zone."""
    if not text or not text.strip():
        return None
    try:
        return parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        raise PaperError(f"{name}: not a date: {text.strip()[:40]!r}") from None


def _strip(text: str | None) -> str | None:
    return text.strip() if text else text
