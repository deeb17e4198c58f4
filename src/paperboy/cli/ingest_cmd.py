"""`paperboy ingest arxiv|hf`: live, polite, resumable ingest from arXiv and Hugging Face."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from paperboy.cli.app import Context, date_option, err, fail, progress_bar
from paperboy.cli.data import finish_import
from paperboy.core.errors import InvalidParameter
from paperboy.ingest.jobs import ImportReport, Progress

ingest = typer.Typer(help="Fetch papers from arXiv or Hugging Face.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ingest, name="ingest")


def _run(c: Context, description: str, job: Callable[..., ImportReport], as_json: bool) -> None:
    """Run one ingest job with a progress bar; print the counts; exit 0 only if all went in."""
    from paperboy.core.harvest import IngestStopped

    problem = None
    with c.store() as store, progress_bar(description) as advance:
        try:
            report = job(store, advance)
        except IngestStopped as exc:
            report, problem = exc.report, str(exc)
        except ValueError as exc:
            fail(str(exc))
    if problem:
        err.print(f"[red]stopped:[/red] {problem}", highlight=False)
    finish_import(report, as_json)
    if problem:
        fail("the ingest stopped early; rerun to continue")


@ingest.command("arxiv")
def arxiv(
    ctx: typer.Context,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="First day (YYYY-MM-DD); default: the last harvest's end."),
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day (YYYY-MM-DD).")] = None,
    set_: Annotated[
        str | None,
        typer.Option("--set", help="OAI set, e.g. cs or math (default: PAPERBOY_ARXIV_SET)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="OAI-PMH metadata format: arXiv or arXivRaw.")
    ] = "arXiv",
    ids: Annotated[
        list[str] | None,
        typer.Option("--id", help="Look these ids up through the Atom API instead (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Harvest arXiv over OAI-PMH (resumable, daily delta by default), or look up --id ids."""
    from paperboy.core import harvest  # httpx loads only for the commands that need it

    c: Context = ctx.obj
    if ids:
        if from_ or until or set_:
            fail("--id looks papers up by id; it does not combine with --from, --until or --set")

        def lookup(store, advance: Progress) -> ImportReport:
            return harvest.lookup_arxiv_ids(store, c.settings, ids, progress=advance)

        _run(c, "looking up", lookup, as_json)
        return
    start, end = date_option(from_, "--from"), date_option(until, "--until")
    try:
        harvest.check_arxiv_options(fmt, start, end)
    except InvalidParameter as exc:
        fail(str(exc))

    def job(store, advance: Progress) -> ImportReport:
        report = harvest.harvest_arxiv(
            store,
            c.settings,
            since=start,
            until=end,
            set_spec=set_ or c.settings.arxiv_set or None,  # the worker harvests the same
            metadata_format=fmt,
            progress=advance,
        )
        if report.deleted:
            err.print(f"{report.deleted} deleted record(s) skipped", highlight=False)
        return report

    _run(c, "harvesting", job, as_json)


@ingest.command("hf")
def hf(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", help="One day, YYYY-MM-DD.")] = None,
    week: Annotated[str | None, typer.Option("--week", help="One ISO week, YYYY-Www.")] = None,
    month: Annotated[str | None, typer.Option("--month", help="One month, YYYY-MM.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Import Hugging Face daily papers (the latest list, or one date, week or month)."""
    from paperboy.core import harvest

    c: Context = ctx.obj
    try:
        harvest.check_hf_period(day, week, month)
    except InvalidParameter as exc:
        fail(str(exc))

    def job(store, advance: Progress) -> ImportReport:
        return harvest.fetch_hf(
            store, c.settings, day=day, week=week, month=month, progress=advance
        )

    _run(c, "fetching", job, as_json)
