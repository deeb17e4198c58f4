"""Fixtures for search tests: small hand-made stores, and the real model on the seed papers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paperboy.config import load_settings
from paperboy.models.paper import Paper
from paperboy.search.embed import Embedder, refresh_vectors
from paperboy.search.service import Searcher
from paperboy.store import open_store

SEED = Path(__file__).resolve().parents[2] / "src" / "paperboy" / "data" / "seed-papers.json"


def paper(pid: str, title: str, abstract: str = "", **kw) -> Paper:
    return Paper(id=pid, title=title, abstract=abstract, **kw)


PAPERS = [
    paper("2501.00001", "Attention Is All You Need Again", "We revisit transformers and attention.",
          authors=["Ada Lovelace", "Alan Turing"], categories=["cs.CL", "cs.LG"],
          listing_date=date(2025, 1, 10), upvotes=5),
    paper("2502.00002", "Graph Neural Networks for Molecules",
          "Message passing models on molecular graphs.",
          authors=["Yann LeCun"], categories=["cs.LG"], listing_date=date(2025, 2, 3), upvotes=50),
    paper("2503.00003", "World Models for Robot Planning", "Learned world models help planning.",
          authors=["Yann LeCun", "Grace Hopper"], categories=["cs.RO", "cs.AI"],
          listing_date=date(2025, 3, 1), upvotes=7),
    paper("2504.00004", "Speech Recognition with CTC", "Connectionist temporal classification "
          "aligns audio frames to characters.", authors=["Grace Hopper"], categories=["cs.CL"],
          listing_date=date(2025, 4, 2), upvotes=7),
    paper("2505.00005", "Planning with Language Models", "Language models can plan robot tasks.",
          authors=["Alan Turing"], categories=["cs.AI"], listing_date=date(2025, 5, 5)),
]  # fmt: skip


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "search.db"))
    s.papers.upsert_papers(PAPERS)
    yield s
    s.close()


@pytest.fixture
def searcher(store):
    return Searcher(store, load_settings({}))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """The 46 seed papers (query "alignment") with real vectors of the packaged model."""
    from paperboy.ingest.jobs import import_files

    s = open_store(str(tmp_path_factory.mktemp("seed") / "seed.db"))
    report = import_files(s, [SEED])
    assert report.ok and s.papers.count_papers() == 46
    refresh_vectors(s, Embedder())
    yield s
    s.close()
