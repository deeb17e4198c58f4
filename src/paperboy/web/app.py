"""``create_app(settings, store)``: the one ASGI app serving pages, JSON API, feeds and files.

Wiring only: routers from ``paperboy.api`` and ``paperboy.web.pages``, the static files,
security headers, error handlers that answer 404/405/422/500 in the caller's language (JSON
for the API, feeds and exports; HTML for pages), and the lifespan. ``create_app``'s caller owns
the store and closes it; ``app_from_env`` is the factory each worker process of
``paperboy serve --workers N`` calls, and that app opens and closes its own store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

import paperboy
from paperboy.api import bibtex, feeds, hf
from paperboy.api.cache import ResponseCache
from paperboy.api.deps import Services
from paperboy.api.params import HINTS
from paperboy.config import Settings, load_settings
from paperboy.core.errors import InvalidParameter, NotFound
from paperboy.core.trending import REFRESH_EVERY, Refresher
from paperboy.store import Store, open_store
from paperboy.web import account, community, discussion, foryou, pages, subscribe
from paperboy.web.edge import HeadAsGet, InternalErrors, TrustedHosts
from paperboy.web.render import make_env
from paperboy.web.security import SecurityHeaders, docs_csp
from paperboy.web.session import CSRFError, SignInRequired
from paperboy.web.viewer import RememberRequest

log = logging.getLogger(__name__)
RENDER_THREADS = 8  # renders at once per process (anyio's default limiter: 40)
DOCS_TITLE = "Paperboy API"


def default_searcher(
    store: Store, settings: Settings, overloaded: Callable[[], bool] | None = None
) -> Callable[[], Any]:
    def build() -> Any:
        from paperboy.search.service import Searcher

        return Searcher(store, settings, overloaded=overloaded)

    return build


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/feeds/")) or path.endswith((".bib", ".md", ".json"))


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ())[1:]) or "request"
        message = err.get("msg", "invalid")
        hint = HINTS.get((err.get("ctx") or {}).get("pattern", ""))
        if err.get("type") == "string_pattern_mismatch" and hint:  # the hint, not the regex
            message = f"{hint}, got {str(err.get('input'))[:40]!r}"
        parts.append(f"{where}: {message}")
    return "; ".join(parts) or "invalid request"


def create_app(
    settings: Settings,
    store: Store,
    *,
    searcher_factory: Callable[[], Any] | None = None,
    cache_entries: int = 2048,
    preload_model: bool = False,
    owns_store: bool = False,
    trending_every: float = REFRESH_EVERY,
) -> FastAPI:
    """The app over ``store``. ``preload_model`` loads the search model on a thread at
    start-up (what ``paperboy serve`` wants); ``owns_store`` closes the store at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        svc: Services = app.state.paperboy
        log.info("serving %s", store.url)
        # Renders (SQLite, templates) run on anyio's threads, 40 by default. On a small
        # machine under load, 40 renders sharing two cores all finish late; a few at a time
        # with the rest waiting in order kept the load mix free of timeouts (bench/README.md).
        to_thread.current_default_thread_limiter().total_tokens = RENDER_THREADS
        if preload_model:
            start = getattr(svc.searcher, "start_preload", None)
            if start is not None:  # keyword-only answers cached meanwhile must not stay
                start(done=svc.cache.invalidate)
        try:
            yield
        finally:
            log.info("cache: %d hits, %d misses", svc.cache.hits, svc.cache.misses)
            app.state.trending_refresher.close()
            if svc._searcher is not None and hasattr(svc._searcher, "close"):
                svc._searcher.close()
            if owns_store:
                store.close()

    app = FastAPI(
        title=DOCS_TITLE,
        version=paperboy.__version__,
        description="Hugging Face Papers compatible JSON, plus Paperboy's own extensions.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    public_url = settings.values.get("public_url") or ""
    cache = ResponseCache(store, cache_entries, vary_host=not public_url, live=community.live)
    app.state.paperboy = Services(
        settings=settings,
        store=store,
        cache=cache,
        make_searcher=searcher_factory or default_searcher(store, settings, cache.pressure.high),
    )
    # Votes poke it; it recomputes trending at most every ``trending_every`` seconds.
    app.state.trending_refresher = Refresher(store, trending_every)
    env = make_env()
    app.state.jinja = env

    docs_page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=DOCS_TITLE,
        # Served from our own static files: the docs work offline and under a strict CSP.
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    docs_html = bytes(docs_page.body).decode()  # typed bytes | memoryview

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_html)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    static = resources.files("paperboy.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # Suffix routes (.bib, .md, /vote) before the paper page, which would swallow them.
    app.include_router(community.router)
    app.include_router(foryou.router)
    app.include_router(bibtex.router)
    app.include_router(hf.router)
    app.include_router(feeds.router)
    app.include_router(discussion.router)  # before the paper page, which would swallow it
    app.include_router(account.api_router)
    app.include_router(account.router)
    app.include_router(subscribe.router)
    app.include_router(pages.router)

    def error(
        request: Request, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=status, headers=headers)
        body = env.get_template("error.html").render(
            status=status, message=message, params={}, nav=None, feed_url=None
        )
        return HTMLResponse(body, status_code=status, headers=headers)

    # The core's domain errors become HTTP statuses here, and only here.
    @app.exception_handler(InvalidParameter)
    async def invalid_parameter(request: Request, exc: InvalidParameter) -> Response:
        return error(request, 422, str(exc))

    @app.exception_handler(CSRFError)
    async def csrf_error(request: Request, exc: CSRFError) -> Response:
        return error(request, 403, str(exc))

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        if _wants_json(request):
            return error(request, 401, "sign in first, or send Authorization: Bearer TOKEN")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return error(request, 404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path[:200]}"
        headers = dict(exc.headers or {})
        allow = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
        if "GET" in allow and "HEAD" not in allow:  # HeadAsGet answers HEAD on every GET
            headers["Allow"] = ", ".join([*allow, "HEAD"])
        return error(request, exc.status_code, message, headers or None)

    # Outermost last. SecurityHeaders wraps InternalErrors so that a 500 carries the headers.
    app.add_middleware(RememberRequest)  # innermost: the header's viewer() reads the request
    app.add_middleware(HeadAsGet)
    allowed_hosts = tuple(settings.values.get("allowed_hosts") or ())
    if allowed_hosts:
        app.add_middleware(TrustedHosts, allowed_hosts=list(allowed_hosts))
    app.add_middleware(InternalErrors, page=error)
    app.add_middleware(
        SecurityHeaders,
        overrides={"/docs": docs_csp(docs_html)},
        hsts=public_url.startswith("https://"),
    )
    return app


def app_from_env() -> FastAPI:
    """The app of one ``paperboy serve --workers N`` process: settings from PAPERBOY_*
    variables (the CLI puts ``--db`` there), its own store, the model preloaded.

    uvicorn calls this in every worker (``factory=True``). The store is opened with
    ``migrate="check"``: workers never migrate, so N of them cannot race on the schema.
    """
    settings = load_settings()
    store = open_store(settings.database_url, migrate="check")
    return create_app(settings, store, preload_model=True, owns_store=True)
