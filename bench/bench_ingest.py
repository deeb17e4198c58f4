"""Import the shared arXiv cs corpus into a fresh SQLite file through the real import path.

Prints papers/s, database size per 1,000 papers and the no-op re-import time, each against a
baseline in the same process: a plain ``sqlite3.executemany`` of the same rows into a plain
table (same columns, no FTS, no merge, no validation).

    .venv/bin/python bench/bench_ingest.py [--limit N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ARXIV_CS, load_jsonl, print_table, require, timer  # noqa: E402
from paperboy.ingest.jobs import import_files  # noqa: E402
from paperboy.store import open_store  # noqa: E402

_COLUMNS = (
    "id namespace version title abstract authors categories primary_category published "
    "updated listing_date comment journal_ref doi code_links upvotes upvote_sources "
    "first_seen last_seen content_hash"
).split()


def baseline_insert(records: list[dict], db: Path) -> float:
    """Seconds to insert ``records`` as rows of the papers columns with one executemany."""
    with timer() as t:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        cols = ", ".join(f"{c} TEXT" for c in _COLUMNS)
        conn.execute(f"CREATE TABLE papers (rowid INTEGER PRIMARY KEY, {cols})")
        rows = [
            (
                r["id"], "arxiv", None, r["title"], r.get("summary") or "",
                json.dumps(r.get("authors") or [], ensure_ascii=False),
                json.dumps(r.get("categories") or [], ensure_ascii=False),
                (r.get("categories") or [None])[0], None, None, r.get("listing_date"),
                r.get("comment"), None, None, "[]", None, "[]", "", "", "",
            )
            for r in records
        ]  # fmt: skip
        conn.execute("BEGIN")
        marks = ",".join("?" * len(_COLUMNS))
        conn.executemany(f"INSERT INTO papers ({', '.join(_COLUMNS)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        conn.close()
    return t.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N records (quick runs)")
    parser.add_argument("--keep", type=Path, help="write the databases here and keep them")
    args = parser.parse_args()
    source = require(ARXIV_CS)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = source
        if args.limit:
            path = folder / "subset.jsonl"
            with path.open("w", encoding="utf-8") as fh:
                for r in load_jsonl(source, args.limit):
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        records = load_jsonl(path)
        n = len(records)
        db = folder / "bench-ingest.db"
        plain = folder / "bench-baseline.db"
        for stale in (db, plain):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{stale}{suffix}").unlink(missing_ok=True)

        base_s = baseline_insert(records, plain)
        with open_store(str(db)) as store:
            with timer() as first:
                r1 = import_files(store, [path])
            with timer() as again:
                r2 = import_files(store, [path])
            papers = store.papers.count_papers()
        size = sum(
            Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists()
        )

    assert r1.summary()["added"] == papers, r1.summary()
    assert r2.summary() == {"added": 0, "updated": 0, "unchanged": papers, "rejected": 0}, (
        r2.summary()
    )
    rate, base_rate = n / first.seconds, n / base_s
    print_table(
        f"ingest: {n:,} records from {source.name} → {papers:,} papers",
        ["step", "seconds", "papers/s", "vs baseline"],
        [
            ["baseline: plain executemany, no FTS", base_s, base_rate, "1.00×"],
            ["first import (import_files)", first.seconds, rate, f"{rate / base_rate:.2f}×"],
            [
                "no-op re-import",
                again.seconds,
                n / again.seconds,
                f"{n / again.seconds / base_rate:.2f}×",
            ],
        ],
    )
    print_table(
        "summary",
        ["figure", "value"],
        [
            ["first import, papers/s", f"{rate:,.0f}"],
            ["no-op re-import speed-up over first import", f"{first.seconds / again.seconds:.1f}×"],
            ["DB size per 1,000 papers (MB)", f"{size / papers * 1000 / 1e6:.2f}"],
            ["our first-import rate / baseline rate", f"{rate / base_rate:.3f}"],
        ],
    )


if __name__ == "__main__":
    main()
