"""Test-only helpers: an app over a fresh store, and clients signed in by a session row."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.testclient import TestClient

from paperboy.core.accounts import SESSION_TTL, new_token, sign, token_hash
from paperboy.models.community import User
from paperboy.web.session import SESSION_COOKIE


def signed_in(app, user: User) -> tuple[TestClient, str]:
    """A client carrying a fresh session of ``user``, and the CSRF token its forms carry."""
    store = app.state.paperboy.store
    token = new_token()
    store.users.create_session(user.id, token_hash(token), datetime.now(UTC) + SESSION_TTL)
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, token)
    return client, sign(app.state.paperboy.secret, "csrf", token_hash(token))
