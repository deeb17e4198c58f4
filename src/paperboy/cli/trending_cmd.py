"""`paperboy trending refresh`: recompute trending scores now (cron, or the digest worker).

The web app refreshes by itself a few seconds after votes; this command is for instances
where scores should also age without votes (scores fall as papers get older).
"""

from __future__ import annotations

from typing import Annotated

import typer

from paperboy.cli.app import Context, err, print_json
from paperboy.core.trending import refresh

trending = typer.Typer(help="Trending scores.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(trending, name="trending")


@trending.command("refresh")
def refresh_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print {rows, seconds}.")] = False,
) -> None:
    """Recompute the trending table from recent votes, saves and imported upvotes."""
    c: Context = ctx.obj
    with c.store() as store:
        report = refresh(store)
    if as_json:
        print_json({"rows": report.rows, "seconds": round(report.seconds, 3)})
    else:
        err.print(f"trending: {report.rows} papers scored in {report.seconds:.2f} s", markup=False)
