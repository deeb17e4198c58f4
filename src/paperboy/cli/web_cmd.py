"""`paperboy serve`: the web app, JSON API and feeds over uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from paperboy.cli.app import Context, err
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
        create_app(settings, store),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (setting: host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (setting: port).")] = None,
) -> None:
    """Serve the pages, the Hugging Face compatible JSON API and the Atom feeds."""
    c: Context = ctx.obj
    settings = c.settings.with_overrides(host=host, port=port)
    with c.store() as store:
        serve_store(settings, store, settings.host, settings.port)
