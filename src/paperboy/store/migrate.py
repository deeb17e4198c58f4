"""Append-only numbered migrations, each applied in its own transaction.

Files are ``migrations/<backend>/NNNN_name.sql``; the applied versions are recorded in
``schema_migrations``. A database that knows a version we do not is refused: an older
Paperboy must never write to a newer schema.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from paperboy.store.base import StoreError

log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(backend: str) -> list[Migration]:
    folder = resources.files("paperboy.store") / "migrations" / backend
    found = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda mig: mig.version)
    if [mig.version for mig in found] != list(range(1, len(found) + 1)):
        raise StoreError(
            f"{backend} migrations are not numbered 1..N: {[mig.version for mig in found]}"
        )
    return found


def split_sql(script: str) -> list[str]:
    """Statements of a script, triggers included (sqlite3 knows where each one ends)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in current.splitlines()
    ):
        raise StoreError(f"unterminated SQL statement: {current.strip()[:80]}")
    return statements


def migrate_sqlite(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations; return the versions applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    migrations = load_migrations("sqlite")
    applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    newest_known = migrations[-1].version if migrations else 0
    if applied and max(applied) > newest_known:
        raise StoreError(
            f"the database schema is version {max(applied)}, newer than this Paperboy knows "
            f"({newest_known}); upgrade Paperboy instead of writing to it"
        )
    done = []
    for mig in migrations:
        if mig.version in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in split_sql(mig.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                (mig.version, mig.name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        log.info("applied migration %04d_%s", mig.version, mig.name)
        done.append(mig.version)
    return done
