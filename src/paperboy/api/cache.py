"""A small in-process cache of rendered responses (pages, JSON, Atom, BibTeX).

Keys are the path, the route's validated parameters (never the raw query string, so junk
parameters cannot mint entries), the host when no public URL is configured (absolute links
in feeds follow it), and the store's ``content_version()``. That token
changes whenever any connection commits to the database (our own writer, or a
``paperboy import`` in another process), so an import invalidates every entry at once: the
next request carries a new version, misses, and renders from fresh data, and old entries
age out of the LRU. Nothing is ever served from before the latest commit that the
request's own version check saw. The check itself is one ``PRAGMA`` on the event-loop
thread (microseconds), so a hit never leaves the event loop.

Concurrent misses on one key share a single render (single flight), so a burst of requests
for a page that just expired costs one query, not one per connection.

Vote and save counts are not part of a cached body: renders leave holes for them, filled at
response time from one indexed query (``paperboy.api.holes``), so a vote shows on the next
request while the entry stays. Trending pages key on the trending table's version too.

Only successful responses are cached; errors are cheap to recompute and must not stick.
Nor is a render marked ``cacheable=False``: a search answered by keywords only because the
query encoder was busy (``uncacheable``), whose busy moment must not outlive itself.
The LRU is bounded by entry count and by total body bytes, and a body over the per-entry
cap is served but never kept, so no mix of requests can grow memory without bound.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import quote

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from paperboy.api.holes import Filler, Holes, Live
from paperboy.api.pressure import Pressure
from paperboy.store import Store


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()
    counts: tuple[str, ...] = ()  # papers whose live counts fill the body's holes (``Holes.ids``)
    cacheable: bool = True  # False: served to this request (and its single-flight peers) only


T = TypeVar("T")

# On a search answered by keywords only because the query encoder was busy (benches count it).
DEGRADED_HEADER = "X-Paperboy-Degraded"


def uncacheable(rendered: Rendered, degraded: bool) -> Rendered:
    """``rendered`` as it is, or, for a ``degraded`` search, marked never to be cached and
    labelled with ``DEGRADED_HEADER``."""
    if not degraded:
        return rendered
    headers = (*rendered.headers, (DEGRADED_HEADER, "search-busy"))
    return replace(rendered, cacheable=False, headers=headers)


LiveSource = Callable[[Request, tuple[str, ...]], Live]


def here(request: Request) -> str:
    """This request's own path and query, for a form's ``next`` field."""
    path = quote(request.url.path, safe="/:@!$&'()*+,;=-._~%")
    query = request.url.query
    return path + (f"?{query}" if query else "")


MAX_BYTES = 64 * 1024 * 1024  # all cached bodies together
MAX_BODY = 1024 * 1024  # one body; bigger ones are rendered each time


PERSONAL_COOKIES = ("pb_session",)


def personal(request: Request) -> bool:
    """Whether the request carries credentials, so its answer may be one person's own."""
    if "authorization" in request.headers:
        return True
    return any(name in request.cookies for name in PERSONAL_COOKIES)


class ResponseCache:
    """LRU of ``Rendered`` bodies, bounded by entries and by total body bytes.

    ``vary_host`` puts the request's scheme and host in the key: needed when absolute links
    are built from the request (no public URL configured), so one client's ``Host`` header
    can never be served to another.
    """

    def __init__(
        self,
        store: Store,
        max_entries: int = 2048,
        *,
        max_bytes: int = MAX_BYTES,
        max_body: int = MAX_BODY,
        vary_host: bool = True,
        live: LiveSource | None = None,
    ) -> None:
        self.store = store
        self.filler = Filler()
        self.pressure = Pressure()  # how long renders wait for a thread (search sheds by it)
        # Anonymous visitors see counts only; the web app adds a signed-in visitor's marks.
        self.live: LiveSource = live or self.counts_only
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_body = min(max_body, max_bytes)
        self.vary_host = vary_host
        self.bytes = 0
        self._entries: OrderedDict[tuple, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[tuple, asyncio.Future[Rendered]] = {}
        self.hits = 0
        self.misses = 0
        self.generation = 0  # in every key: ``invalidate`` retires all entries at once

    def holes(self) -> Holes:
        """A fresh marker collector for one render (``Rendered(..., counts=holes.ids)``)."""
        return self.filler.holes()

    def counts_only(self, request: Request, ids: tuple[str, ...]) -> Live:
        return Live(counts=self.store.votes.counts(ids), here=here(request))

    def fill(self, request: Request, rendered: Rendered) -> bytes:
        """The body with its holes filled for this request (one counts query)."""
        if not rendered.counts and self.filler.nonce.encode() not in rendered.body:
            return rendered.body
        return self.filler.fill(rendered.body, rendered.counts, self.live(request, rendered.counts))

    def _get(self, key: tuple) -> Rendered | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return found

    def invalidate(self) -> None:
        """Forget every entry, including renders still in flight (their key is retired):
        for answers that change without a write, such as search once the model is loaded."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _put(self, key: tuple, value: Rendered) -> None:
        size = len(value.body)
        if size > self.max_body or not value.cacheable:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= len(old.body)
            self._entries[key] = value
            self.bytes += size
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= len(dropped.body)

    async def respond(
        self, request: Request, render: Callable[[], Rendered], *, params: tuple
    ) -> Response:
        """The cached response for this path, parameters and data version; render on a miss.

        ``params`` are the route's parsed, clamped query parameters (``()`` for a route that
        takes none): two URLs that differ only in unknown parameters share one entry.
        ``render`` runs on a worker thread (it queries the store); errors it raises
        propagate to the app's handlers and are not cached.
        """
        if personal(request):
            # A signed-in page may show that person's votes, saves or name: rendered for
            # them alone, never stored, never served to anybody else.

            def render_own() -> tuple[Rendered, bytes]:
                own = render()
                return own, self.fill(request, own)

            own, body = await self._on_thread(render_own)
            private = {"Cache-Control": "private, no-store", **dict(own.headers)}
            return Response(body, media_type=own.media_type, headers=private)
        version = self.store.content_version()
        host = f"{request.url.scheme}://{request.url.netloc}" if self.vary_host else ""
        key = (request.url.path, params, host, version, self.generation)
        rendered = self._get(key)
        if rendered is None:
            rendered = await self._render_once(key, render)
        body = self.fill(request, rendered)
        # With holes filled, the tag must follow the live values, not only the key.
        tag = body if body is not rendered.body else repr(key).encode()
        etag = '"' + hashlib.blake2b(tag, digest_size=8).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", **dict(rendered.headers)}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=rendered.media_type, headers=headers)

    async def _on_thread(self, work: Callable[[], T]) -> T:
        """``work()`` on a render thread, noting how long it waited for one."""
        queued = time.monotonic()

        def timed() -> T:
            self.pressure.observe(time.monotonic() - queued)
            return work()

        return await to_thread.run_sync(timed)

    async def _render_once(self, key: tuple, render: Callable[[], Rendered]) -> Rendered:
        """Render on a worker thread; callers arriving meanwhile await the same result."""
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Rendered] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            rendered = await self._on_thread(render)
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
