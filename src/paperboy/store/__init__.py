"""Storage: ``open_store(url)`` picks the backend by URL scheme."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from paperboy.store.base import Store, StoreError

__all__ = ["Store", "StoreError", "open_store"]


def open_store(url: str) -> Store:
    """Open (and migrate) the database at ``url``: ``sqlite:///PATH`` or a bare file path."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        from paperboy.store.sqlite import SQLiteStore

        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not path:
            raise StoreError(f"{url}: expected sqlite:///PATH")
        return SQLiteStore(path)
    raise StoreError(f"{url}: unsupported database scheme {parsed.scheme!r} (supported: sqlite)")
