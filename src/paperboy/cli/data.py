"""Commands that put papers in and look at them: import, stats, show, demo, config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from paperboy.cli.app import Context, err, fail, print_json, progress_bar
from paperboy.config import Settings, redact_url
from paperboy.demo import load_demo
from paperboy.ingest.formats.registry import FORMATS
from paperboy.ingest.jobs import ImportReport, import_files
from paperboy.mail import FileMailer, Mailer, public_base
from paperboy.store import Store

out = Console(soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command()(stats)
    app.command()(show)
    app.command()(demo)
    app.command()(config)


def import_cmd(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Files to import (format auto-detected).")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Force a format: " + ", ".join(f.name for f in FORMATS)),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(help="Namespace for non-arXiv ids (ids are then never read as arXiv ids)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Import papers from JSONL, HF daily_papers JSON, arXiv Atom or OAI-PMH XML files."""
    c: Context = ctx.obj
    with c.store() as store:
        report = run_import(store, files, fmt=fmt, namespace=namespace)
    finish_import(report, as_json)


def run_import(store: Store, files: list[Path], **options) -> ImportReport:
    with progress_bar("importing") as advance:
        return import_files(store, files, progress=advance, **options)


def finish_import(report: ImportReport, as_json: bool) -> None:
    """Print the counts, the first errors, and exit 0 only when everything went in."""
    if as_json:
        print_json(report.summary())
    else:
        s = report.summary()
        out.print(
            f"added {s['added']}, updated {s['updated']}, unchanged {s['unchanged']}, "
            f"rejected {s['rejected']}"
        )
    for e in report.errors[:20]:
        err.print(f"[yellow]{e}[/yellow]", highlight=False)
    if len(report.errors) > 20:
        err.print(f"… and {len(report.errors) - 20} more")
    if report.failed_files:
        fail(f"{len(report.failed_files)} file(s) could not be read: {report.failed_files[0]}")
    if report.rejected:
        fail(f"{report.rejected} record(s) rejected; the others were imported")


def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How many papers, listing dates, vectors; the database in use."""
    c: Context = ctx.obj
    with c.store() as store:
        data = store.stats()
    if as_json:
        print_json(data)
        return
    table = Table(show_header=False)
    for key, value in data.items():
        table.add_row(key, str(value))
    out.print(table)


def show(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(help="An arXiv id (any form) or a corpus id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one paper."""
    c: Context = ctx.obj
    with c.store() as store:
        paper = store.papers.find_paper(paper_id)
    if paper is None:
        fail(f"no paper {paper_id!r} in {c.settings.database_url}")
    if as_json:
        print_json(paper.to_dict())
        return
    out.print(paper.title, style="bold", highlight=False, markup=False)
    out.print(", ".join(paper.authors), highlight=False, markup=False)
    meta = [paper.id + (f"v{paper.version}" if paper.version else "")]
    meta += [", ".join(paper.categories)] if paper.categories else []
    meta += [f"listed {paper.listing_date}"] if paper.listing_date else []
    meta += [f"{paper.upvotes} upvotes"] if paper.upvotes is not None else []
    out.print(" · ".join(meta), highlight=False, markup=False)
    out.print()
    out.print(paper.abstract, highlight=False, markup=False)
    for link in [paper.abs_url, paper.pdf_url, *paper.code_links]:
        if link:
            out.print(link, highlight=False, markup=False)


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the demo after loading it.")
    ] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on (setting: host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (setting: port).")] = None,
) -> None:
    """Load the bundled demo papers (real arXiv listings + the seed page) and serve them."""
    from paperboy.cli.web_cmd import serve_store

    c: Context = ctx.obj
    settings = c.settings.with_overrides(host=host, port=port)
    with c.store(migrate="apply") as store:
        with progress_bar("loading demo") as advance:
            loaded = load_demo(store, c.settings.embed_model, progress=advance)
        report = loaded.report
        s = report.summary()
        out.print(
            f"demo data in {store.url}: {store.papers.count_papers()} papers "
            f"(added {s['added']}, updated {s['updated']}, unchanged {s['unchanged']})"
        )
        if loaded.vectors:
            out.print(f"  {loaded.vectors} precomputed vectors loaded: search by meaning works now")
        newest = store.papers.list_papers(limit=5)
        for p in newest:
            line = f"  {p.listing_date}  {p.id:<14} {p.title[:90]}"
            out.print(line, highlight=False, markup=False)
        if report.failed_files or report.rejected:
            finish_import(report, False)
        out.print(sign_in_note(settings), highlight=False, markup=False)
        out.print(digest_note(settings, store.url), highlight=False, markup=False)
        if serve:
            serve_store(settings, store, settings.host, settings.port)


def sign_in_note(settings: Settings) -> str:
    """Where to sign in and where the sign-in mail goes (a folder by default)."""
    mailer = Mailer.from_settings(settings)
    where = "written to" if isinstance(mailer, FileMailer) else "sent through"
    return f"sign in at {public_base(settings)}/login — mail is {where} {mailer.destination}"


def digest_note(settings: Settings, url: str) -> str:
    """Where to subscribe, and the command that mails the digests due (cron or the worker
    run it on a real instance)."""
    return (
        f"subscribe at {public_base(settings)}/subscribe — then mail the digests due with: "
        f"PAPERBOY_DATABASE_URL={redact_url(url)} .venv/bin/paperboy digest send"
    )


def config(ctx: typer.Context) -> None:
    """Print every setting with its value (secrets redacted)."""
    c: Context = ctx.obj
    print_json(c.settings.dump())
