"""A writable app over a tmp store with a few papers, and signed-in clients for it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.core.accounts import SESSION_TTL, new_token, sign, token_hash
from paperboy.models.community import User
from paperboy.models.paper import Paper
from paperboy.store import Store, open_store
from paperboy.web.app import create_app
from paperboy.web.session import SESSION_COOKIE

HOSTILE = "<img src=x onerror=alert(1)> Saved <script>alert(2)</script>"
NEWEST = date.today()


def paper(pid: str, day: date, upvotes: int | None = None, title: str | None = None) -> Paper:
    return Paper(
        id=pid, title=title or f"Paper {pid}", abstract="An abstract.", authors=["Ada Lovelace"],
        categories=["cs.CL"], version=1, published=day, listing_date=day, upvotes=upvotes,
        upvote_sources=["hf"] if upvotes else [],
    )  # fmt: skip


def papers() -> list[Paper]:
    old = NEWEST - timedelta(days=3)
    return [
        paper("2601.00001", NEWEST, upvotes=300),
        paper("2601.00002", NEWEST, upvotes=120),
        paper("2601.00003", NEWEST, title=HOSTILE),
        paper("2601.00004", old, upvotes=2000),
        paper("2601.00005", old),
    ]


@dataclass
class Account:
    client: TestClient
    user_id: int
    api_token: str

    def csrf(self, path: str = "/papers/2601.00001") -> str:
        page = BeautifulSoup(self.client.get(path).text, "html.parser")
        return page.select_one(".vote-form input[name=csrf_token]")["value"]


def serve(path: Path, stored: Sequence[Paper]) -> Iterator[tuple]:
    """(app, store) over a fresh store at ``path`` holding ``stored``, its lifespan running
    (the trending refresher every 50 ms) until the generator is closed."""
    store: Store = open_store(str(path))
    store.papers.upsert_papers(list(stored))
    app = create_app(load_settings({}), store, trending_every=0.05)
    with TestClient(app):  # lifespan: the refresher is closed at the end
        yield app, store
    store.close()


def signed_in(app, user: User) -> tuple[TestClient, str]:
    """A client with a server-side session cookie of ``user``, as the sign-in flow would
    leave it, and the CSRF token its forms carry."""
    store = app.state.paperboy.store
    session = new_token()
    store.users.create_session(user.id, token_hash(session), datetime.now(UTC) + SESSION_TTL)
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, session)
    return client, sign(app.state.paperboy.secret, "csrf", token_hash(session))


def sign_in(app, store, email: str) -> Account:
    """A signed-in client of the account of ``email``, with a personal API token too."""
    user, _ = store.users.get_or_create(email)
    client, _ = signed_in(app, user)
    api = new_token()
    store.users.create_api_token(user.id, "script", token_hash(api))
    return Account(client, user.id, api)
