"""Digest subscribers for admins: ``paperboy subscriber add|list|remove``. Thin: each calls
core.subscriptions or the store's subscribers and prints."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from paperboy.cli.app import Context, err, fail, print_json
from paperboy.core.accounts import instance_secret
from paperboy.core.errors import InvalidParameter
from paperboy.core.preferences import parse_preferences
from paperboy.core.subscriptions import import_subscribers, unsubscribe_by_mail
from paperboy.models.community import normalise_email
from paperboy.models.subscription import STATUSES, Preferences, Subscriber

out = Console(soft_wrap=True)
subscriber = typer.Typer(
    help="Digest subscribers: add (lists that opted in elsewhere), list, remove, and the"
    " unsubscribe requests mailed to the List-Unsubscribe mailto.",
    no_args_is_help=True,
)
MAX_FILE_BYTES = 50 * 1024 * 1024


def register(app: typer.Typer) -> None:
    app.add_typer(subscriber, name="subscriber")


def _say(line: str) -> None:
    out.print(line, highlight=False, markup=False)


def _from_file(path: str) -> list[tuple[str, str]]:
    """(``FILE: line N``, address) for each address in ``path`` ("-": standard input): one a
    line, or the first column of a CSV; blank lines and ``#`` comments are skipped."""
    name = "stdin" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read(MAX_FILE_BYTES + 1)
        else:
            with Path(path).open(encoding="utf-8-sig", errors="strict") as f:
                text = f.read(MAX_FILE_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{name}: cannot read: {exc}")
    if len(text) > MAX_FILE_BYTES:
        fail(f"{name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        first = line.split(",", 1)[0].strip().strip('"')
        if first and not first.startswith("#") and first.lower() != "email":
            found.append((f"{name}: line {n}", first))
    return found


@subscriber.command("add")
def subscriber_add(
    ctx: typer.Context,
    emails: Annotated[list[str] | None, typer.Argument(help="Addresses to subscribe.")] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            help="More addresses, one a line (or a CSV's first column); - reads standard input.",
        ),
    ] = None,  # fmt: skip
    confirmed: Annotated[
        bool,
        typer.Option(
            "--confirmed",
            help="They opted in elsewhere: digests start at once, no "
            "confirmation mail. Without it each address is mailed a confirmation link.",
        ),
    ] = False,  # fmt: skip
    daily: Annotated[
        bool | None, typer.Option("--daily/--weekly", help="Cadence (default: daily).")
    ] = None,
) -> None:
    """Subscribe many addresses at once. Addresses that unsubscribed are never subscribed
    again; confirmed ones keep their preferences. Bad addresses are listed (exit 1) and the
    good ones are added all the same."""
    c: Context = ctx.obj
    given = [(f"argument {i}", e) for i, e in enumerate(emails or [], 1)]
    if file:
        given += _from_file(file)
    if not given:
        fail("no addresses: give EMAIL arguments or --file FILE")
    fields = {} if daily is None else {"cadence": "daily" if daily else "weekly"}
    with c.store() as store:
        try:
            prefs = parse_preferences(fields, base=Preferences())
            secret = instance_secret(store, c.settings)
            report = import_subscribers(
                store, c.settings, secret, given, prefs, confirmed=confirmed
            )
        except InvalidParameter as exc:
            fail(str(exc))
    for where, why in report.invalid:
        err.print(f"[red]error:[/red] {where}: {why}", highlight=False, soft_wrap=True)
    state = "confirmed" if confirmed else "pending, confirmation mailed"
    _say(f"added {len(report.added)} ({state})")
    if report.updated:
        _say(f"updated {len(report.updated)} pending")
    if not confirmed:
        _say(f"confirmation mails accepted: {report.mailed}")
    if report.unchanged:
        _say(f"left as they were {len(report.unchanged)} (already confirmed or suspended)")
    if report.kept_unsubscribed:
        _say(f"kept unsubscribed {len(report.kept_unsubscribed)} (they asked to stop)")
    if report.invalid:
        raise typer.Exit(1)


def _json(s: Subscriber) -> dict:
    p = s.prefs
    return {
        "id": s.id, "email": s.email, "status": s.status, "user_id": s.user_id,
        "created_at": s.created_at.isoformat() if s.created_at else None,
        "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
        "failures": s.failures,
        "preferences": {
            "cadence": p.cadence, "weekday": p.weekday, "timezone": p.timezone,
            "send_hour": p.send_hour, "trending_count": p.trending_count,
            "categories": list(p.categories), "searches": list(p.searches),
            "authors": list(p.authors), "more_like_mine": p.more_like_mine,
        },
    }  # fmt: skip


@subscriber.command("list")
def subscriber_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only these: {', '.join(STATUSES)}.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every subscriber, oldest first."""
    if status is not None and status not in STATUSES:
        fail(f"--status {status!r}: expected one of {', '.join(STATUSES)}")
    c: Context = ctx.obj
    with c.store() as store:
        offset = 0
        while batch := store.subscribers.list(status, limit=500, offset=offset):
            offset += len(batch)
            for s in batch:
                if as_json:
                    print_json(_json(s))
                    continue
                when = s.prefs.cadence
                if s.prefs.cadence == "weekly":
                    when += f" ({'Mon Tue Wed Thu Fri Sat Sun'.split()[s.prefs.weekday]})"
                _say(f"{s.id:>6}  {s.email}  {s.status}  {when}")


@subscriber.command("remove")
def subscriber_remove(
    ctx: typer.Context,
    emails: Annotated[list[str], typer.Argument(help="Addresses to forget.")],
) -> None:
    """Forget addresses and everything about them (unlike unsubscribing, which keeps the
    preferences). Unknown addresses are named (exit 1); the others are removed."""
    c: Context = ctx.obj
    missing = 0
    with c.store() as store:
        for raw in emails:
            try:
                address = normalise_email(raw)
            except ValueError as exc:
                err.print(f"[red]error:[/red] {raw!r}: {exc}", highlight=False)
                missing += 1
                continue
            found = store.subscribers.find(address)
            if found is None or not store.subscribers.remove(found.id):
                err.print(f"[red]error:[/red] {address}: not a subscriber", highlight=False)
                missing += 1
                continue
            _say(f"removed {address}")
    if missing:
        raise typer.Exit(1)


@subscriber.command("unsubscribe-mail")
def subscriber_unsubscribe_mail(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Mails (.eml) sent to the List-Unsubscribe mailto; none: stdin."),
    ] = None,
) -> None:
    """Apply unsubscribe requests mailed to the digest's ``List-Unsubscribe`` mailto
    (``Subject: unsubscribe TOKEN``): pipe the sender mailbox's mail here from the MTA, or
    give saved .eml files. A mail without a valid token is named (exit 1)."""
    from datetime import UTC, datetime

    c: Context = ctx.obj
    sources = [(str(p), p) for p in files] if files else [("stdin", None)]
    bad = 0
    with c.store() as store:
        secret = instance_secret(store, c.settings)
        for name, path in sources:
            try:
                raw = sys.stdin.buffer.read(MAX_FILE_BYTES) if path is None else path.read_bytes()
                sub = unsubscribe_by_mail(store, secret, raw, datetime.now(UTC))
            except OSError as exc:
                err.print(
                    f"[red]error:[/red] {escape(f'{name}: cannot read: {exc}')}", highlight=False
                )
                bad += 1
                continue
            except InvalidParameter as exc:
                err.print(f"[red]error:[/red] {escape(f'{name}: {exc}')}", highlight=False)
                bad += 1
                continue
            _say(f"unsubscribed {sub.email}")
    if bad:
        raise typer.Exit(1)
