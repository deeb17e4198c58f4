"""Safe XML for the arXiv formats: defusedxml only, read record by record so that a file
cut off half-way still yields every complete record before the break."""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.ElementTree import ParseError, iterparse

from paperboy.ingest.formats.adapt import Rejected
from paperboy.ingest.formats.source import SourceError


def iter_elements(data: bytes, source: str, tags: frozenset[str]) -> Iterator[Element | Rejected]:
    """Each complete element whose tag is in ``tags``, in document order.

    The element is cleared once the caller moves on, so memory stays flat on large pages.
    Broken XML after at least one element ends the stream with one Rejected naming the
    position; broken XML before any (or a refused file) raises SourceError, since nothing
    could be read.
    """
    seen = 0
    try:
        for _event, elem in iterparse(io.BytesIO(data), events=("end",)):
            if elem.tag in tags:
                seen += 1
                yield elem
                elem.clear()
    except DefusedXmlException as exc:
        raise SourceError(f"{source}: refused: {describe_refusal(exc)}") from None
    except ParseError as exc:
        line, column = exc.position
        what = str(exc).split(":")[0]
        reason = f"invalid or truncated XML ({what}; is it UTF-8 as declared?)"
        if not seen:
            raise SourceError(f"{source}: line {line}, column {column}: {reason}") from None
        yield Rejected(
            source,
            f"line {line}, column {column}",
            f"{reason}; what came before it was read, the rest of the file was not",
        )


def describe_refusal(exc: DefusedXmlException) -> str:
    if isinstance(exc, EntitiesForbidden):
        return (
            f"the file declares an XML entity ({exc.name!r}); entities can expand without bound "
            "(an entity-expansion bomb) and arXiv never sends them"
        )
    return f"unsafe XML construct ({type(exc).__name__}: {exc})"


def text_of(elem: Element | None) -> str | None:
    """All text inside ``elem`` (markup in a title stays as the text it encloses)."""
    if elem is None:
        return None
    return "".join(elem.itertext())


def child_text(parent: Element, tag: str) -> str | None:
    return text_of(parent.find(tag))


def looks_like_xml(head: bytes, *markers: bytes) -> bool:
    """True when ``head`` is XML (after any BOM or whitespace) containing every marker."""
    stripped = head.lstrip()
    return stripped.startswith(b"<") and all(m in head for m in markers)
