"""What a signed-in person changes about themselves: display name and personal API tokens."""

from __future__ import annotations

import unicodedata

from paperboy.core.accounts import new_token, token_hash
from paperboy.core.errors import InvalidParameter
from paperboy.models.community import MAX_DISPLAY_NAME, ApiToken, User
from paperboy.store import Store

MAX_TOKEN_NAME = 80
MAX_TOKENS = 20  # live tokens per account: enough for scripts, not a table to fill


def _clean(text: str | None, field: str, limit: int) -> str | None:
    value = (text or "").strip()
    if not value:
        return None
    if len(value) > limit:
        raise InvalidParameter(f"{field}: at most {limit} characters, got {len(value)}")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise InvalidParameter(f"{field}: control characters are not allowed")
    return value


def clean_display_name(text: str | None) -> str | None:
    """A display name as stored: trimmed, at most 80 characters, no control or format
    characters (which could reorder or hide text around it); blank means none."""
    return _clean(text, "display_name", MAX_DISPLAY_NAME)


def rename(store: Store, user: User, display_name: str | None) -> None:
    store.users.set_display_name(user.id, clean_display_name(display_name))


def create_api_token(store: Store, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token and its secret, which is shown once and never stored."""
    label = _clean(name, "name", MAX_TOKEN_NAME)
    if label is None:
        raise InvalidParameter("name: give the token a name, such as 'laptop script'")
    live = [t for t in store.users.list_api_tokens(user.id) if t.revoked_at is None]
    if len(live) >= MAX_TOKENS:
        raise InvalidParameter(f"name: at most {MAX_TOKENS} tokens; revoke one first")
    secret = new_token()
    return store.users.create_api_token(user.id, label, token_hash(secret)), secret


def revoke_api_token(store: Store, user: User, token_id: int) -> bool:
    return store.users.revoke_api_token(user.id, token_id)
