"""A polite HTTP fetcher for arXiv and Hugging Face.

- at least ``delay`` seconds between requests to the same host (arXiv asks for 3 s);
- 429/503 with Retry-After (seconds or an HTTP date) wait as told, capped at ``max_wait``;
- network errors and other 5xx retry with bounded exponential backoff, ``max_retries`` times;
- then a FetchError that names the URL, the attempts and the last failure;
- redirects are followed by hand, at most ``MAX_REDIRECTS``, and only to the same origin or
  to https on an upstream host, so a hostile or hijacked upstream cannot point us at
  ``file://``, an intranet host or a cleartext URL;
- a body over ``max_bytes`` (on the wire or after gzip/brotli decoding) is refused while it
  streams, so a decompression bomb costs at most that much memory.

The clock and sleep are injected so tests run in milliseconds.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from paperboy import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"Paperboy/{__version__} (self-hosted research-paper discovery; python-httpx)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 3
MAX_BYTES = 50_000_000  # one API page or OAI-PMH page is well under 10 MB


class FetchError(RuntimeError):
    """An upstream request that failed for good; the message says what and how often."""


class Fetcher:
    def __init__(
        self,
        *,
        delay: float = 3.0,
        max_retries: int = 5,
        timeout: float = 60.0,
        max_wait: float = 600.0,
        backoff: float = 2.0,
        max_backoff: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
        upstreams: Iterable[str] = (),
        max_bytes: int = MAX_BYTES,
    ) -> None:
        """``upstreams`` are the configured base URLs; redirects may go to https on their
        hosts (and always to the origin of the URL being fetched)."""
        self.delay = delay
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.max_bytes = max_bytes
        self.upstream_hosts = frozenset(host for u in upstreams if (host := httpx.URL(u).host))
        self._last: dict[str, float] = {}
        self._client = httpx.Client(
            timeout=timeout,
            # gzip only: _read_capped inflates it in bounded steps (httpx would inflate each
            # network chunk whole, up to ~1000x its size, and brotli has no such bound here).
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
            follow_redirects=False,  # _send follows them, within limits
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        """The response (any status that is not worth retrying), or FetchError."""
        host = urlsplit(url).netloc
        last_problem = ""
        for attempt in range(self.max_retries + 1):
            self._wait_turn(host)
            started = self.clock()
            try:
                response = self._send(url, params)
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                log.warning("GET %s failed (%s), attempt %d", url, last_problem, attempt + 1)
                self._pause(self._backoff(attempt), attempt)
                continue
            finally:
                self._last[host] = self.clock()
            log.info(
                "GET %s -> %d (%.2fs)", response.url, response.status_code, self.clock() - started
            )
            if response.status_code not in RETRY_STATUS:
                return response
            last_problem = f"HTTP {response.status_code}"
            wait = self._retry_after(response)
            if wait is None:
                wait = self._backoff(attempt)
            log.warning("%s from %s (attempt %d)", last_problem, host, attempt + 1)
            self._pause(wait, attempt)
        raise FetchError(
            f"GET {url} failed after {self.max_retries + 1} attempts; last: {last_problem}"
        )

    def _send(self, url: str, params: Mapping[str, str] | None) -> httpx.Response:
        """One GET with its redirects followed by policy and its body read within the cap."""
        request = self._client.build_request("GET", url, params=params)
        origin = (request.url.scheme, request.url.netloc)
        allowed = self.upstream_hosts | {request.url.host}
        for _ in range(MAX_REDIRECTS + 1):
            response = self._client.send(request, stream=True)
            try:
                if not response.has_redirect_location:
                    return self._read_capped(response)
                target = response.next_request
            finally:
                response.close()
            if target is None:  # has_redirect_location guarantees one; keep mypy honest
                break
            same_origin = (target.url.scheme, target.url.netloc) == origin
            if not same_origin and not (
                target.url.scheme == "https" and target.url.host in allowed
            ):
                raise FetchError(
                    f"GET {url}: refused redirect to {str(target.url)[:200]} (only https on "
                    f"{', '.join(sorted(allowed))} or the same origin is followed)"
                )
            log.info("GET %s -> %d, following to %s", request.url, response.status_code, target.url)
            request = target
        raise FetchError(f"GET {url}: more than {MAX_REDIRECTS} redirects")

    def _read_capped(self, response: httpx.Response) -> httpx.Response:
        """The response with its body read, or FetchError once the body passes ``max_bytes``."""
        too_big = (
            f"GET {response.request.url}: response larger than the {self.max_bytes:,}-byte cap"
        )
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"{too_big} (Content-Length {int(length):,})")
        chunks: list[bytes] = []
        size = 0
        for chunk in _decoded(response):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{too_big} (after decompression)")
            chunks.append(chunk)
        # A fresh response over the decoded body: the encoding headers no longer apply.
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=response.request,
        )

    def _pause(self, seconds: float, attempt: int) -> None:
        if attempt < self.max_retries:  # no point waiting after the last attempt
            log.info("waiting %.1fs before retrying", seconds)
            self.sleep(seconds)

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is None:
            return
        remaining = self.delay - (self.clock() - last)
        if remaining > 0:
            self.sleep(remaining)

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, max(self.delay, 1.0) * self.backoff**attempt)

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - self.now()).total_seconds()
        return min(max(seconds, 0.0), self.max_wait)


_STEP = 1 << 20  # bytes inflated at a time


def _decoded(response: httpx.Response) -> Iterator[bytes]:
    """The body, gunzipped at most ``_STEP`` bytes at a time, so memory stays bounded."""
    if response.is_stream_consumed:  # read already by the transport (httpx.MockTransport)
        yield response.content
        return
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding not in ("gzip", "x-gzip"):
        raise FetchError(f"GET {response.request.url}: unsupported Content-Encoding {encoding!r}")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        for raw in response.iter_raw():
            data = raw
            while data and not inflater.eof:
                yield inflater.decompress(data, _STEP)
                data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise FetchError(f"GET {response.request.url}: corrupt gzip body ({exc})") from None
