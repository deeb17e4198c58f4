"""Test-only reader for a recorded HTTP response, ``{"url", "status_code", "body"}`` (how the
arXiv API fixtures are kept): the body is read in whichever XML format it is in."""

from __future__ import annotations

import re
from collections.abc import Iterator

from paperboy.ingest.formats import atom, oai
from paperboy.ingest.formats.adapt import Rejected
from paperboy.ingest.formats.source import SourceError, SourceFile
from paperboy.models.paper import Paper

NAME = "recorded-response"
_SNIFF = re.compile(rb'^\s*\{.*"(?:status_code|url)"\s*:', re.DOTALL)


def sniff(head: bytes) -> bool:
    return bool(_SNIFF.match(head)) and b'"status_code"' in head and b'"body"' in head


def read(src: SourceFile, namespace: str | None = None) -> Iterator[Paper | Rejected]:
    doc = src.json_document()
    body = doc.get("body") if isinstance(doc, dict) else None
    if not isinstance(body, str):
        raise SourceError(f"{src.name}: expected a recorded response with a text 'body'")
    data = body.encode("utf-8")
    name = f"{src.name} (body of {doc.get('url') or 'response'})"
    if atom.sniff(data[:4096]):
        yield from atom.parse(data, name)
    elif oai.sniff(data[:4096]):
        yield from oai.read(SourceFile(src.path, data=data, name=name))
    else:
        raise SourceError(f"{src.name}: the recorded body is neither arXiv Atom nor OAI-PMH XML")
