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


@pytest.fixture
def picks_window() -> None:
    """The daily pages' cache key moves every PICKS_FRESH seconds (the picks ranking may lag
    votes that long): a test that expects one entry starts at least 5 s before a move."""
    import time

    from paperboy.web.pages import PICKS_FRESH

    left = PICKS_FRESH - time.time() % PICKS_FRESH
    if left < 5.0:
        time.sleep(left + 0.05)
