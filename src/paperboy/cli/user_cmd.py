"""Accounts and moderation: ``paperboy user link|list|ban|unban|admin`` and
``paperboy paper hide|unhide``. Thin: each calls core.signin or core.moderation and prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from paperboy.cli.app import Context, fail, print_json
from paperboy.core import moderation
from paperboy.core.errors import InvalidParameter, NotFound
from paperboy.core.signin import login_link
from paperboy.models.community import User
from paperboy.store import Store

out = Console(soft_wrap=True)
user = typer.Typer(help="Accounts: sign-in links, listing, bans, admins.", no_args_is_help=True)
paper = typer.Typer(help="Moderate papers: hide or unhide.", no_args_is_help=True)
T = TypeVar("T")
Email = Annotated[str, typer.Argument(help="The account's email address.")]


def register(app: typer.Typer) -> None:
    app.add_typer(user, name="user")
    app.add_typer(paper, name="paper")


def _run(ctx: typer.Context, action: Callable[[Store], T]) -> T:
    """``action`` on the configured store; a domain error is one line and exit 1."""
    c: Context = ctx.obj
    with c.store() as store:
        try:
            return action(store)
        except (NotFound, InvalidParameter) as exc:
            fail(str(exc))


def _user_json(u: User) -> dict:
    return {
        "id": u.id, "email": u.email, "display_name": u.display_name,
        "created_at": u.created_at.isoformat(), "admin": u.is_admin,
        "banned_at": u.banned_at.isoformat() if u.banned_at else None,
    }  # fmt: skip


@user.command("link")
def user_link(ctx: typer.Context, email: Email) -> None:
    """Print a sign-in link for EMAIL (single use, 15 minutes), for instances without mail."""
    settings = ctx.obj.settings
    out.print(_run(ctx, lambda s: login_link(s, settings, email)), highlight=False, markup=False)


@user.command("list")
def user_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every account, oldest first."""

    def everyone(store: Store) -> list[User]:
        found: list[User] = []
        while batch := store.users.list_users(limit=500, offset=len(found)):
            found += batch
        return found

    for u in _run(ctx, everyone):
        if as_json:
            print_json(_user_json(u))
            continue
        flags = (" admin" if u.is_admin else "") + (" banned" if u.banned else "")
        line = f"{u.id:>6}  {u.email}  {u.display_name or ''}{flags}"
        out.print(line.rstrip(), highlight=False, markup=False)


@user.command("ban")
def user_ban(ctx: typer.Context, email: Email) -> None:
    """Ban an account: its sessions and API tokens stop working, its votes stop counting."""
    u = _run(ctx, lambda s: moderation.set_banned(s, email, True))
    out.print(f"banned {u.email}", highlight=False, markup=False)


@user.command("unban")
def user_unban(ctx: typer.Context, email: Email) -> None:
    """Lift a ban: the account can sign in again and its votes count again."""
    u = _run(ctx, lambda s: moderation.set_banned(s, email, False))
    out.print(f"unbanned {u.email}", highlight=False, markup=False)


@user.command("admin")
def user_admin(
    ctx: typer.Context,
    email: Email,
    revoke: Annotated[bool, typer.Option("--revoke", help="Take admin rights away.")] = False,
) -> None:
    """Make an account an admin (or, with --revoke, no longer one)."""
    u = _run(ctx, lambda s: moderation.set_admin(s, email, not revoke))
    out.print(f"{u.email} is {'an admin' if u.is_admin else 'not an admin'}", highlight=False)


@paper.command("hide")
def paper_hide(
    ctx: typer.Context, paper_id: Annotated[str, typer.Argument(help="The paper's id.")]
) -> None:
    """Hide a paper from every list, feed, search result and API answer; its page is 404."""
    pid = _run(ctx, lambda s: moderation.set_paper_hidden(s, paper_id, True))
    out.print(f"hid {pid}", highlight=False, markup=False)


@paper.command("unhide")
def paper_unhide(
    ctx: typer.Context, paper_id: Annotated[str, typer.Argument(help="The paper's id.")]
) -> None:
    """Show a hidden paper again."""
    pid = _run(ctx, lambda s: moderation.set_paper_hidden(s, paper_id, False))
    out.print(f"unhid {pid}", highlight=False, markup=False)
