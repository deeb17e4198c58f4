"""Precomputed vectors for the bundled demo papers, so `paperboy demo` is searchable by meaning
at once instead of after a long embed on a small machine.

``data/demo-vectors.npz`` holds ids, the hash of the text each vector was computed from, and
float16 vectors of the packaged model. A vector is used only when the paper's current text
hashes the same; anything else is left for `paperboy embed`.

Rebuild after changing the demo data or the embedded text::

    python -m paperboy.search.demo_vectors src/paperboy/data/demo-vectors.npz
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np

from paperboy.search.embed import PACKAGED, Embedder, embed_text, refresh_related, text_hash
from paperboy.store import Store

FILE = "demo-vectors.npz"


def demo_vectors_path() -> Path:
    return Path(str(resources.files("paperboy") / "data" / FILE))


def import_demo_vectors(store: Store, model: str = PACKAGED, path: Path | None = None) -> int:
    """Save the shipped vectors of papers whose text still matches, and the related lists
    they give; returns how many vectors were saved."""
    path = path or demo_vectors_path()
    if model != PACKAGED or not path.is_file():
        return 0
    with np.load(path, allow_pickle=False) as data:
        if str(data["model"]) != model:
            return 0
        ids = [str(i) for i in data["ids"]]
        hashes = [str(h) for h in data["hashes"]]
        vectors = data["vectors"].astype(np.float32)
    known = store.vectors.vector_text_hashes(model)
    papers = store.papers.get_papers(ids)
    rows = []
    for pid, h, v in zip(ids, hashes, vectors, strict=True):
        paper = papers.get(pid)
        if paper is None or known.get(pid) == h or text_hash(embed_text(paper)) != h:
            continue
        rows.append((pid, h, v / max(float(np.linalg.norm(v)), 1e-12)))
    if rows:
        store.vectors.save_vectors(model, rows)
    refresh_related(store, model, changed=[pid for pid, _, _ in rows])
    return len(rows)


def write_demo_vectors(store: Store, path: Path, embedder: Embedder | None = None) -> int:
    """Embed every paper in ``store`` and write the shipped file (float16)."""
    embedder = embedder or Embedder(PACKAGED)
    papers = [p for batch in store.papers.iter_papers() for p in batch]
    texts = [embed_text(p) for p in papers]
    vectors = embedder.encode(texts)
    np.savez_compressed(
        path,
        model=np.array(embedder.name),
        ids=np.array([p.id for p in papers]),
        hashes=np.array([text_hash(t) for t in texts]),
        vectors=vectors.astype(np.float16),
    )
    return len(papers)


def main(argv: list[str]) -> None:  # pragma: no cover - a maintenance script
    import tempfile

    from paperboy.ingest.jobs import import_files
    from paperboy.store import open_store

    folder = resources.files("paperboy") / "data"
    files = [Path(str(folder / n)) for n in ("demo-papers.jsonl.gz", "seed-papers.json")]
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "demo.db")) as store:
        import_files(store, files)
        n = write_demo_vectors(store, Path(argv[0]))
    print(f"wrote {n} vectors to {argv[0]}")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
