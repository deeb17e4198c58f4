"""Hugging Face daily_papers JSON files: upvotes kept, listing day, hostile input."""

from __future__ import annotations

import json
from datetime import date

from paperboy.ingest.formats import hf_json
from paperboy.ingest.formats.registry import detect
from paperboy.ingest.formats.source import SourceFile
from paperboy.ingest.jobs import import_files
from paperboy.models.paper import MAX_TITLE

from .helpers import HF, new_store

DAILY = HF / "daily_papers-2025-10-29.json"


def test_daily_papers_import_with_upvotes_and_listing_day(tmp_path):
    assert detect(SourceFile(DAILY)).name == hf_json.NAME
    with new_store(tmp_path) as store:
        report = import_files(store, [DAILY])
        assert report.summary() == {"added": 3, "updated": 0, "unchanged": 0, "rejected": 0}
        p = store.papers.get_paper("2510.24001")
        assert (p.upvotes, p.upvote_sources) == (42, ["hf"])
        assert p.listing_date == date(2025, 10, 29)  # submittedOnDailyAt, not arXiv's date
        assert p.published == date(2025, 10, 28)
        assert p.authors == ["Ada Lovelace", "Grace Hopper"]
        assert p.code_links[:2] == [
            "https://github.com/example/upvote-rank",
            "https://example.github.io/upvote-rank",
        ]
        # no submittedOnDailyAt: the list item's publishedAt is the day it was listed
        assert store.papers.get_paper("2510.23999").listing_date == date(2025, 10, 29)
        assert store.papers.get_paper("2510.23500").upvotes == 0
        assert import_files(store, [DAILY]).summary()["unchanged"] == 3


def test_html_in_titles_is_stored_as_text(tmp_path):
    with new_store(tmp_path) as store:
        import_files(store, [DAILY])
        title = store.papers.get_paper("2510.23500").title
    assert title == "<script>alert('x')</script> & <b>Bold</b> Claims"


def test_upvotes_update_on_a_later_list(tmp_path):
    items = json.loads(DAILY.read_text(encoding="utf-8"))
    items[0]["paper"]["upvotes"] = 99
    later = tmp_path / "later.json"
    later.write_text(json.dumps(items), encoding="utf-8")
    with new_store(tmp_path) as store:
        import_files(store, [DAILY])
        assert import_files(store, [later]).counts.updated == 1
        assert store.papers.get_paper("2510.24001").upvotes == 99


def test_bad_items_are_rejected_by_number_and_good_ones_import(tmp_path):
    items = json.loads(DAILY.read_text(encoding="utf-8"))
    items[0]["paper"]["title"] = items[0]["title"] = None
    items[1]["paper"]["title"] = items[1]["title"] = "t" * (MAX_TITLE + 5)
    items.append({"paper": {"id": "not an id", "title": "x"}})
    items.append("just a string")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert report.counts.added == 1
    reasons = {e.location: e.reason for e in report.errors}
    assert reasons["item 1 (2510.24001)"] == "title: missing"
    assert "over the limit" in reasons["item 2 (2510.23999)"]
    assert "not an arXiv id" in reasons["item 4 (not an id)"]
    assert "expected an object" in reasons["item 5"]


def test_truncated_list_keeps_the_complete_items(tmp_path):
    text = DAILY.read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"Small Models')], encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert store.papers.count_papers() == 1
    (error,) = report.errors
    assert (
        error.location == "item 2" and "truncated JSON" in error.reason and "line" in error.reason
    )


def test_wrong_encoding_is_a_file_error_naming_the_line(tmp_path):
    path = tmp_path / "latin1.json"
    text = DAILY.read_text(encoding="utf-8").replace("Bold", "B\xf6ld")
    path.write_bytes(text.encode("latin-1"))
    line = text[: text.index("B\xf6ld")].count("\n") + 1
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
    assert report.failed_files == [str(path)]
    assert f"line {line}:" in report.errors[0] and "not valid utf-8" in report.errors[0]
