"""arXiv API Atom responses (``export.arxiv.org/api/query``) → Paper.

Wire record: one ``<entry>`` per paper. The API reports problems as an entry titled
"Error" (e.g. a malformed id), which becomes a Rejected, never a paper.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from paperboy.ingest.formats.adapt import Rejected, build_paper, resolve_id, to_date, to_moment
from paperboy.ingest.formats.source import SourceFile
from paperboy.ingest.formats.xmlparse import child_text, iter_elements, looks_like_xml
from paperboy.models.announce import listing_day
from paperboy.models.paper import ARXIV, DERIVED, Paper, PaperError

NAME = "arxiv-atom"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_TAGS = frozenset({f"{ATOM}entry", f"{OPENSEARCH}totalResults"})


@dataclass(slots=True)
class AtomEntry:
    """The wire record: what one ``<entry>`` says, before any checking."""

    id: str | None
    title: str | None
    summary: str | None
    authors: list[str] = field(default_factory=list)
    primary_category: str | None = None
    categories: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    links: list[tuple[str | None, str]] = field(default_factory=list)  # (title or rel, href)

    @property
    def is_error(self) -> bool:
        return (self.title or "").strip() == "Error" and "/api/errors" in (self.id or "")


def sniff(head: bytes) -> bool:
    return looks_like_xml(head, b"<feed", b"http://www.w3.org/2005/Atom")


def read(src: SourceFile, namespace: str | None = None) -> Iterator[Paper | Rejected]:
    yield from parse(src.read_bytes(), src.name)


def parse(data: bytes, source: str) -> Iterator[Paper | Rejected]:
    """Papers and Rejecteds from one Atom document, entry by entry."""
    number = 0
    for elem in iter_elements(data, source, _TAGS):
        if isinstance(elem, Rejected):
            yield elem
            continue
        if elem.tag != f"{ATOM}entry":
            continue
        number += 1
        entry = read_entry(elem)
        location = f"entry {number}" + (f" ({entry.id.strip()})" if entry.id else "")
        yield adapt(entry, source, location)


def read_entry(elem: Element) -> AtomEntry:
    primary = elem.find(f"{ARXIV_NS}primary_category")
    return AtomEntry(
        id=child_text(elem, f"{ATOM}id"),
        title=child_text(elem, f"{ATOM}title"),
        summary=child_text(elem, f"{ATOM}summary"),
        authors=[child_text(a, f"{ATOM}name") or "" for a in elem.findall(f"{ATOM}author")],
        primary_category=primary.get("term") if primary is not None else None,
        categories=[c.get("term") or "" for c in elem.findall(f"{ATOM}category")],
        published=child_text(elem, f"{ATOM}published"),
        updated=child_text(elem, f"{ATOM}updated"),
        comment=child_text(elem, f"{ARXIV_NS}comment"),
        journal_ref=child_text(elem, f"{ARXIV_NS}journal_ref"),
        doi=child_text(elem, f"{ARXIV_NS}doi"),
        links=[
            (link.get("title") or link.get("rel"), link.get("href") or "")
            for link in elem.findall(f"{ATOM}link")
        ],
    )


def adapt(entry: AtomEntry, source: str, location: str) -> Paper | Rejected:
    if entry.is_error:
        return Rejected(source, location, f"arXiv API error: {(entry.summary or '').strip()}")
    try:
        pid, _ns, version = resolve_id(entry.id, ARXIV)
        categories = [entry.primary_category] if entry.primary_category else []
        categories += [c for c in entry.categories if c and c not in categories]
        doi = entry.doi or next((href for t, href in entry.links if t == "doi"), None)
        if doi:
            doi = doi.strip().removeprefix("http://dx.doi.org/").removeprefix("https://doi.org/")
        # <published> is v1's submission time: arXiv's schedule places it in a daily listing.
        submitted = to_moment(entry.published, "published")
        fields = dict(
            id=pid,
            namespace=ARXIV,
            version=version,
            title=entry.title,
            abstract=entry.summary or "",
            authors=entry.authors,
            categories=categories,
            published=submitted.date() if submitted else None,
            updated=to_date(entry.updated, "updated"),
            listing_date=listing_day(submitted) if submitted else None,
            listing_basis=DERIVED,
            comment=entry.comment,
            journal_ref=entry.journal_ref,
            doi=doi,
            code_links=[href for t, href in entry.links if _is_outside_link(t, href)],
        )
    except PaperError as exc:
        return Rejected(source, location, str(exc))
    return build_paper(source, location, **fields)


def _is_outside_link(kind: str | None, href: str) -> bool:
    """Links other than arXiv's own pages and the DOI resolver: project or code pages."""
    href = href.lower()
    return (
        href.startswith(("http://", "https://"))
        and kind != "doi"
        and "arxiv.org/" not in href
        and "doi.org/" not in href
    )
