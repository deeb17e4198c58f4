"""The captured "Daily Papers" search page (``seed-papers.json``) → Paper.

The page shows no arXiv ids and no author names, so each paper gets a stable id in the
``seed`` namespace from its normalised title, and keeps the page's upvotes (source
"hf-page"). Dates are as shown ("Jul 29", "Nov 15, 2024"); the capture's ``source`` note says
which year a date without one means.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime

from paperboy.ingest.formats.adapt import Rejected, build_paper
from paperboy.ingest.formats.source import SourceError, SourceFile
from paperboy.models.paper import DERIVED, Paper, PaperError

NAME = "seed-page"
NAMESPACE = "seed"
UPVOTE_SOURCE = "hf-page"
_SNIFF = re.compile(rb'^\s*\{.*"papers"\s*:\s*\[', re.DOTALL)
_YEARLESS = re.compile(r"without a year are in (\d{4})", re.IGNORECASE)
_CAPTURED = re.compile(r"captured (\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_WORDS = re.compile(r"[^\w]+")


def sniff(head: bytes) -> bool:
    return bool(_SNIFF.match(head)) and b'"status_code"' not in head


def read(src: SourceFile, namespace: str | None = None) -> Iterator[Paper | Rejected]:
    doc = src.json_document()
    if not isinstance(doc, dict) or not isinstance(doc.get("papers"), list):
        raise SourceError(f"{src.name}: expected an object with a 'papers' list")
    year = _default_year(doc.get("source"))
    m = _CAPTURED.search(doc["source"]) if isinstance(doc.get("source"), str) else None
    captured = date.fromisoformat(m.group(1)) if m else None
    for number, item in enumerate(doc["papers"], start=1):
        location = f"paper {number}"
        if not isinstance(item, dict):
            yield Rejected(src.name, location, "expected a JSON object")
            continue
        yield adapt(item, src.name, location, year, captured=captured)


def adapt(
    item: dict, source: str, location: str, year: int, *, captured: date | None = None
) -> Paper | Rejected:
    """One shown paper. Without a shown date it was on the page by the capture day at the
    latest, which places it better than the day it happens to be imported."""
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        return Rejected(source, location, "title: missing")
    try:
        published = parse_shown_date(item.get("date_text"), year)
    except PaperError as exc:
        return Rejected(source, location, str(exc))
    upvotes = item.get("upvotes")
    return build_paper(
        source,
        location,
        id=seed_id(title),
        namespace=NAMESPACE,
        title=title,
        abstract=item.get("abstract") or "",
        published=published,
        listing_date=None if published else captured,
        listing_basis=DERIVED,
        upvotes=upvotes,
        upvote_sources=[UPVOTE_SOURCE] if upvotes is not None else [],
    )


def seed_id(title: str) -> str:
    """``seed-`` + a short hash of the title, lower-cased, accents and punctuation folded."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    key = " ".join(_WORDS.sub(" ", folded).split()) or title.strip()
    return "seed-" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


def parse_shown_date(text: object, year: int) -> date | None:
    """``"Jul 29"`` (in ``year``) or ``"Nov 15, 2024"``; None when the page showed none."""
    if text in (None, ""):
        return None
    if not isinstance(text, str):
        raise PaperError(f"date_text: expected text, got {type(text).__name__}")
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt, suffix in (("%b %d %Y", ""), ("%b %d %Y", f" {year}")):
        try:
            return datetime.strptime(cleaned + suffix, fmt).date()
        except ValueError:
            continue
    raise PaperError(f"date_text: not a date: {text[:40]!r}")


def _default_year(note: object) -> int:
    m = _YEARLESS.search(note) if isinstance(note, str) else None
    return int(m.group(1)) if m else date.today().year
