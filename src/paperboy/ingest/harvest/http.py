"""A polite HTTP fetcher for arXiv and Hugging Face.

- at least ``delay`` seconds between requests to the same host (arXiv asks for 3 s);
- 429/503 with Retry-After (seconds or an HTTP date) wait as told, capped at ``max_wait``;
- network errors and other 5xx retry with bounded exponential backoff, ``max_retries`` times;
- then a FetchError that names the URL, the attempts and the last failure.

The clock and sleep are injected so tests run in milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from paperboy import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"Paperboy/{__version__} (self-hosted research-paper discovery; python-httpx)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


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
    ) -> None:
        self.delay = delay
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self._last: dict[str, float] = {}
        self._client = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
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
                response = self._client.get(url, params=params)
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
