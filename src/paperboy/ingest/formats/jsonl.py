"""JSON Lines: the arXiv-listing shape (``../shared/data/arxiv-cs-*.jsonl.gz``) and generic
``{id, title, abstract|summary|text, authors?, categories?, published?}`` records."""

from __future__ import annotations

import json
from collections.abc import Iterator

from paperboy.ingest.formats.adapt import Rejected, build_paper, resolve_id, to_date
from paperboy.ingest.formats.source import SourceFile
from paperboy.models.paper import Paper, PaperError

NAME = "jsonl"


def sniff(head: bytes) -> bool:
    first = head.lstrip()[:1]
    return first == b"{"


def read(src: SourceFile, namespace: str | None = None) -> Iterator[Paper | Rejected]:
    for lineno, line in src.lines():
        location = f"line {lineno}"
        if isinstance(line, Rejected):
            yield line
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            # pos, not colno: the line's own newline would otherwise count as a second line
            yield Rejected(src.name, location, f"invalid JSON ({exc.msg} at column {exc.pos + 1})")
            continue
        if not isinstance(obj, dict):
            yield Rejected(src.name, location, "expected a JSON object")
            continue
        yield adapt(obj, src.name, location, namespace)


def adapt(obj: dict, source: str, location: str, namespace: str | None) -> Paper | Rejected:
    try:
        pid, ns, version = resolve_id(obj.get("id", obj.get("_id")), namespace)
        abstract = obj.get("abstract") or obj.get("summary") or obj.get("text") or ""
        authors = obj.get("authors") or []
        if isinstance(authors, str):
            authors = [a.strip() for a in authors.replace(" and ", ",").split(",")]
        if isinstance(authors, list):
            authors = [a.get("name") if isinstance(a, dict) else a for a in authors]
        categories = obj.get("categories") or []
        if isinstance(categories, str):
            categories = categories.split()
        published = to_date(obj.get("published"), "published")
        listing = to_date(obj.get("listing_date"), "listing_date")
        upvotes = obj.get("upvotes")
        fields = dict(
            id=pid,
            namespace=ns,
            version=version,
            title=obj.get("title"),
            abstract=abstract,
            authors=authors,
            categories=categories,
            published=published,
            updated=to_date(obj.get("updated"), "updated"),
            listing_date=listing,
            comment=obj.get("comment"),
            journal_ref=obj.get("journal_ref"),
            doi=obj.get("doi"),
            upvotes=upvotes,
            upvote_sources=[source_label(obj)] if upvotes is not None else [],
        )
    except PaperError as exc:
        return Rejected(source, location, str(exc))
    return build_paper(source, location, **fields)


def source_label(obj: dict) -> str:
    return str(obj.get("upvote_source") or "import")
