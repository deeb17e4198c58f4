"""Hugging Face ``daily_papers`` JSON (``GET /api/daily_papers``) → Paper, upvotes kept.

Wire record: a list item with a nested ``paper`` (arXiv id, title, summary, authors, upvotes,
publishedAt, submittedOnDailyAt) and the list's own title, summary, publishedAt. The list is
read item by item, so a file cut off half-way still yields every complete item before it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from paperboy.ingest.formats.adapt import Rejected, build_paper, resolve_id, to_date
from paperboy.ingest.formats.source import SourceError, SourceFile
from paperboy.models.paper import ARXIV, Paper, PaperError, printable

NAME = "hf-daily"
UPVOTE_SOURCE = "hf"
_SNIFF = re.compile(rb'^\s*\[\s*(?:\]|\{\s*"[^"]{1,40}"\s*:)')
_PAPER_KEY = re.compile(rb'"paper"\s*:\s*\{')
_decoder = json.JSONDecoder()


@dataclass(slots=True)
class DailyPaper:
    """The wire record, before checking."""

    id: object
    title: object
    summary: object
    authors: list = field(default_factory=list)
    published_at: object = None  # on arXiv
    on_daily_at: object = None  # on the HF daily list
    upvotes: object = None
    links: list = field(default_factory=list)


def sniff(head: bytes) -> bool:
    return bool(_SNIFF.match(head)) and (bool(_PAPER_KEY.search(head)) or head.strip() == b"[]")


def read(src: SourceFile, namespace: str | None = None) -> Iterator[Paper | Rejected]:
    yield from parse(src.text(), src.name)


def parse(text: str, source: str) -> Iterator[Paper | Rejected]:
    for number, item in iter_json_list(text, source):
        location = f"item {number}"
        if isinstance(item, Rejected):
            yield item
        elif not isinstance(item, dict) or not isinstance(item.get("paper", {}), dict):
            yield Rejected(source, location, "expected an object with a 'paper' object")
        else:
            record = read_item(item)
            if record.id:
                location += f" ({printable(str(record.id)[:60])})"
            yield adapt(record, source, location)


def read_item(item: dict) -> DailyPaper:
    paper = item.get("paper") or {}
    authors = paper.get("authors") or item.get("authors") or []
    return DailyPaper(
        id=paper.get("id") or item.get("id"),
        title=paper.get("title") or item.get("title"),
        summary=paper.get("summary") or item.get("summary") or "",
        authors=authors if isinstance(authors, list) else [authors],
        published_at=paper.get("publishedAt"),
        on_daily_at=(
            paper.get("submittedOnDailyAt")
            or item.get("submittedOnDailyAt")
            or item.get("publishedAt")
        ),
        upvotes=paper.get("upvotes", item.get("upvotes")),
        links=[
            link
            for key in ("githubRepo", "projectPage")
            for link in (paper.get(key), item.get(key))
            if isinstance(link, str) and link
        ],
    )


def adapt(rec: DailyPaper, source: str, location: str) -> Paper | Rejected:
    try:
        pid, _ns, version = resolve_id(rec.id, ARXIV)
        authors = [a.get("name") if isinstance(a, dict) else a for a in rec.authors]
        fields = dict(
            id=pid,
            namespace=ARXIV,
            version=version,
            title=rec.title,
            abstract=rec.summary,
            authors=authors,
            published=to_date(rec.published_at, "paper.publishedAt"),
            listing_date=to_date(rec.on_daily_at, "submittedOnDailyAt"),
            code_links=rec.links,
            upvotes=rec.upvotes,
            upvote_sources=[UPVOTE_SOURCE] if rec.upvotes is not None else [],
        )
    except PaperError as exc:
        return Rejected(source, location, str(exc))
    return build_paper(source, location, **fields)


def iter_json_list(text: str, source: str) -> Iterator[tuple[int, object | Rejected]]:
    """(number, item) for each item of a top-level JSON list, decoding one item at a time.

    A broken item ends the list with a Rejected naming the item and position, after the
    good items before it; a file that is not a list at all raises SourceError.
    """
    pos = _skip_ws(text, 0)
    if not text.startswith("[", pos):
        raise SourceError(f"{source}: expected a JSON list (HF daily_papers)")
    pos = _skip_ws(text, pos + 1)
    number = 0
    if text.startswith("]", pos):
        return
    while True:
        number += 1
        try:
            item, pos = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield (
                number,
                Rejected(
                    source,
                    f"item {number}",
                    f"invalid or truncated JSON ({exc.msg} at line {exc.lineno}, "
                    f"column {exc.colno}); the rest of the file was not read",
                ),
            )
            return
        yield number, item
        pos = _skip_ws(text, pos)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            line = text.count("\n", 0, pos) + 1
            yield (
                number + 1,
                Rejected(
                    source, f"after item {number}", f"invalid or truncated JSON at line {line}"
                ),
            )
            return


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
