"""`paperboy` command line: thin commands over the use cases, one module per family."""

from __future__ import annotations

from paperboy.cli import (
    data,
    db_cmd,
    digest_cmd,
    ingest_cmd,
    search_cmd,
    subscriber_cmd,
    trending_cmd,
    user_cmd,
    web_cmd,
    worker_cmd,
)
from paperboy.cli.app import app

__all__ = ["app", "main"]

data.register(app)
digest_cmd.register(app)
db_cmd.register(app)
web_cmd.register(app)
ingest_cmd.register(app)
search_cmd.register(app)
trending_cmd.register(app)
user_cmd.register(app)
subscriber_cmd.register(app)
worker_cmd.register(app)


def main() -> None:
    app(prog_name="paperboy")


if __name__ == "__main__":
    main()
