"""Issue 7 L4: a gzip bomb gets a clear error with bounded memory, whatever its format."""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from paperboy.ingest.formats import source
from paperboy.ingest.formats.source import MAX_LINE, SourceError, SourceFile
from paperboy.ingest.jobs import import_files

from .helpers import new_store

BOMB = 300_000_000  # bytes once inflated; about 300 KB on disk
OAI_HEAD = b'<?xml version="1.0"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'


def bomb(path: Path, head: bytes, filler: bytes = b" ") -> Path:
    """``head`` then BOMB bytes of ``filler``, written through gzip a megabyte at a time."""
    block = filler * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(head)
        for _ in range(BOMB // len(block)):
            fh.write(block)
    assert path.stat().st_size < 1_000_000
    return path


def peak_traced(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_whole_file_bomb_stops_at_the_document_cap(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(source, "MAX_DOCUMENT", 30_000_000)  # the default is 200 MB
    path = bomb(tmp_path / "listing.xml.gz", OAI_HEAD)

    def read() -> None:
        with pytest.raises(SourceError, match=r"larger than 30,000,000 bytes after decompression"):
            SourceFile(path).read_bytes()

    assert peak_traced(read) < 100_000_000
    with new_store(tmp_path) as store:  # through the importer: that file fails, clearly
        report = import_files(store, [path])
    assert report.failed_files == [str(path)]
    assert "larger than 30,000,000 bytes" in report.errors[0]


def test_jsonl_bomb_is_one_rejected_line_with_bounded_memory(tmp_path: Path) -> None:
    path = bomb(tmp_path / "papers.jsonl.gz", b'{"id": "2401.00001", "title": "')
    with new_store(tmp_path) as store:
        reports = []
        peak = peak_traced(lambda: reports.append(import_files(store, [path])))
    (report,) = reports
    assert peak < 20_000_000  # a few MAX_LINE buffers, never the 300 MB line
    assert report.summary()["rejected"] == 1
    assert str(report.errors[0]).endswith(f"line 1: line longer than {MAX_LINE} bytes")


def test_documents_under_the_cap_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "small.xml.gz"
    path.write_bytes(gzip.compress(OAI_HEAD + b"</OAI-PMH>"))
    assert SourceFile(path).read_bytes() == OAI_HEAD + b"</OAI-PMH>"
    assert source.MAX_DOCUMENT == 200_000_000
