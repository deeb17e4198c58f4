"""Vectors are computed only for new or changed papers, documents and passages alike."""

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np

from paperboy.search.embed import Embedder, passages, refresh_vectors, sentences, stale_papers

from .conftest import PAPERS, paper


@dataclass
class CountingEmbedder(Embedder):
    """Deterministic vectors from a hash of the text; records every text it is asked for."""

    seen: list[str] = field(default_factory=list)

    @property
    def dim(self) -> int:
        return 8

    def encode(self, texts, progress=None):
        self.seen.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], np.uint8) for t in texts]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), 8) + 1
        return out / np.linalg.norm(out, axis=1, keepdims=True)


LONG = paper("2506.00006", "Long abstracts", "First sentence here. Second one follows. "
             "Third adds detail. Fourth concludes it.")  # fmt: skip


def all_vectors(store, model: str) -> tuple[list[str], np.ndarray]:
    rows = [row for batch in store.vectors.iter_vectors(model) for row in batch]
    if not rows:
        return [], np.zeros((0, 0), np.float32)
    return [r[0] for r in rows], np.stack([r[2] for r in rows])


def test_sentence_windows():
    got = sentences("One. Two three. 3 four! e.g. five")
    assert got == ["One.", "Two three.", "3 four! e.g. five"]
    assert len(passages(LONG)) == 3 and passages(LONG)[0].startswith("Long abstracts\n")
    assert passages(PAPERS[0]) == []  # one sentence: the document vector covers it


def test_only_new_and_changed_papers_are_embedded(store):
    store.papers.upsert_papers([LONG])
    e = CountingEmbedder("counting")
    first = refresh_vectors(store, e)
    assert first.embedded == 6 and first.current == 0 and first.passages == 3
    assert len(e.seen) == 6 + 3
    ids, matrix = all_vectors(store, "counting")
    assert sorted(ids) == sorted(p.id for p in [*PAPERS, LONG]) and matrix.shape == (6, 8)
    assert store.vectors.get_passage_vectors("counting", [LONG.id])[LONG.id].shape == (3, 8)

    e.seen.clear()
    again = refresh_vectors(store, e)
    assert again.embedded == 0 and again.current == 6 and e.seen == []

    changed = replace(PAPERS[1], abstract="A new abstract. It has two sentences. Even three.")
    upvoted = replace(PAPERS[2], upvotes=99)  # not part of the embedded text
    store.papers.upsert_papers([changed, upvoted, paper("2507.00007", "Brand new paper")])
    assert len(stale_papers(store, "counting")) == 2
    third = refresh_vectors(store, e)
    assert third.embedded == 2 and third.current == 5 and third.passages == 2
    assert sorted(t.split("\n")[0] for t in e.seen) == sorted(
        ["Brand new paper"] + ["Graph Neural Networks for Molecules"] * 3
    )


def test_demo_vectors_are_used_only_where_the_text_matches(store, tmp_path):
    from paperboy.search.demo_vectors import import_demo_vectors, write_demo_vectors

    e = CountingEmbedder("all-MiniLM-L6-v2")  # the packaged model's name: demo vectors apply
    path = tmp_path / "demo-vectors.npz"
    assert write_demo_vectors(store, path, e) == 5
    store.papers.upsert_papers(
        [replace(PAPERS[0], abstract="Changed since the vectors were made.")]
    )
    assert import_demo_vectors(store, "all-MiniLM-L6-v2", path) == 4
    assert PAPERS[0].id not in store.vectors.vector_text_hashes("all-MiniLM-L6-v2")
    assert import_demo_vectors(store, "all-MiniLM-L6-v2", path) == 0  # already there
    assert import_demo_vectors(store, "some/other-model", path) == 0
    stale = stale_papers(store, "all-MiniLM-L6-v2", with_passages=False)
    assert [p.id for p, _ in stale.documents] == [PAPERS[0].id]


def test_shipped_demo_vectors_cover_the_demo_papers(tmp_path):
    from paperboy.ingest.jobs import import_files
    from paperboy.search.demo_vectors import demo_vectors_path, import_demo_vectors
    from paperboy.store import open_store

    folder = demo_vectors_path().parent
    with open_store(str(tmp_path / "demo.db")) as s:
        import_files(s, [folder / "demo-papers.jsonl.gz", folder / "seed-papers.json"])
        assert import_demo_vectors(s) == s.papers.count_papers()
        ids, matrix = all_vectors(s, "all-MiniLM-L6-v2")
        assert matrix.shape == (len(ids), 384)
        assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)
