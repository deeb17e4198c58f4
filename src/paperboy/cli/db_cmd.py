"""`paperboy migrate`: bring a database's schema up to this Paperboy's."""

from __future__ import annotations

from typing import Annotated

import typer

from paperboy.cli.app import Context, err, print_json


def register(app: typer.Typer) -> None:
    app.command()(migrate)


def migrate(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the versions as JSON.")] = False,
) -> None:
    """Apply pending schema migrations (safe to run from several processes at once)."""
    c: Context = ctx.obj
    with c.store(migrate="apply") as store:
        applied = getattr(store, "migrated", [])
        version = store.schema_version()
    if as_json:
        print_json({"applied": applied, "schema_version": version, "database": store.url})
    elif applied:
        err.print(f"{store.url}: applied {applied}, now at schema version {version}", markup=False)
    else:
        err.print(f"{store.url}: schema version {version} is up to date", markup=False)
