"""The data commands as users run them: import, stats and show, with --json and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperboy.cli import app

RECORDS = [
    {"id": "2503.00001v2", "title": "Quokkas <b>at</b> scale", "summary": "We count quokkas.",
     "authors": ["Ada Lovelace"], "categories": ["cs.CV"], "listing_date": "2025-03-18",
     "comment": "code: https://github.com/q/quokka"},
    {"id": "hep-th/9901001", "title": "Old strings", "summary": "Strings.",
     "listing_date": "2025-03-19"},
]  # fmt: skip


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_import_json_counts_then_noop(tmp_path: Path, data: Path) -> None:
    db = str(tmp_path / "p.db")
    code, out, _ = run("--db", db, "import", str(data), "--json")
    assert code == 0
    assert json.loads(out) == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    code, out, _ = run("--db", db, "import", str(data), "--json")
    assert (code, json.loads(out)) == (0, {"added": 0, "updated": 0, "unchanged": 2, "rejected": 0})


def test_import_plain_text_summary(tmp_path: Path, data: Path) -> None:
    code, out, _ = run("--db", str(tmp_path / "p.db"), "import", str(data))
    assert code == 0
    assert "added 2, updated 0, unchanged 0, rejected 0" in out


def test_import_with_rejects_exits_1_with_a_one_line_reason(tmp_path: Path, data: Path) -> None:
    with data.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "2503.00009", "title": ""}) + "\n")
    code, out, err = run("--db", str(tmp_path / "p.db"), "import", str(data), "--json")
    assert code == 1
    assert json.loads(out) == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    flat = " ".join(err.split())  # rich wraps stderr at 80 columns when it is not a terminal
    assert f"{data}: line 3: invalid JSON" in flat
    assert f"{data}: line 4: title: missing" in flat
    assert err.strip().splitlines()[-1] == "error: 2 record(s) rejected; the others were imported"


def test_import_missing_file_exits_1(tmp_path: Path) -> None:
    code, _, err = run("--db", str(tmp_path / "p.db"), "import", str(tmp_path / "nope.jsonl"))
    assert code == 1
    assert "error: 1 file(s) could not be read" in err


def test_stats_and_show_json(tmp_path: Path, data: Path) -> None:
    db = str(tmp_path / "p.db")
    run("--db", db, "import", str(data))
    code, out, _ = run("--db", db, "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["papers"] == 2 and stats["namespaces"] == {"arxiv": 2}
    for ref in ("2503.00001", "arXiv:2503.00001v1", "https://arxiv.org/abs/2503.00001"):
        code, out, _ = run("--db", db, "show", ref, "--json")
        paper = json.loads(out)
        assert code == 0
        assert paper["id"] == "2503.00001" and paper["version"] == 2
        assert paper["title"] == "Quokkas <b>at</b> scale"
        assert paper["code_links"] == ["https://github.com/q/quokka"]
        assert paper["listing_date"] == "2025-03-18"
    code, out, _ = run("--db", db, "show", "math.GT/9901001")
    assert code == 1
    code, out, _ = run("--db", db, "show", "hep-th/9901001")
    assert code == 0 and "Old strings" in out


def test_show_unknown_and_bad_db(tmp_path: Path) -> None:
    code, _, err = run("--db", str(tmp_path / "p.db"), "show", "2503.99999")
    assert code == 1 and "no paper '2503.99999'" in err
    code, _, err = run("--db", "postgresql://u:hunter2@127.0.0.1:1/y", "stats")
    assert code == 1 and "cannot connect" in err and "hunter2" not in err
    code, _, err = run("--db", "mysql://x/y", "stats")
    assert code == 1 and "unsupported database scheme 'mysql'" in err


def test_python_dash_m_entry_point(tmp_path: Path, data: Path) -> None:
    db = str(tmp_path / "p.db")
    cmd = [sys.executable, "-m", "paperboy", "--db", db]
    done = subprocess.run([*cmd, "import", str(data), "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 2
    done = subprocess.run([*cmd, "stats", "--json"], capture_output=True, text=True)
    assert json.loads(done.stdout)["papers"] == 2
