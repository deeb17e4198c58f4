"""`paperboy migrate` (bring a database's schema up to this Paperboy's) and `paperboy copy`
(move an instance to another database, either backend to either)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from paperboy.cli.app import Advance, Context, err, fail, print_json, progress_bars
from paperboy.core.copy import copy_instance
from paperboy.core.errors import InvalidParameter
from paperboy.store import Store, StoreError, open_store


def register(app: typer.Typer) -> None:
    app.command()(migrate)
    app.command(name="copy")(copy_cmd)


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


def copy_cmd(
    source: Annotated[str, typer.Option("--from", help="Database URL or file to copy from.")],
    target: Annotated[str, typer.Option("--to", help="Database URL or file to copy into.")],
    merge: Annotated[
        bool,
        typer.Option(
            "--merge",
            help="Merge into a target that already holds data (or resume an interrupted copy)"
            " instead of refusing it.",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per batch.")] = 1000,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print {papers, vectors, ..., subscribers, verified}.",
        ),
    ] = False,
) -> None:
    """Copy papers, vectors and importer state into another database, then verify them."""
    with _open(source, "auto") as src, _open(target, "apply") as dst:
        bars: dict[str, Advance] = {}
        with progress_bars() as add_bar:

            def progress(step: str, n: int, total: int) -> None:
                if step not in bars:
                    bars[step] = add_bar(step, total)
                bars[step](n)

            try:
                report = copy_instance(
                    src, dst, merge=merge, batch_size=batch_size, progress=progress
                )
            except InvalidParameter as exc:
                fail(escape(f"{_name(dst)}: {exc}"))
    if as_json:
        print_json(report.summary())
    if report.problem:
        fail(escape(f"verification failed: {report.problem}"))
    if not as_json:
        copied = ", ".join(f"{n} {name}" for name, n in report.counts.items())
        err.print(f"copied {copied} into {_name(dst)}; verified", markup=False, highlight=False)


def _open(url: str, migrate: str) -> Store:
    try:
        return open_store(url, migrate=migrate)
    except StoreError as exc:
        fail(escape(str(exc)))


def _name(store: Store) -> str:
    """The database as messages may show it (a PostgreSQL password redacted)."""
    return getattr(store, "display_url", store.url)
