"""Shared pytest fixtures. Keep them generic: other test packages add theirs here too."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from pgserver import PostgresServer
from signin_flow import Mailbox
from smtpserver import SmtpServer


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


# --- web: a demo-like database, the app in process, and a live uvicorn -------------------

HOSTILE_TITLE = "<img src=x onerror=alert(1)> Attention <script>alert(2)</script>"


def _hostile_paper(listing_date):
    from paperboy.models.paper import Paper

    return Paper(
        id="2606.99999",
        title=HOSTILE_TITLE,
        abstract=(
            "We </p><script>alert(3)</script> study $\\href{javascript:alert(4)}{click}$ and "
            "$$\\sum_{i=1}^n x_i^2$$ with <iframe src=//evil></iframe> `\"'& entities."
        ),
        authors=["<b onmouseover=alert(5)>Eve</b>", "Mallory O'Neil", "Ada Lovelace"],
        categories=["cs.LG", "cs.CR"],
        version=2,
        published=listing_date,
        updated=listing_date,
        listing_date=listing_date,
        comment="<svg onload=alert(6)>",
        code_links=["javascript:alert(7)", "https://github.com/evil/repo"],
        upvotes=999_999,
        upvote_sources=["hf"],
    )


def load_demo(path):
    """A SQLite file with the demo (papers and vectors) plus one hostile paper on the newest day."""
    from paperboy.config import load_settings
    from paperboy.demo import load_demo as load
    from paperboy.store import open_store

    store = open_store(str(path))
    loaded = load(store, load_settings({}).embed_model)
    assert loaded.report.ok and loaded.vectors > 3000
    newest = store.papers.listing_dates()[0]
    store.papers.upsert_papers([_hostile_paper(newest)])
    return store


@pytest.fixture(scope="session")
def hostile_paper(demo_store):
    """The hostile paper in ``demo_db``: markup in every text field, a javascript: link."""
    return demo_store.papers.get_paper("2606.99999")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> str:
    """Path of a read-only demo database shared by the web, API and browser tests."""
    path = tmp_path_factory.mktemp("web") / "demo.db"
    load_demo(path).close()
    return str(path)


@pytest.fixture(scope="session")
def demo_store(demo_db):
    from paperboy.store import open_store

    store = open_store(demo_db)
    yield store
    store.close()


@pytest.fixture(scope="session")
def web_app(demo_store):
    from paperboy.config import load_settings
    from paperboy.web.app import create_app

    return create_app(load_settings({}), demo_store)


@pytest.fixture(scope="session")
def client(web_app):
    """The ASGI app in process (Starlette TestClient); read-only tests only."""
    from starlette.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


class LiveServer:
    """uvicorn serving an ASGI app on a free port (port 0) in a background thread."""

    def __init__(self, app) -> None:
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = ""

    def start(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(web_app) -> Iterator[str]:
    """Base URL of the demo app served by a real uvicorn on a free port."""
    server = LiveServer(web_app).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free port, for every test that sends mail."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    """What ``smtp_server`` received, by recipient (signin_flow.Mailbox)."""
    return Mailbox(smtp_server)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL 18 with pgvector, started on first request and stopped at the end.

    ``PAPERBOY_TEST_POSTGRES_URL`` points it at an outside server instead. It never skips: a
    server that cannot start fails the tests that asked for it, with the server log.
    """
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """URL of a fresh, empty database with pgvector for this test only, dropped afterwards."""
    name = f"test_{secrets.token_hex(6)}"
    url = postgres_server.fresh_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


# --- the second backend: every store a test opens, on PostgreSQL --------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="Backend of every store the tests open by path: with 'postgres', each SQLite "
        "path a test opens becomes a fresh database on the test PostgreSQL server.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--backend") == "postgres":
        # Stated, never silent: these test SQLite itself, or a path shared with a subprocess.
        only = [i for i in items if i.get_closest_marker("sqlite_only")]
        if only:
            config.hook.pytest_deselected(items=only)
            items[:] = [i for i in items if not i.get_closest_marker("sqlite_only")]


@pytest.fixture(scope="session", autouse=True)
def _backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """With ``--backend postgres``, ``open_store("sqlite:///PATH")`` opens a PostgreSQL
    database made for that path (the same one each time the path is opened)."""
    backend = request.config.getoption("--backend")
    if backend != "postgres":
        yield backend
        return
    from paperboy.store import sqlite as sqlite_backend
    from paperboy.store.postgres import PostgresStore

    server: PostgresServer = request.getfixturevalue("postgres_server")
    databases: dict[str, str] = {}
    lock = threading.Lock()

    def redirected(path, *, migrate: str = "auto"):
        key = str(path)
        with lock:
            url = databases.get(key)
            if url is None:
                url = databases[key] = server.fresh_database(f"p_{secrets.token_hex(6)}")
        return PostgresStore(url, migrate=migrate, pool_size=4)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sqlite_backend, "SQLiteStore", redirected)
        yield backend
