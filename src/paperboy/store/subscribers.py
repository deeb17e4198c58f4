"""Digest subscribers: addresses, their status and preferences (one row per address)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime

from paperboy.models.subscription import Preferences, Subscriber


class SubscriberStore(ABC):
    @abstractmethod
    def add(
        self,
        email: str,
        prefs: Preferences,
        status: str,
        now: datetime,
        user_id: int | None = None,
    ) -> tuple[Subscriber, bool]:
        """Subscribe a normalised ``email``; (subscriber, created). Safe under concurrency.

        An existing address keeps its row: a confirmed or suspended one is left as it is
        (a stranger cannot change someone's preferences by subscribing them again); a pending
        or unsubscribed one takes the new preferences and ``status``."""

    @abstractmethod
    def get(self, subscriber_id: int) -> Subscriber | None: ...

    @abstractmethod
    def find(self, email: str) -> Subscriber | None: ...

    @abstractmethod
    def for_user(self, user_id: int) -> Subscriber | None:
        """The subscription of an account (linked by id, or at the account's address)."""

    @abstractmethod
    def set_status(self, subscriber_id: int, status: str, now: datetime) -> bool:
        """Move to ``status``; True if it changed. Confirming stamps ``confirmed_at`` and
        clears the failure count."""

    @abstractmethod
    def set_preferences(self, subscriber_id: int, prefs: Preferences) -> Subscriber | None: ...

    @abstractmethod
    def link_user(self, subscriber_id: int, user_id: int | None) -> None: ...

    @abstractmethod
    def record_failure(self, subscriber_id: int, now: datetime, suspend_after: int) -> int:
        """Count one permanent delivery failure; at ``suspend_after`` in a row the address is
        suspended. Returns the count."""

    @abstractmethod
    def clear_failures(self, subscriber_id: int) -> None: ...

    @abstractmethod
    def remove(self, subscriber_id: int) -> bool:
        """Forget the address and everything about it (its deliveries go too)."""

    @abstractmethod
    def list(
        self, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Subscriber]: ...

    @abstractmethod
    def count(self, status: str | None = None) -> int: ...

    @abstractmethod
    def iter_confirmed(self, batch: int = 1000) -> Iterator[Subscriber]:
        """Every confirmed subscriber, by id, fetched in batches (digest runs)."""
