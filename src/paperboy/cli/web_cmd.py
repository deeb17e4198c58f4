"""`paperboy serve`: the web app, JSON API and feeds over uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from paperboy.cli.app import Context, err, fail
from paperboy.config import Settings
from paperboy.store import Store


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve_store(settings: Settings, store: Store, host: str, port: int) -> None:
    """Serve ``store`` until interrupted; shared by ``serve`` and ``demo``."""
    import uvicorn

    from paperboy.web.app import create_app

    err.print(f"serving {store.url} at http://{host}:{port}", highlight=False, markup=False)
    uvicorn.run(
        create_app(settings, store, preload_model=True),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )


def serve_workers(settings: Settings, workers: int) -> None:
    """Serve with ``workers`` processes on one database: each calls ``app_from_env`` and
    opens its own store (SQLite: readers in parallel, one writer at a time)."""
    import uvicorn

    from paperboy.web.workers import CannotListen, Workers

    os.environ["PAPERBOY_DATABASE_URL"] = settings.database_url  # what --db said, for workers
    config = uvicorn.Config(
        "paperboy.web.app:app_from_env",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )
    try:
        supervisor = Workers(config, workers)
    except CannotListen as exc:
        fail(str(exc))
    err.print(
        f"serving {settings.database_url} at http://{settings.host}:{settings.port}"
        f" with {workers} worker processes",
        highlight=False,
        markup=False,
    )
    supervisor.run()


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (setting: host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (setting: port).")] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes sharing the database.")
    ] = 1,
) -> None:
    """Serve the pages, the Hugging Face compatible JSON API and the Atom feeds."""
    c: Context = ctx.obj
    settings = c.settings.with_overrides(host=host, port=port)
    with c.store() as store:  # a schema that is behind is refused here, in one line
        if workers == 1:
            serve_store(settings, store, settings.host, settings.port)
            return
    serve_workers(settings, workers)
