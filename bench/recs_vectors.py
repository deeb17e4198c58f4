"""MiniLM document vectors (title + abstract, as ``paperboy embed`` makes them) for the bench,
embedded once and cached under ``$PAPERBOY_BENCH_CACHE/paperboy-bench`` (default: /tmp)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from paperboy.search.embed import PACKAGED, Embedder, text_hash

CACHE = Path(os.environ.get("PAPERBOY_BENCH_CACHE", tempfile.gettempdir())) / "paperboy-bench"
CACHE_FILE = CACHE / "recs-doc-vectors.npz"


def record_text(record: dict) -> str:
    """The text ``search.embed.embed_text`` embeds for a paper: title, then abstract."""
    return f"{record['title']}\n{record['summary']}".strip()


def doc_vectors(records: list[dict], needed: list[int]) -> dict[int, np.ndarray]:
    """Vectors of ``needed`` records by index; missing ones are embedded and cached."""
    cache: dict[str, np.ndarray] = {}
    if CACHE_FILE.is_file():
        data = np.load(CACHE_FILE)
        cache = dict(zip((str(h) for h in data["hashes"]), data["vectors"], strict=True))
    hashes = {i: text_hash(record_text(records[i])) for i in needed}
    missing = sorted({h: i for i, h in hashes.items() if h not in cache}.values())
    if missing:
        print(f"embedding {len(missing):,} abstracts once (cached in {CACHE_FILE}) ...")
        vectors = Embedder(PACKAGED).encode([record_text(records[i]) for i in missing])
        for i, v in zip(missing, vectors, strict=True):
            cache[hashes[i]] = v.astype(np.float16)
        CACHE.mkdir(parents=True, exist_ok=True)
        keys = list(cache)
        tmp = CACHE_FILE.with_suffix(".tmp.npz")
        np.savez(tmp, hashes=np.array(keys), vectors=np.stack([cache[k] for k in keys]))
        tmp.replace(CACHE_FILE)
    return {i: cache[h].astype(np.float32) for i, h in hashes.items()}
