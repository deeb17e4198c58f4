"""The captured Daily Papers page: stable seed ids, shown dates, page upvotes."""

from __future__ import annotations

import json
import os
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from paperboy.ingest.formats import seed
from paperboy.ingest.formats.registry import detect
from paperboy.ingest.formats.source import SourceFile
from paperboy.ingest.jobs import import_files

from .helpers import new_store

SHARED = Path(__file__).resolve().parents[3] / "shared" / "seed-papers.json"
PACKAGED = Path(str(resources.files("paperboy") / "data" / "seed-papers.json"))


def test_packaged_copy_is_detected_and_imports_every_paper(tmp_path):
    assert detect(SourceFile(PACKAGED)).name == seed.NAME
    with new_store(tmp_path) as store:
        report = import_files(store, [PACKAGED])
        assert report.summary() == {"added": 46, "updated": 0, "unchanged": 0, "rejected": 0}
        papers = store.papers.list_papers(limit=100)
        assert all(p.namespace == "seed" and p.id.startswith("seed-") for p in papers)
        assert len({p.id for p in papers}) == 46
        assert import_files(store, [PACKAGED]).summary()["unchanged"] == 46


def test_ids_dates_and_upvotes(tmp_path):
    with new_store(tmp_path) as store:
        import_files(store, [PACKAGED])
        by_title = {p.title: p for p in store.papers.list_papers(limit=100)}
    mage = by_title[next(t for t in by_title if t.startswith("MAGE:"))]
    assert mage.id == seed.seed_id(mage.title)
    assert mage.published == date(2025, 7, 29)  # "Jul 29": the capture's note says 2025
    assert (mage.upvotes, mage.upvote_sources) == (0, ["hf-page"])
    baichuan = by_title["Baichuan Alignment Technical Report"]
    assert baichuan.published == date(2024, 10, 18) and baichuan.upvotes == 2
    assert mage.authors == [] and mage.is_arxiv is False


def test_seed_id_is_stable_under_case_spacing_and_punctuation():
    assert seed.seed_id("Efficient  Alignment, of LLMs!") == seed.seed_id(
        "efficient alignment of llms"
    )
    assert seed.seed_id("A") != seed.seed_id("B")


def test_shared_and_packaged_copies_match():
    if not SHARED.exists():
        if os.environ.get("CI"):  # CI always has ../shared: a missing copy is a failure there
            pytest.fail(f"{SHARED} is missing in CI")
        pytest.skip(f"{SHARED} is not beside this checkout (it is in CI, where this runs)")
    assert SHARED.read_bytes() == PACKAGED.read_bytes()


def test_bad_entries_are_rejected_by_number(tmp_path):
    doc = json.loads(PACKAGED.read_text(encoding="utf-8"))
    doc["papers"] = doc["papers"][:2] + [{"title": ""}, {"title": "x", "date_text": "Smarch 45"}]
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
    assert report.counts.added == 2
    assert [(e.location, e.reason) for e in report.errors] == [
        ("paper 3", "title: missing"),
        ("paper 4", "date_text: not a date: 'Smarch 45'"),
    ]


def test_truncated_capture_is_a_file_error_with_position(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(PACKAGED.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
    assert report.failed_files == [str(path)] and "invalid JSON" in report.errors[0]
    assert "line " in report.errors[0]
