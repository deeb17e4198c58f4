"""Storage: ``open_store(url)`` picks the backend by URL scheme."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from paperboy.store.base import SchemaBehind, Store, StoreError

__all__ = ["SchemaBehind", "Store", "StoreError", "open_store"]


def open_store(url: str, *, migrate: str = "auto") -> Store:
    """Open the database at ``url``: ``sqlite:///PATH``, a bare file path, or
    ``postgresql://user:pass@host:port/db``.

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
    if parsed.scheme in ("postgresql", "postgres"):
        try:
            from paperboy.store.postgres import PostgresStore
        except ImportError as exc:
            raise StoreError(
                f"PostgreSQL needs the postgres extra: pip install 'paperboy[postgres]' ({exc})"
            ) from None
        return PostgresStore(url, migrate=migrate)
    raise StoreError(
        f"{parsed.scheme}://…: unsupported database scheme {parsed.scheme!r}"
        " (supported: sqlite, postgresql)"
    )
