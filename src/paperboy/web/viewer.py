"""Who the site header names: "Sign in", or the person's name with a sign-out button.

Templates render on worker threads from many routes, most of which know nothing about
accounts, so the header asks ``viewer()`` (a Jinja global) instead of every route passing
the person in. ``RememberRequest`` puts the request's ASGI scope in a context variable,
which anyio copies into the render thread. ``viewer()`` answers only for requests that
carry credentials: those are rendered for that person alone and never cached (see
``api.cache.personal``), while an anonymous render, which the cache shares, always says
"Sign in".
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from paperboy.api.cache import personal

# A key, not state: each request's value lives in its own context (and render thread).
_SCOPE: ContextVar[Scope | None] = ContextVar("paperboy_request_scope", default=None)


@dataclass(frozen=True)
class HeaderAccount:
    name: str
    csrf: str  # for the sign-out form in the header
    is_admin: bool = False


class RememberRequest:
    """Plain ASGI middleware: the current request's scope, for ``viewer()``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _SCOPE.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            _SCOPE.reset(token)


def viewer() -> HeaderAccount | None:
    """The signed-in person of the request being rendered, or None (anonymous, a forged or
    ended session, a bearer script, or a render outside a request)."""
    from paperboy.web.session import csrf_token, visitor

    scope = _SCOPE.get()
    if scope is None or "app" not in scope:
        return None
    request = Request(scope)
    if not personal(request):
        return None
    found = visitor(request)
    if found.user is None or found.via_token or not found.session_hash:
        return None
    return HeaderAccount(found.user.name, csrf_token(request), found.user.is_admin)
