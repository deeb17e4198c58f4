"""The polite fetcher: spacing per host, Retry-After, bounded backoff, a clear give-up."""

from __future__ import annotations

import gzip
import socket
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from paperboy.ingest.harvest.http import USER_AGENT, Fetcher, FetchError


class FakeTime:
    """A clock that only moves when the fetcher sleeps; records every sleep."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.t += seconds


def fetcher(fake: FakeTime, **kw) -> Fetcher:
    kw.setdefault("delay", 3.0)
    kw.setdefault("max_retries", 3)
    return Fetcher(clock=fake.clock, sleep=fake.sleep, **kw)


def test_requests_to_one_host_are_spaced_and_name_paperboy(replay_server):
    Reply = replay_server.Reply
    replay_server.route("/a", Reply(body="ok"))
    fake = FakeTime()
    with fetcher(fake) as f:
        for _ in range(3):
            assert f.get(replay_server.url + "/a").text == "ok"
    assert fake.sleeps == [3.0, 3.0]  # none before the first request
    assert all(h["User-Agent"] == USER_AGENT for h in replay_server.headers)
    assert USER_AGENT.startswith("Paperboy/")


def test_503_with_retry_after_seconds_waits_as_told(replay_server):
    Reply = replay_server.Reply
    replay_server.route(
        "/oai", Reply(503, "busy", headers={"Retry-After": "7"}), Reply(200, "<ok/>")
    )
    fake = FakeTime()
    with fetcher(fake, delay=0) as f:
        assert f.get(replay_server.url + "/oai", {"verb": "ListRecords"}).status_code == 200
    assert fake.sleeps == [7.0]
    assert len(replay_server.requests_to("/oai")) == 2


def test_429_with_an_http_date_and_a_cap(replay_server):
    Reply = replay_server.Reply
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=20), usegmt=True)
    far = format_datetime(now + timedelta(days=2), usegmt=True)
    replay_server.route(
        "/x",
        Reply(429, headers={"Retry-After": later}),
        Reply(429, headers={"Retry-After": far}),
        Reply(200, "fine"),
    )
    fake = FakeTime()
    with fetcher(fake, delay=0, max_wait=60, now=lambda: now) as f:
        assert f.get(replay_server.url + "/x").text == "fine"
    assert fake.sleeps == [20.0, 60.0]


def test_5xx_backs_off_exponentially_then_gives_up_clearly(replay_server):
    Reply = replay_server.Reply
    replay_server.route("/down", Reply(502, "bad gateway"))
    fake = FakeTime()
    with (
        fetcher(fake, delay=1, max_retries=3, max_backoff=3) as f,
        pytest.raises(FetchError) as exc,
    ):
        f.get(replay_server.url + "/down")
    assert len(replay_server.requests_to("/down")) == 4
    assert fake.sleeps == [1.0, 2.0, 3.0]  # bounded by max_backoff, none after the last try
    assert "/down failed after 4 attempts; last: HTTP 502" in str(exc.value)


def test_4xx_is_returned_not_retried(replay_server):
    Reply = replay_server.Reply
    replay_server.route("/missing", Reply(400, "bad"))
    with fetcher(FakeTime(), delay=0) as f:
        assert f.get(replay_server.url + "/missing").status_code == 400
    assert len(replay_server.requests_to("/missing")) == 1


def test_network_errors_are_retried_then_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the fetch: nothing listens there
    fake = FakeTime()
    with fetcher(fake, delay=0, max_retries=2) as f, pytest.raises(FetchError) as exc:
        f.get(f"http://127.0.0.1:{port}/")
    assert "after 3 attempts" in str(exc.value) and "ConnectError" in str(exc.value)
    assert len(fake.sleeps) == 2


# --- issue 7 L4: redirects and size caps ------------------------------------------------


def test_same_origin_redirects_are_followed(replay_server):
    Reply = replay_server.Reply
    replay_server.route("/old", Reply(status=302, headers={"Location": "/new"}))
    replay_server.route("/new", Reply(body="moved"))
    with Fetcher(delay=0, max_retries=0) as f:
        response = f.get(replay_server.url + "/old")
    assert (response.status_code, response.text) == (200, "moved")


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/other-host",  # same port, another host, and cleartext
        "https://evil.example/x",  # https, but not an upstream host
        "file:///etc/passwd",
        "ftp://127.0.0.1/pub/x",
    ],
)
def test_redirects_elsewhere_are_refused(replay_server, location):
    port = replay_server.url.rsplit(":", 1)[1]
    replay_server.route(
        "/start", replay_server.Reply(status=302, headers={"Location": location.format(port=port)})
    )
    with (
        Fetcher(delay=0, max_retries=2, upstreams=["https://export.arxiv.org/api/query"]) as f,
        pytest.raises(FetchError, match=r"refused redirect to .* \(only https on"),
    ):
        f.get(replay_server.url + "/start")
    assert len(replay_server.requests_to("/start")) == 1  # a policy refusal is not retried
    assert replay_server.requests_to("/other-host") == []


def _hops(request: httpx.Request) -> httpx.Response:
    if request.url.host == "api.example":
        return httpx.Response(301, headers={"Location": "https://mirror.example/page"})
    return httpx.Response(200, text=f"served by {request.url.host}")


def test_https_redirect_to_an_upstream_host_is_followed():
    transport = httpx.MockTransport(_hops)
    upstreams = ["https://api.example/api", "https://mirror.example"]
    with Fetcher(delay=0, max_retries=0, transport=transport, upstreams=upstreams) as f:
        assert f.get("https://api.example/api").text == "served by mirror.example"
    with (
        Fetcher(delay=0, max_retries=0, transport=transport) as f,
        pytest.raises(FetchError, match="refused redirect to https://mirror.example/page"),
    ):
        f.get("https://api.example/api")


def test_redirect_loops_stop_after_three(replay_server):
    replay_server.route("/loop", replay_server.Reply(status=302, headers={"Location": "/loop"}))
    with (
        Fetcher(delay=0, max_retries=0) as f,
        pytest.raises(FetchError, match="more than 3 redirects"),
    ):
        f.get(replay_server.url + "/loop")
    assert len(replay_server.requests_to("/loop")) == 4


def test_oversized_response_is_refused(replay_server):
    replay_server.route("/big", replay_server.Reply(body=b"x" * 2_000))
    with (
        Fetcher(delay=0, max_retries=0, max_bytes=1_000) as f,
        pytest.raises(FetchError, match=r"/big: response larger than the 1,000-byte cap"),
    ):
        f.get(replay_server.url + "/big")


def test_gzip_bomb_is_refused_while_decompressing(replay_server):
    bomb = gzip.compress(b"\0" * 20_000_000)  # ~20 KB on the wire
    replay_server.route(
        "/bomb", replay_server.Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    )
    tracemalloc.start()
    try:
        with (
            Fetcher(delay=0, max_retries=0, max_bytes=1_000_000) as f,
            pytest.raises(FetchError, match=r"1,000,000-byte cap \(after decompression\)"),
        ):
            f.get(replay_server.url + "/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_compressed_bodies_under_the_cap_arrive_decoded(replay_server):
    body = gzip.compress(b'{"ok": true}')
    replay_server.route(
        "/gz",
        replay_server.Reply(
            body=body, content_type="application/json", headers={"Content-Encoding": "gzip"}
        ),
    )
    with Fetcher(delay=0, max_retries=0) as f:
        response = f.get(replay_server.url + "/gz")
    assert response.json() == {"ok": True}
    assert response.headers["Content-Type"] == "application/json"
