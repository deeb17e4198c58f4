"""What admins do: ban and unban accounts, make admins, hide and unhide papers."""

from __future__ import annotations

from paperboy.core.errors import NotFound
from paperboy.core.signin import email_or_raise
from paperboy.models.arxiv_id import parse_arxiv_id
from paperboy.models.community import User
from paperboy.store import Store


def user_or_raise(store: Store, email: str) -> User:
    address = email_or_raise(email)
    user = store.users.find_user(address)
    if user is None:
        raise NotFound(f"no account for {address}")
    return user


def set_banned(store: Store, email: str, banned: bool) -> User:
    """Ban (every session ends, its votes and saves stop counting) or unban."""
    user = user_or_raise(store, email)
    store.users.set_banned(user.id, banned)
    store.votes.recount(user.id)
    return store.users.get_user(user.id) or user


def set_admin(store: Store, email: str, admin: bool) -> User:
    user = user_or_raise(store, email)
    store.users.set_admin(user.id, admin)
    return store.users.get_user(user.id) or user


def set_paper_hidden(store: Store, raw_id: str, hidden: bool) -> str:
    """Hide a paper from every list, feed, search and page (or show it again); the id as
    stored. Accepts any arXiv form (``arXiv:2401.01234v2``, an abs URL) or an id as stored."""
    candidates = [raw_id.strip()]
    try:
        candidates.insert(0, parse_arxiv_id(raw_id.strip()).id)
    except ValueError:
        pass
    for paper_id in candidates:
        if store.papers.set_hidden(paper_id, hidden):
            return paper_id
    raise NotFound(f"no paper {raw_id[:100]!r}")
