"""What every route needs, built once in ``create_app`` and kept on ``app.state.paperboy``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from paperboy.api.cache import Rendered, ResponseCache
from paperboy.config import Settings
from paperboy.core.papers import find_paper_or_raise
from paperboy.models.paper import Paper
from paperboy.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    cache: ResponseCache
    make_searcher: Callable[[], Any]
    _searcher: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _secret: bytes | None = None

    @property
    def secret(self) -> bytes:
        """The instance key that signs CSRF tokens (made and stored on first use)."""
        if self._secret is None:
            from paperboy.core.accounts import instance_secret

            self._secret = instance_secret(self.store, self.settings)
        return self._secret

    @property
    def searcher(self) -> Any:
        """The one ``Searcher``, built on first use (it may load a model; never per request)."""
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:
                    self._searcher = self.make_searcher()
        return self._searcher


def services(request: Request) -> Services:
    return request.app.state.paperboy


async def paper_response(
    request: Request, paper_id: str, render: Callable[[Paper], Rendered]
) -> Response:
    """A cached rendering of one paper; an unknown id is a 404 naming it."""
    svc = services(request)
    return await svc.cache.respond(
        request, lambda: render(find_paper_or_raise(svc.store, paper_id)), params=()
    )


def base_url(request: Request) -> str:
    """The origin for absolute links (feeds): ``public_url`` when set, never the ``Host``.

    Without it, the scheme, host and port as the client sent them; the response cache then
    keys on the host too, so one client's ``Host`` header never reaches another.
    """
    public = services(request).settings.values.get("public_url")
    if public:
        return public.rstrip("/")
    return str(request.base_url).rstrip("/")


def absolute_url(request: Request, path: str, params: Mapping[str, object] | None = None) -> str:
    """``base_url`` + ``path`` + the given (validated) parameters, never the raw query."""
    query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
    return base_url(request) + path + (f"?{query}" if query else "")
