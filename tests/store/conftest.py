"""The store contract suite runs on every backend: ``store`` is parametrised by backend."""

from __future__ import annotations

from pathlib import Path

import pytest

BACKENDS = ["sqlite", "postgres"]


def open_backend(backend: str, tmp_path: Path, request: pytest.FixtureRequest):
    from paperboy.store import open_store

    if backend == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'papers.db'}")
    if backend == "postgres":
        return open_store(request.getfixturevalue("postgres_url"))
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty, migrated store of each backend."""
    s = open_backend(request.param, tmp_path, request)
    yield s
    s.close()
