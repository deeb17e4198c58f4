"""Import jobs: batching, progress, and a kill -9 mid-import that a rerun repairs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperboy.ingest.formats.adapt import Rejected, build_paper
from paperboy.ingest.jobs import import_files, import_records
from paperboy.store import open_store


def synthetic(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(1, n + 1):
            rec = {
                "id": f"2501.{i:05d}v{1 + i % 3}",
                "title": f"Synthetic paper {i} on topic {i % 97}",
                "summary": f"We study problem {i}. " * (1 + i % 5),
                "authors": [f"Author {i % 311}", f"Author {i % 17}"],
                "categories": ["cs.LG", f"cs.{'AI' if i % 2 else 'CL'}"],
                "listing_date": f"2025-01-{1 + i % 28:02d}",
            }
            fh.write(json.dumps(rec) + "\n")
    return path


def hashes(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT id, content_hash FROM papers"))
    finally:
        conn.close()


def test_import_records_batches_and_reports(tmp_path: Path) -> None:
    items = [build_paper("t", f"#{i}", id=f"2501.{i:05d}", title=f"T{i}") for i in range(1, 8)]
    items.insert(3, Rejected("t", "#x", "title: missing"))
    seen: list[int] = []
    with open_store(str(tmp_path / "p.db")) as store:
        report = import_records(store, items, batch_size=3, progress=seen.append)
        assert report.summary() == {"added": 7, "updated": 0, "unchanged": 0, "rejected": 1}
        assert [str(e) for e in report.errors] == ["t: #x: title: missing"]
        assert sum(seen) == 8 and 3 in seen
        assert sorted(report.counts.changed_ids) == [f"2501.{i:05d}" for i in range(1, 8)]


def test_an_error_mid_stream_keeps_every_full_batch_before_it(tmp_path: Path) -> None:
    """The importer writes a batch only once the next fills (so it can be prepared): an
    error in the source still finds every full batch read before it stored, as when each
    was written at once, and the unfinished batch not."""

    def items():
        for i in range(1, 9):
            yield build_paper("t", f"#{i}", id=f"2501.{i:05d}", title=f"T{i}")
        raise OSError("the file went away")

    with open_store(str(tmp_path / "p.db")) as store:
        with pytest.raises(OSError, match="went away"):
            import_records(store, items(), batch_size=3)
        assert store.papers.count_papers() == 6


def test_import_files_accepts_many_files_and_sums(tmp_path: Path) -> None:
    a = synthetic(tmp_path / "a.jsonl", 40)
    with open_store(str(tmp_path / "p.db")) as store:
        report = import_files(store, [a, a], batch_size=16)
        assert report.summary() == {"added": 40, "updated": 0, "unchanged": 40, "rejected": 0}


@pytest.mark.sqlite_only  # a SQLite file shared with a subprocess, or its in-process index
def test_kill_9_mid_import_then_rerun_equals_a_clean_import(tmp_path: Path) -> None:
    n = 20_000
    data = synthetic(tmp_path / "big.jsonl", n)
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
    cmd = [sys.executable, "-m", "paperboy", "--db", str(killed_db), "import", str(data)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    partial = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if killed_db.exists():
                try:
                    partial = len(hashes(killed_db))
                except sqlite3.OperationalError:
                    partial = 0  # not migrated yet, or briefly locked
                if 0 < partial < n:
                    proc.send_signal(signal.SIGKILL)
                    break
            time.sleep(0.02)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    assert 0 < partial < n

    # the WAL left by the killed writer is recovered; whole batches only
    conn = sqlite3.connect(killed_db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert len(hashes(killed_db)) % 1000 == 0

    rerun = subprocess.run(cmd + ["--json"], env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    counts = json.loads(rerun.stdout)
    assert counts["added"] + counts["unchanged"] == n and counts["added"] > 0
    assert counts["rejected"] == 0 and counts["updated"] == 0

    with open_store(str(clean_db)) as store:
        assert import_files(store, [data]).summary()["added"] == n
    assert hashes(killed_db) == hashes(clean_db)
    conn = sqlite3.connect(killed_db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
    conn.close()
