"""The secret of each account's private library feed, kept as a hash, one per account.

Setting a new one replaces the old in the same statement, so a rotated secret stops
working at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod


class FeedTokenStore(ABC):
    @abstractmethod
    def set_feed_token(self, user_id: int, token_hash: str) -> None:
        """Make ``token_hash`` this account's only feed secret."""

    @abstractmethod
    def has_feed_token(self, user_id: int) -> bool: ...

    @abstractmethod
    def feed_user(self, token_hash: str) -> int | None:
        """The account whose feed this secret opens (None: unknown, rotated or banned)."""
