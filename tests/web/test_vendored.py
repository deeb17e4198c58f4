"""Issue 7 L6: VENDORED.md records every vendored file with its hash, and stays true."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "src" / "paperboy" / "web" / "static"
ROW = re.compile(r"^\s*\| `([^`]+)`[^|]*\| `([0-9a-f]{64})` \|", re.MULTILINE)


def test_vendored_hashes_match_the_files() -> None:
    text = (STATIC / "VENDORED.md").read_text(encoding="utf-8")
    rows = dict(ROW.findall(text))
    assert len(rows) == 5
    for directory in ("katex", "swagger"):
        for path in (STATIC / directory).glob("*.*"):
            if path.suffix in (".js", ".css"):
                assert path.name in rows, f"{path.name} is not listed in VENDORED.md"
                assert hashlib.sha256(path.read_bytes()).hexdigest() == rows[path.name], path
    assert "0.19.1" in (STATIC / "katex" / "katex.min.js").read_text(encoding="utf-8")
    assert 'PACKAGE_VERSION:"5.35.0"' in (STATIC / "swagger" / "swagger-ui-bundle.js").read_text(
        encoding="utf-8"
    )
