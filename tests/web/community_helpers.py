"""A writable app over a tmp store with a few papers, and signed-in clients for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from paperboy.core.accounts import new_token, token_hash
from paperboy.models.paper import Paper

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


def sign_in(app, store, email: str) -> Account:
    """A client with a server-side session cookie, as the sign-in flow would leave it."""
    user, _ = store.users.get_or_create(email)
    session = new_token()
    store.users.create_session(user.id, token_hash(session), datetime.now(UTC) + timedelta(days=1))
    api = new_token()
    store.users.create_api_token(user.id, "script", token_hash(api))
    client = TestClient(app, follow_redirects=False)
    client.cookies.set("pb_session", session)
    return Account(client, user.id, api)
