"""Shared pytest fixtures. Keep them generic: other test packages add theirs here too."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Reply:
    """One canned HTTP response. ``gate`` blocks the answer until it is set."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "application/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    gate: threading.Event | None = None


@dataclass
class _Route:
    path: str
    params: dict[str, str] | None
    replies: list[Reply | Callable[[dict[str, str]], Reply]]
    served: int = 0


class ReplayServer:
    """A local HTTP server that replays canned responses; no test ever calls a real service.

    ``route(path, *replies, params=...)`` answers GETs on ``path`` whose query contains
    ``params``; replies are served in order and the last one repeats. A reply may be a
    callable taking the query dict. Every request is kept in ``requests``. ``Reply`` is
    reachable as ``replay_server.Reply`` so tests need not import conftest.
    """

    Reply = Reply

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.headers: list[dict[str, str]] = []  # request headers, in step with ``requests``
        self._lock = threading.Lock()
        self._gates: list[threading.Event] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                reply = server._pick(parts.path, query, dict(self.headers.items()))
                if reply.gate is not None:
                    reply.gate.wait(timeout=60)
                if reply.delay:
                    threading.Event().wait(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (a killed process), which some tests do

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def route(
        self,
        path: str,
        *replies: Reply | Callable[[dict[str, str]], Reply],
        params: dict[str, str] | None = None,
    ) -> None:
        for reply in replies:
            if isinstance(reply, Reply) and reply.gate is not None:
                self._gates.append(reply.gate)
        self.routes.insert(0, _Route(path, params, list(replies)))

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [q for p, q in self.requests if p == path]

    def _pick(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append((path, query))
            self.headers.append(headers)
            for route in self.routes:
                if route.path != path:
                    continue
                if route.params and any(query.get(k) != v for k, v in route.params.items()):
                    continue
                reply = route.replies[min(route.served, len(route.replies) - 1)]
                route.served += 1
                return reply(query) if callable(reply) else reply
        return Reply(404, f"no canned response for {path}?{query}", "text/plain")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        for gate in self._gates:
            gate.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    """A started ReplayServer on a free port, stopped after the test."""
    server = ReplayServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
