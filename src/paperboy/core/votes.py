"""Upvotes, saves and the library: the use cases behind the web forms and the JSON API.

A vote is one row per account and paper (``store.votes``), so every action is idempotent
and counts stay exact under concurrency. Local votes stay apart from upvotes imported from
Hugging Face; the HF-shaped JSON shows their sum (``paperboy.api.schema``).

The library feed is opened by a random secret in its URL. Only the secret's hash is stored
(``store.feed_tokens``), one per account: rotating replaces it, so the old URL stops
working at once, and the new URL can be shown only when it is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paperboy.core.accounts import new_token, token_hash
from paperboy.core.errors import InvalidParameter, NotFound
from paperboy.core.periods import page_window
from paperboy.models.paper import Paper
from paperboy.store import Store

ACTIONS = ("vote", "unvote", "save", "unsave")


@dataclass(frozen=True)
class VoteState:
    """One paper as one account sees it after an action (the JSON answer's keys)."""

    id: str
    voted: bool
    saved: bool
    votes: int
    saves: int
    changed: bool = False

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "voted": self.voted,
            "saved": self.saved,
            "votes": self.votes,
            "saves": self.saves,
        }


def state(store: Store, user_id: int, paper_id: str) -> VoteState:
    voted, saved, votes, saves = store.votes.state(user_id, paper_id)
    return VoteState(paper_id, voted, saved, votes, saves)


def act(store: Store, user_id: int, raw_id: str, action: str) -> VoteState:
    """Vote, unvote, save or unsave; repeating an action changes nothing.

    Runs once per click, so it reads no more than it answers: the paper's id (not its row),
    then one write transaction that also reads the marks and counts it leaves."""
    if action not in ACTIONS:
        raise InvalidParameter(f"action: expected one of {', '.join(ACTIONS)}, got {action!r}")
    paper_id = store.papers.find_paper_id(raw_id)
    if paper_id is None:
        raise NotFound(f"no paper {raw_id[:100]!r}")
    changed, voted, saved, votes, saves = store.votes.apply(action, user_id, paper_id)
    return VoteState(paper_id, voted, saved, votes, saves, changed)


@dataclass
class Library:
    items: list[tuple[Paper, datetime]]  # saved paper, when it was saved
    total: int
    limit: int
    offset: int

    @property
    def papers(self) -> list[Paper]:
        return [p for p, _ in self.items]

    @property
    def page(self) -> int:
        return self.offset // self.limit

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


def library(store: Store, user_id: int, *, page: int = 0, limit: int = 50) -> Library:
    """One account's saved papers, newest save first (hidden papers left out)."""
    limit, offset = page_window(page, limit)
    saved = store.votes.library(user_id, limit, offset)
    papers = store.papers.get_papers([pid for pid, _ in saved])
    items = [(papers[pid], at) for pid, at in saved if pid in papers]
    return Library(items, store.votes.count_library(user_id), limit, offset)


def rotate_feed_secret(store: Store, user_id: int) -> str:
    """A new secret for the account's library feed; the old one stops working now."""
    secret = new_token()
    store.feed_tokens.set_feed_token(user_id, token_hash(secret))
    return secret


def feed_owner(store: Store, secret: str) -> int:
    """The account a feed secret belongs to; an unknown or rotated one is ``NotFound``."""
    user_id = store.feed_tokens.feed_user(token_hash(secret)) if secret else None
    if user_id is None:
        raise NotFound("no library feed at this address (it may have been rotated)")
    return user_id
