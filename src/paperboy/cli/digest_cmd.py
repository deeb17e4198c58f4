"""`paperboy digest preview|send|status`: build, send (exactly once) and inspect digests."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from paperboy.cli.app import Context, err, fail, print_json, progress_bar
from paperboy.core.accounts import instance_secret
from paperboy.core.digest.build import build_digest
from paperboy.core.digest.send import send_due, send_due_parallel, settle_orphans
from paperboy.core.subscriber_links import subscriber_links
from paperboy.mail.compose import Composer
from paperboy.mail.digest import render_digest
from paperboy.models.community import normalise_email
from paperboy.models.delivery import IN_DOUBT
from paperboy.models.subscription import CONFIRMED

digest = typer.Typer(help="Build and send digests.", no_args_is_help=True)

AT_HELP = "The moment to act for, ISO 8601 (2026-11-27T07:00+01:00; no zone means UTC)."


def register(app: typer.Typer) -> None:
    app.add_typer(digest, name="digest")


def at_option(value: str | None) -> datetime:
    """``--at`` as an aware moment (default: now), or a one-line error naming it."""
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"--at {value!r}: expected a moment such as 2026-11-27T07:00:00+00:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@digest.command("preview")
def preview_cmd(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The subscriber's address.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the .eml and .html files.")] = Path(
        "."
    ),
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
) -> None:
    """Write the digest EMAIL would get (.eml and .html) without sending or recording it."""
    c: Context = ctx.obj
    moment = at_option(at)
    try:
        address = normalise_email(email)
    except ValueError as exc:
        fail(f"{email!r}: {exc}")
    with c.store() as store:
        sub = store.subscribers.find(address)
        if sub is None:
            fail(f"{address}: no such subscriber (paperboy subscriber list shows them)")
        built = build_digest(store, sub, moment)
        if built.empty:
            err.print(f"{address}: nothing new for {built.period}; no digest", markup=False)
            return
        composer = Composer.from_settings(c.settings)
        links = subscriber_links(composer, instance_secret(store, c.settings), sub, moment)
        msg = render_digest(composer, built, links, moment)
    html = msg.get_body(("html",))
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"digest-{built.period}-{address}")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.eml").write_bytes(msg.as_bytes())
    (out / f"{stem}.html").write_text(html.get_content() if html else "", encoding="utf-8")
    if sub.status != CONFIRMED:
        err.print(f"note: {address} is {sub.status}; no digest is sent to it", markup=False)
    err.print(f"wrote {out / stem}.eml and .html ({len(built.paper_ids)} papers)", markup=False)


@digest.command("send")
def send_cmd(
    ctx: typer.Context,
    at: Annotated[str | None, typer.Option("--at", help=AT_HELP)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"sent", "empty", "failed", "in_doubt"}.')
    ] = False,
    dry_run: Annotated[
        Path | None,
        typer.Option("--dry-run", help="Write the mails as .eml files here; record nothing."),
    ] = None,
    resend_in_doubt: Annotated[
        bool,
        typer.Option(
            "--resend-in-doubt", help="Send again the digests whose delivery is in doubt."
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Processes sending at once (one per core helps)."),
    ] = 1,
) -> None:
    """Send every digest due at --at (default: now), each exactly once."""
    c: Context = ctx.obj
    moment = at_option(at)
    with c.store() as store:
        total = store.subscribers.count(CONFIRMED)
        with progress_bar("digests", total) as advance:
            if workers > 1:
                report = send_due_parallel(
                    store.url, c.settings, moment, workers=workers, dry_run=dry_run,
                    resend_in_doubt=resend_in_doubt, progress=advance,
                )  # fmt: skip
            else:
                report = send_due(
                    store, c.settings, moment, dry_run=dry_run,
                    resend_in_doubt=resend_in_doubt, progress=advance,
                )  # fmt: skip
    if as_json:
        print_json(report.as_json())
    else:
        err.print(
            f"digests: {report.sent} sent, {report.empty} empty, {report.failed} failed,"
            f" {report.in_doubt} in doubt" + (f" (dry run: {dry_run})" if dry_run else ""),
            markup=False,
        )
    if report.failed:
        raise typer.Exit(1)


@digest.command("status")
def status_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the lists as JSON.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows of each list.")] = 20,
) -> None:
    """List deliveries in doubt (maybe sent, never confirmed) and the recent runs.

    Deliveries still claimed by a run that is gone (killed, crashed) are marked in doubt first."""
    c: Context = ctx.obj
    with c.store() as store:
        settle_orphans(store, datetime.now(UTC))
        doubt = store.deliveries.recent(IN_DOUBT, limit)
        runs = store.deliveries.runs(limit)
    if as_json:
        print_json(
            {
                "in_doubt": [
                    {
                        "email": d.email,
                        "period": d.period,
                        "claimed_at": d.claimed_at.isoformat(),
                        "detail": d.detail,
                    }
                    for d in doubt
                ],
                "runs": [
                    {
                        "id": r.id,
                        "at": r.at.isoformat(),
                        "started_at": r.started_at.isoformat(),
                        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                        "sent": r.sent,
                        "empty": r.empty,
                        "failed": r.failed,
                        "in_doubt": r.in_doubt,
                    }
                    for r in runs
                ],
            }
        )
        return
    typer.echo(f"In doubt ({len(doubt)}): resend with 'paperboy digest send --resend-in-doubt'")
    for d in doubt:
        typer.echo(f"  {d.email}  {d.period}  claimed {d.claimed_at:%Y-%m-%d %H:%M}  {d.detail}")
    typer.echo("Recent runs:")
    for r in runs:
        state = f"finished {r.finished_at:%H:%M:%S}" if r.finished_at else "running or stopped"
        typer.echo(
            f"  #{r.id} at {r.at:%Y-%m-%d %H:%M} UTC: {r.sent} sent, {r.empty} empty,"
            f" {r.failed} failed, {r.in_doubt} in doubt ({state})"
        )
