"""The community web tests' app: a writable store with a few papers, and Ada signed in."""

from __future__ import annotations

import pytest

from .community_helpers import Account, papers, serve, sign_in


@pytest.fixture
def app_store(tmp_path):
    yield from serve(tmp_path / "community.db", papers())


@pytest.fixture
def ada(app_store) -> Account:
    app, store = app_store
    return sign_in(app, store, "ada@example.org")
