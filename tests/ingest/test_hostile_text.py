"""Issue 7 M3: a lone surrogate or control character rejects its record, never the import."""

from __future__ import annotations

import json
from pathlib import Path

from paperboy.ingest.jobs import import_files

from .helpers import HF, new_store


def good(i: int) -> str:
    return json.dumps({"id": f"2401.0000{i}", "title": f"Good paper {i}", "abstract": "Fine."})


def test_jsonl_lone_surrogate_title_rejects_only_its_line(tmp_path: Path) -> None:
    # The probe: "\ud800" is a legal JSON escape that decodes to a lone surrogate.
    bad = '{"id": "2401.00009", "title": "\\ud800", "abstract": "x"}'
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join([good(1), good(2), bad, good(3)]) + "\n", encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert report.summary() == {"added": 3, "updated": 0, "unchanged": 0, "rejected": 1}
        (err,) = report.errors
        assert err.location == "line 3"
        assert "title: a lone surrogate (U+D800)" in err.reason
        assert store.papers.get_paper("2401.00009") is None
        assert store.papers.get_paper("2401.00003").title == "Good paper 3"
    str(err).encode("utf-8")  # printable: the message itself carries no surrogate


def test_jsonl_id_with_control_character_is_rejected(tmp_path: Path) -> None:
    bad = json.dumps({"id": "paper\x1b[31m-1", "title": "Colourful", "abstract": "x"})
    path = tmp_path / "papers.jsonl"
    path.write_text(good(1) + "\n" + bad + "\n", encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path], namespace="corpus")
        assert report.summary()["added"] == 1
        (err,) = report.errors
        assert err.location == "line 2"
        assert "id: a control character (U+001B)" in err.reason
        assert "\x1b" not in str(err)  # shown escaped, so it cannot drive a terminal


def test_hf_daily_papers_with_one_bad_item_imports_the_rest(tmp_path: Path) -> None:
    items = json.loads((HF / "daily_papers-2025-10-29.json").read_text(encoding="utf-8"))
    items[1]["paper"]["title"] = "Bad \ud800 title"
    path = tmp_path / "daily.json"
    path.write_text(json.dumps(items), encoding="utf-8")  # ASCII JSON with a \ud800 escape
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert report.summary() == {
            "added": len(items) - 1,
            "updated": 0,
            "unchanged": 0,
            "rejected": 1,
        }
        (err,) = report.errors
        assert err.location.startswith("item 2") and "lone surrogate" in err.reason
