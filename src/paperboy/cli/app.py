"""The Typer app, global options, and the helpers every command shares."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from paperboy.config import Settings, load_settings
from paperboy.store import Store, StoreError, open_store

app = typer.Typer(
    help="Paperboy: bring in new papers, search them, serve them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# soft_wrap: messages stay one line each when piped, so "file: line N: reason" greps.
err = Console(stderr=True, soft_wrap=True)


@dataclass
class Context:
    settings: Settings

    def store(self, migrate: str = "auto") -> Store:
        """The configured database; one whose schema is behind is refused with a one-line
        message naming ``paperboy migrate`` (``migrate="apply"`` migrates it instead)."""
        try:
            return open_store(self.settings.database_url, migrate=migrate)
        except StoreError as exc:
            fail(str(exc))


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL or file (env PAPERBOY_DATABASE_URL).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)]
        if err.is_terminal
        else [logging.StreamHandler()],
    )
    try:
        settings = load_settings().with_overrides(database_url=db)
    except ValueError as exc:
        fail(str(exc))
    ctx.obj = Context(settings)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line reason and exit non-zero."""
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def date_option(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value, or a one-line error naming the option."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected a date such as 2025-01-31")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


class Advance:
    """What ``progress_bar`` yields: call it with a count done; ``set_total`` sizes the bar
    once the job knows how much there is."""

    def __init__(self, prog: Progress, task: TaskID) -> None:
        self._prog, self._task = prog, task

    def __call__(self, n: int = 1) -> None:
        self._prog.advance(self._task, n)
        speed = self._prog.tasks[self._task].speed
        if speed:
            self._prog.update(self._task, rate=f"{speed:,.0f}/s")

    def set_total(self, total: int) -> None:
        self._prog.update(self._task, total=total)


def _columns() -> list:
    return [
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[cyan]{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Advance]:
    """A rich progress bar on stderr; yields an ``Advance``. Shows rate and ETA when sized."""
    with Progress(*_columns(), console=err, transient=False, disable=not err.is_terminal) as prog:
        yield Advance(prog, prog.add_task(description, total=total, rate=""))


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int | None], Advance]]:
    """Several bars in one display (a job in stages); yields ``add(description, total)``,
    which adds a bar below the others and returns its ``Advance``."""
    with Progress(*_columns(), console=err, transient=False, disable=not err.is_terminal) as prog:
        yield lambda description, total: Advance(
            prog, prog.add_task(description, total=total, rate="")
        )
