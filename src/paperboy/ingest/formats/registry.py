"""The registry of wire formats ``paperboy import`` understands, and detection by content."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from paperboy.ingest.formats import atom, hf_json, jsonl, oai, seed
from paperboy.ingest.formats.adapt import Rejected
from paperboy.ingest.formats.source import SourceError, SourceFile
from paperboy.models.paper import Paper

Reader = Callable[[SourceFile, str | None], Iterator[Paper | Rejected]]


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    sniff: Callable[[bytes], bool]
    read: Reader


# Most specific first: detection takes the first format whose sniff accepts the head.
FORMATS: list[Format] = [
    Format(
        seed.NAME,
        "Captured Daily Papers page {source, papers: [{title, abstract, ...}]}",
        seed.sniff,
        seed.read,
    ),
    Format(
        hf_json.NAME,
        "Hugging Face daily_papers JSON list (keeps upvotes)",
        hf_json.sniff,
        hf_json.read,
    ),
    Format(atom.NAME, "arXiv API Atom feed", atom.sniff, atom.read),
    Format(
        oai.NAME, "arXiv OAI-PMH ListRecords XML (arXiv or arXivRaw metadata)", oai.sniff, oai.read
    ),
    Format(
        jsonl.NAME,
        "JSON Lines: arXiv listing shape or generic {id, title, abstract}",
        jsonl.sniff,
        jsonl.read,
    ),
]


def format_named(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise SourceError(f"unknown format {name!r}; known: {', '.join(f.name for f in FORMATS)}")


def detect(src: SourceFile) -> Format:
    head = src.head()
    if not head.strip():
        raise SourceError(f"{src.name}: empty file")
    for fmt in FORMATS:
        if fmt.sniff(head):
            return fmt
    raise SourceError(
        f"{src.name}: unrecognised format (starts with {head[:40]!r}); "
        f"known: {', '.join(f.name for f in FORMATS)}"
    )
