"""ASGI middlewares at the edge of the app: HEAD, trusted hosts, and the last-resort 500.

Each is a few lines of plain ASGI so that it costs nothing per request and sits exactly
where ``create_app`` puts it. Starlette's own ``ServerErrorMiddleware`` is outermost, so a
500 it writes never passes the security headers; ``InternalErrors`` answers inside them
instead, with a request id that is also the one line logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
ErrorPage = Callable[[Request, int, str], Response]


class HeadAsGet:
    """HEAD answers exactly like GET, headers included, without the body (RFC 9110 §9.3.2).

    FastAPI routes declared with ``@router.get`` do not answer HEAD on their own.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class TrustedHosts(TrustedHostMiddleware):
    """``TrustedHostMiddleware`` that lets ``/healthz`` through, for probes that use an IP."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class InternalErrors:
    """Turn an unhandled exception into a 500 page naming a request id; log one line."""

    def __init__(self, app: ASGIApp, *, page: ErrorPage) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            request_id = uuid.uuid4().hex[:16]
            log.error(
                "request %s: %s %r failed: %s: %r", request_id, scope["method"],
                scope["path"][:200], type(exc).__name__, str(exc)[:200],
            )  # fmt: skip
            log.debug("traceback of request %s", request_id, exc_info=exc)
            if started:  # the status line is gone; the server closes the connection
                raise
            response = self.page(Request(scope), 500, f"internal error; request id {request_id}")
            response.headers["X-Request-ID"] = request_id
            await response(scope, receive, send)
