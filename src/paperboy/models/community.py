"""People and what they do to papers: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_EMAIL = 254  # RFC 5321's limit on a forward path
MAX_DISPLAY_NAME = 80


@dataclass(frozen=True)
class User:
    id: int
    email: str
    display_name: str | None
    created_at: datetime
    is_admin: bool = False
    banned_at: datetime | None = None

    @property
    def banned(self) -> bool:
        return self.banned_at is not None

    @property
    def name(self) -> str:
        """What pages show: the display name, else the address's local part."""
        return self.display_name or self.email.split("@", 1)[0]


@dataclass(frozen=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class PaperCounts:
    """Local votes and saves of accounts in good standing (imported upvotes stay apart)."""

    votes: int = 0
    saves: int = 0


def normalise_email(text: str) -> str:
    """The one form an address is stored and looked up in; raises ValueError when unusable."""
    email = text.strip().lower()
    local, _, domain = email.partition("@")
    if (
        not local
        or "." not in domain
        or len(email) > MAX_EMAIL
        or any(c.isspace() or not c.isprintable() for c in email)
        or domain.startswith(".")
        or domain.endswith(".")
    ):
        raise ValueError("enter an email address such as ada@example.org")
    return email
