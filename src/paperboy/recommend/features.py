"""Lexical features: tf-idf over a paper's title and abstract (never its author names).

Fitted afresh on each ranking's own texts (the reader's papers and the candidates, a few
thousand at most), so there is no corpus-wide vocabulary to build, store or keep in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

# Words only (no digits-first tokens), like arxiv-sanity-lite; 1-2 grams; sublinear tf.
TOKENS = r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"


def paper_text(title: str, abstract: str, categories: Sequence[str] = ()) -> str:
    """What the model reads of a paper: title, abstract and category codes as words
    (``cat_cs_cl``). Author names stay out: a reader's picks should follow topics."""
    cats = " ".join("cat_" + c.lower().replace(".", "_").replace("-", "_") for c in categories)
    return f"{title}\n{abstract}\n{cats}".strip()


def tfidf(texts: Sequence[str], *, bigrams: bool = True, max_df: float = 0.5) -> csr_matrix:
    """L2-normalised tf-idf rows of ``texts`` (rare terms kept: the corpus is small)."""
    # Imported here: importing scikit-learn sets KMP_* variables, and no module changes the
    # environment when imported (tests/core/test_layers.py).
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        stop_words="english",
        token_pattern=TOKENS,
        ngram_range=(1, 2) if bigrams else (1, 1),
        sublinear_tf=True,
        max_df=max_df if len(texts) >= 20 else 1.0,
        min_df=1,
        dtype=np.float64,
    )
    try:
        return csr_matrix(vectoriser.fit_transform(texts))
    except ValueError:  # only stop words or no words at all: no lexical signal
        return csr_matrix((len(texts), 1))
