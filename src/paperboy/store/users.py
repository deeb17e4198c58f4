"""Accounts, server-side sessions, single-use mailed tokens and personal API tokens.

Secrets never reach the database: sessions and tokens are stored as SHA-256 hashes of what
the browser or the mail holds, so a copied table signs nobody in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from paperboy.models.community import ApiToken, User


class UserStore(ABC):
    @abstractmethod
    def get_or_create(self, email: str, display_name: str | None = None) -> tuple[User, bool]:
        """The account of a normalised ``email``, made on first use; (user, created).
        Safe under concurrency: two first sign-ins make one account."""

    @abstractmethod
    def get_user(self, user_id: int) -> User | None: ...

    @abstractmethod
    def find_user(self, email: str) -> User | None: ...

    @abstractmethod
    def list_users(self, limit: int = 100, offset: int = 0) -> list[User]: ...

    @abstractmethod
    def count_users(self) -> int: ...

    @abstractmethod
    def set_display_name(self, user_id: int, name: str | None) -> None: ...

    @abstractmethod
    def set_admin(self, user_id: int, admin: bool) -> None: ...

    @abstractmethod
    def set_banned(self, user_id: int, banned: bool) -> None:
        """Ban (ending every session) or unban; vote and save counts follow (VoteStore)."""

    # --- sessions -----------------------------------------------------------------------
    @abstractmethod
    def create_session(self, user_id: int, token_hash: str, expires_at: datetime) -> None: ...

    @abstractmethod
    def session_user(self, token_hash: str, now: datetime) -> User | None:
        """The signed-in account, or None: unknown, expired or banned all mean signed out."""

    @abstractmethod
    def end_session(self, token_hash: str) -> None: ...

    @abstractmethod
    def end_sessions(self, user_id: int) -> int: ...

    # --- single-use tokens (sign-in links, confirmations) -------------------------------
    @abstractmethod
    def add_token(self, token_hash: str, purpose: str, subject: str, expires_at: datetime) -> None:
        """Remember a mailed token; its secret travels only in the mail."""

    @abstractmethod
    def use_token(self, token_hash: str, purpose: str, now: datetime) -> str | None:
        """Spend a token once: its subject, or None when unknown, used or expired. Two
        concurrent uses of one token: exactly one gets the subject."""

    @abstractmethod
    def token_state(self, token_hash: str, purpose: str, now: datetime) -> str:
        """``valid``, ``used``, ``expired`` or ``unknown``, for a clear page (spends nothing)."""

    # --- personal API tokens ------------------------------------------------------------
    @abstractmethod
    def create_api_token(self, user_id: int, name: str, token_hash: str) -> ApiToken: ...

    @abstractmethod
    def list_api_tokens(self, user_id: int) -> list[ApiToken]: ...

    @abstractmethod
    def revoke_api_token(self, user_id: int, token_id: int) -> bool: ...

    @abstractmethod
    def api_token_user(self, token_hash: str) -> User | None:
        """The account behind a bearer token that is neither revoked nor banned."""
