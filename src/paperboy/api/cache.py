"""A small in-process cache of rendered responses (pages, JSON, Atom, BibTeX).

Keys are the route, the raw query string and the store's ``data_version()``. That token
changes whenever any connection commits to the database (our own writer, or a
``paperboy import`` in another process), so an import invalidates every entry at once: the
next request carries a new version, misses, and renders from fresh data, and old entries
age out of the LRU. Nothing is ever served from before the latest commit that the
request's own version check saw. The check itself is one ``PRAGMA`` on the event-loop
thread (microseconds), so a hit never leaves the event loop.

Concurrent misses on one key share a single render (single flight), so a burst of requests
for a page that just expired costs one query, not one per connection.

Only successful responses are cached; errors are cheap to recompute and must not stick.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from paperboy.store import Store


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()


class ResponseCache:
    """LRU of ``Rendered`` bodies; ``max_entries`` bounds memory (bodies are a few kB)."""

    def __init__(self, store: Store, max_entries: int = 2048) -> None:
        self.store = store
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[tuple, asyncio.Future[Rendered]] = {}
        self.hits = 0
        self.misses = 0

    def _get(self, key: tuple) -> Rendered | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return found

    def _put(self, key: tuple, value: Rendered) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    async def respond(self, request: Request, render: Callable[[], Rendered]) -> Response:
        """The cached response for this URL and data version, rendering on a miss.

        ``render`` runs on a worker thread (it queries the store); errors it raises
        propagate to the app's handlers and are not cached.
        """
        version = self.store.content_version()
        key = (request.url.path, request.url.query, version)
        rendered = self._get(key)
        if rendered is None:
            rendered = await self._render_once(key, render)
        etag = '"' + hashlib.blake2b(repr(key).encode(), digest_size=8).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", **dict(rendered.headers)}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(rendered.body, media_type=rendered.media_type, headers=headers)

    async def _render_once(self, key: tuple, render: Callable[[], Rendered]) -> Rendered:
        """Render on a worker thread; callers arriving meanwhile await the same result."""
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Rendered] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            rendered = await to_thread.run_sync(render)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        else:
            future.set_result(rendered)
            self._put(key, rendered)
            return rendered
        finally:
            del self._inflight[key]
