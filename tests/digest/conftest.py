"""Digest tests: a store of each backend with papers over a few listing days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paperboy.models.paper import Paper
from store.conftest import BACKENDS, open_backend

DAY = date(2026, 11, 27)  # a Friday: the newest listing day
BEFORE = date(2026, 11, 26)


def paper(
    pid: str,
    title: str,
    *,
    day: date = DAY,
    cats: tuple[str, ...] = ("cs.LG",),
    authors: tuple[str, ...] = ("Grace Hopper",),
    abstract: str = "",
) -> Paper:
    return Paper(
        id=pid,
        title=title,
        abstract=abstract or f"We study {title.lower()} in depth.",
        authors=list(authors),
        categories=list(cats),
        published=day,
        listing_date=day,
    )


PAPERS = [
    paper("2611.00001", "Speech recognition with tiny transformers", cats=("cs.CL", "eess.AS")),
    paper("2611.00002", "Diffusion models for protein design", cats=("cs.LG", "q-bio.BM")),
    paper("2611.00003", "Robust speech recognition in noisy rooms", cats=("cs.SD",)),
    paper("2611.00004", "Graph neural networks for traffic", authors=("Ada Lovelace", "Bo Li")),
    paper("2611.00005", "A survey of diffusion samplers", cats=("stat.ML",)),
    paper("2611.00006", "Old speech recognition results", day=BEFORE, cats=("cs.CL",)),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path):
    s = open_backend(request.param, tmp_path, request)
    s.papers.upsert_papers(PAPERS)
    yield s
    s.close()
