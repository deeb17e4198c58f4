"""Small helpers for the ingest tests: fixture paths, stores and store snapshots."""

from __future__ import annotations

import json
from pathlib import Path

from paperboy.store import Store, open_store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARXIV_API = FIXTURES / "arxiv-api"
OAI = FIXTURES / "oai"
HF = FIXTURES / "hf"


def recorded(name_prefix: str) -> dict:
    """The recorded arXiv API response whose file name starts with ``name_prefix``."""
    (path,) = ARXIV_API.glob(f"{name_prefix}_s0_m*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def new_store(tmp_path: Path, name: str = "papers.db") -> Store:
    return open_store(str(tmp_path / name))


def snapshot(store: Store) -> dict[str, dict]:
    """Every paper's content, without the store's own timestamps."""
    out = {}
    for batch in store.papers.iter_papers():
        for p in batch:
            d = p.to_dict()
            d.pop("first_seen")
            d.pop("last_seen")
            out[p.id] = d
    return out
