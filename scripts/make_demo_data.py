"""Rebuild the bundled demo data from ../shared (run by maintainers, not at install time).

Takes every paper of the newest listing days of the CC0 arXiv CS sample until about 3,000
papers, so the daily, weekly and trending views have full days; copies the seed page.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TARGET = 3000


def main() -> None:
    src = SHARED / "data" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    days = Counter(r["listing_date"] for r in rows)
    keep, total = set(), 0
    for day in sorted(days, reverse=True):
        if total >= TARGET:
            break
        keep.add(day)
        total += days[day]
    picked = sorted((r for r in rows if r["listing_date"] in keep), key=lambda r: r["id"])
    out = ROOT / "src" / "paperboy" / "data" / "demo-papers.jsonl.gz"
    with gzip.GzipFile(out, "wb", mtime=0) as gz:
        for r in picked:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode())
    shutil.copyfile(SHARED / "seed-papers.json", out.parent / "seed-papers.json")
    print(f"{len(picked)} papers from {min(keep)} to {max(keep)} -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
