"""Secrets for accounts: session and mailed tokens, their hashes, the instance key.

A token is 32 random bytes, URL-safe; the database keeps only its SHA-256, so neither a
copied database nor a log line signs anybody in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from paperboy.config import Settings
from paperboy.store import Store

SESSION_DAYS = 30
LOGIN_MINUTES = 15
SESSION_TTL = timedelta(days=SESSION_DAYS)
LOGIN_TTL = timedelta(minutes=LOGIN_MINUTES)
_SECRET_STATE = "instance_secret_key"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def instance_secret(store: Store, settings: Settings) -> bytes:
    """``PAPERBOY_SECRET_KEY``, else a key made once and kept in the database's state, so
    that every worker process signs and checks with the same key."""
    if settings.secret_key:
        return str(settings.secret_key).encode()
    return store.state.setdefault_state(_SECRET_STATE, secrets.token_hex(32)).encode()


def sign(secret: bytes, *parts: str) -> str:
    """An HMAC-SHA256 over ``parts`` (CSRF tokens, feed secrets)."""
    message = "\x1f".join(parts).encode("utf-8", "replace")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))
