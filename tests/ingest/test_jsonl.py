"""JSON Lines import: both record shapes, idempotence, versions, and every kind of bad input."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from paperboy.ingest.formats.adapt import LOCAL, resolve_id
from paperboy.ingest.formats.registry import detect
from paperboy.ingest.formats.source import MAX_LINE, SourceFile
from paperboy.ingest.jobs import import_files
from paperboy.models.paper import MAX_ABSTRACT, PaperError
from paperboy.store import open_store

LISTING = {
    "id": "2503.11731",
    "pdf": "https://arxiv.org/pdf/2503.11731",
    "abs": "https://arxiv.org/abs/2503.11731",
    "authors": ["Xianming Zeng", "Sicong Du"],
    "title": "Industrial-Grade Sensor\n  Simulation",
    "categories": ["cs.CV", "cs.RO"],
    "comment": "Code: https://github.com/org/gs-sim",
    "summary": "Sensor simulation is pivotal.",
    "listing_date": "2025-03-18",
}


def write(path: Path, records: list, *, gz: bool = False, encoding: str = "utf-8") -> Path:
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(str(tmp_path / "papers.db"))
    yield s
    s.close()


def test_arxiv_listing_shape_gzip(tmp_path: Path, store) -> None:
    path = write(tmp_path / "listing.jsonl.gz", [LISTING], gz=True)
    report = import_files(store, [path])
    assert report.summary() == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    p = store.papers.get_paper("2503.11731")
    assert p.title == "Industrial-Grade Sensor Simulation"
    assert p.abstract == "Sensor simulation is pivotal."
    assert p.authors == ["Xianming Zeng", "Sicong Du"]
    assert p.categories == ["cs.CV", "cs.RO"]
    assert p.listing_date == date(2025, 3, 18)
    assert p.code_links == ["https://github.com/org/gs-sim"]
    assert p.namespace == "arxiv" and p.version is None


@pytest.mark.parametrize("text_key", ["abstract", "summary", "text"])
def test_generic_shape_plain(tmp_path: Path, store, text_key: str) -> None:
    records = [
        {"_id": "doc-1", "title": "First", text_key: "Body one.", "published": "2020-05-01"},
        {"id": "doc-2", "title": "Second", text_key: "Body two.", "authors": "A. One and B. Two",
         "categories": "bio med"},
    ]  # fmt: skip
    path = write(tmp_path / "corpus.jsonl", records)
    report = import_files(store, [path], namespace="scifact")
    assert report.summary()["added"] == 2 and report.ok
    one, two = store.papers.get_paper("doc-1"), store.papers.get_paper("doc-2")
    assert (one.namespace, one.abstract, one.published) == (
        "scifact",
        "Body one.",
        date(2020, 5, 1),
    )
    assert two.authors == ["A. One", "B. Two"] and two.categories == ["bio", "med"]


def test_detection_picks_jsonl_and_ignores_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(LISTING).encode() + b"\n")
    assert detect(SourceFile(path)).name == "jsonl"
    assert detect(SourceFile(write(tmp_path / "g.gz", [LISTING], gz=True))).name == "jsonl"


def test_importing_twice_changes_nothing(tmp_path: Path, store) -> None:
    records = [dict(LISTING, id=f"2503.{i:05d}", title=f"Paper {i}") for i in range(1, 30)]
    path = write(tmp_path / "x.jsonl", records)
    first = import_files(store, [path], batch_size=7)
    before = {p.id: p for b in store.papers.iter_papers() for p in b}
    again = import_files(store, [path], batch_size=7)
    assert first.summary() == {"added": 29, "updated": 0, "unchanged": 0, "rejected": 0}
    assert again.summary() == {"added": 0, "updated": 0, "unchanged": 29, "rejected": 0}
    assert {p.id: p for b in store.papers.iter_papers() for p in b} == before  # last_seen too


def test_duplicates_inside_one_file_merge(tmp_path: Path, store) -> None:
    records = [
        dict(LISTING, id="2503.11731v1", title="Old title", listing_date="2025-03-18"),
        dict(LISTING, id="2503.11731v2", title="New title", listing_date="2025-03-20"),
        dict(LISTING, id="2503.11731v1", title="Old title", listing_date="2025-03-18"),
    ]
    report = import_files(store, [write(tmp_path / "d.jsonl", records)])
    assert report.summary() == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    p = store.papers.get_paper("2503.11731")
    assert (p.title, p.version, p.listing_date) == ("New title", 2, date(2025, 3, 18))


def test_newer_version_updates_older_is_ignored(tmp_path: Path, store) -> None:
    import_files(store, [write(tmp_path / "v2.jsonl", [dict(LISTING, id="2503.11731v2")])])
    older = dict(LISTING, id="2503.11731v1", title="Ancient")
    report = import_files(store, [write(tmp_path / "v1.jsonl", [older])])
    assert report.summary() == {"added": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    newer = dict(LISTING, id="2503.11731v3", title="Revised")
    report = import_files(store, [write(tmp_path / "v3.jsonl", [newer])])
    assert report.summary() == {"added": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert store.papers.get_paper("2503.11731").title == "Revised"


def test_namespace_keeps_arxiv_lookalike_ids(tmp_path: Path, store) -> None:
    path = write(tmp_path / "c.jsonl", [{"id": "2401.01234v2", "title": "T", "text": "x"}])
    import_files(store, [path], namespace="mycorpus")
    p = store.papers.get_paper("2401.01234v2")
    assert (p.namespace, p.version, p.abs_url) == ("mycorpus", None, None)
    assert store.papers.get_paper("2401.01234") is None


def test_resolve_id_namespaces() -> None:
    assert resolve_id("arXiv:2401.01234v2") == ("2401.01234", "arxiv", 2)
    assert resolve_id("https://arxiv.org/abs/math.GT/0309136") == ("math/0309136", "arxiv", None)
    assert resolve_id(" doc-7 ") == ("doc-7", LOCAL, None)
    assert resolve_id(12345) == ("12345", LOCAL, None)
    assert resolve_id("2401.01234", "pubmed") == ("2401.01234", "pubmed", None)
    with pytest.raises(PaperError, match="not an arXiv id"):
        resolve_id("doc-7", "arxiv")
    with pytest.raises(PaperError, match="id: missing"):
        resolve_id("  ")


# --- bad input -------------------------------------------------------------------------


def rejected(report) -> list[str]:
    return [str(e) for e in report.errors]


def test_bad_lines_are_named_and_good_ones_import(tmp_path: Path, store) -> None:
    good = dict(LISTING, id="2503.00001")
    lines = [
        good,
        '{"id": "2503.00002", "title": ',  # invalid JSON
        dict(LISTING, id="2503.00003", title=""),  # missing title
        dict(LISTING, id="2503.00004", title="x" * 1001),  # absurdly long title
        dict(LISTING, id="2503.00005", summary="y" * (MAX_ABSTRACT + 500)),  # truncated
        dict(LISTING, id="2503.00006", title="<script>alert(1)</script><b>Hi</b>"),
        "[1, 2]",  # not an object
        dict(LISTING, id="2503.00007", published="yesterday"),  # bad date
        dict(LISTING, id="not an id!", title="Z"),  # kept as a local id
        "",
        dict(LISTING, id=None),
    ]
    path = write(tmp_path / "bad.jsonl", lines)
    report = import_files(store, [path])
    errors = rejected(report)
    name = str(path)
    assert errors == [
        f"{name}: line 2: invalid JSON (Expecting value at column 32)",
        f"{name}: line 3: title: missing",
        f"{name}: line 4: title: 1001 characters is over the limit of 1000",
        f"{name}: line 7: expected a JSON object",
        f"{name}: line 8: published: not a date: 'yesterday'",
        f"{name}: line 11: id: missing",
    ]
    assert report.summary() == {"added": 4, "updated": 0, "unchanged": 0, "rejected": 6}
    assert not report.ok
    assert store.papers.get_paper("2503.00006").title == "<script>alert(1)</script><b>Hi</b>"
    assert store.papers.get_paper("2503.00005").abstract.endswith(" […]")
    assert store.papers.get_paper("not an id!").namespace == LOCAL


def test_line_over_the_byte_limit_is_rejected_unread(tmp_path: Path, store) -> None:
    huge = json.dumps(dict(LISTING, id="2503.00002", summary="z" * (MAX_LINE + 10)))
    path = write(tmp_path / "huge.jsonl", [dict(LISTING, id="2503.00001"), huge,
                                           dict(LISTING, id="2503.00003")])  # fmt: skip
    report = import_files(store, [path])
    assert rejected(report) == [f"{path}: line 2: line longer than {MAX_LINE} bytes"]
    assert store.papers.count_papers() == 2


def test_latin1_line_is_rejected_with_its_line(tmp_path: Path, store) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes(
        json.dumps(dict(LISTING, id="2503.00001")).encode() + b"\n"
        + json.dumps(dict(LISTING, id="2503.00002", title="Caf\u00e9"), ensure_ascii=False)
        .encode("latin-1") + b"\n"
    )  # fmt: skip
    report = import_files(store, [path])
    (error,) = rejected(report)
    assert error.startswith(f"{path}: line 2: not valid UTF-8 (byte ")
    assert store.papers.count_papers() == 1


def test_utf16_with_bom_is_decoded(tmp_path: Path, store) -> None:
    records = [dict(LISTING, id="2503.00001", title="Caf\u00e9 \u2028 ok"),
               dict(LISTING, id="2503.00002")]  # fmt: skip
    text = "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in records)
    for codec in ("utf-16", "utf-16-be"):
        path = tmp_path / f"{codec}.jsonl"
        data = text.encode(codec)
        path.write_bytes(data if codec == "utf-16" else b"\xfe\xff" + data)
        report = import_files(store, [path])
        assert report.ok, rejected(report)
    assert store.papers.get_paper("2503.00001").title == "Caf\u00e9 ok"  # U+2028 is whitespace
    assert store.papers.count_papers() == 2


def test_truncated_gzip_keeps_the_lines_before_the_damage(tmp_path: Path, store) -> None:
    records = [dict(LISTING, id=f"2503.{i:05d}", summary="w" * i) for i in range(1, 2001)]
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 6 // 10])
    report = import_files(store, [path])
    (error,) = rejected(report)
    n = store.papers.count_papers()
    assert 0 < n < 2000
    assert error.startswith(f"{path}: after line {n}: file is truncated or corrupt")
    assert report.summary()["added"] == n and report.rejected == 1


def test_unreadable_files_fail_alone(tmp_path: Path, store) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n\n")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    good = write(tmp_path / "good.jsonl", [LISTING])
    report = import_files(store, [tmp_path / "missing.jsonl", empty, binary, good])
    assert report.failed_files == [str(tmp_path / "missing.jsonl"), str(empty), str(binary)]
    assert [e for e in report.errors if isinstance(e, str)] == [
        f"{tmp_path / 'missing.jsonl'}: no such file",
        f"{empty}: empty file",
        report.errors[2],
    ]
    assert str(report.errors[2]).startswith(f"{binary}: unrecognised format")
    assert store.papers.count_papers() == 1
