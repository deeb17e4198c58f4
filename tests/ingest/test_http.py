"""The polite fetcher: spacing per host, Retry-After, bounded backoff, a clear give-up."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

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
