"""Storage: ``open_store(url)`` picks the backend by URL scheme."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from paperboy.store.base import SchemaBehind, Store, StoreError

__all__ = ["SchemaBehind", "Store", "StoreError", "open_store"]


def open_store(url: str, *, migrate: str = "auto") -> Store:
    """Open the database at ``url`` (``sqlite:///PATH`` or a bare file path).

    ``migrate`` is ``auto`` (a new database migrates itself, one that is behind is refused
    with a message naming ``paperboy migrate``), ``apply`` or ``check``.
    """
    if "://" not in url:
        url = f"sqlite:///{url}"
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        from paperboy.store.sqlite import SQLiteStore

        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not path:
            raise StoreError(f"{url}: expected sqlite:///PATH")
        return SQLiteStore(path, migrate=migrate)
    raise StoreError(f"{url}: unsupported database scheme {parsed.scheme!r} (supported: sqlite)")
