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

from paperboy.store.base import SchemaBehind, StoreError, behind_message

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


def pending_migrations(backend: str, applied: set[int], url: str) -> list[Migration]:
    """Migrations not yet in ``applied``; a database newer than this code is refused."""
    migrations = load_migrations(backend)
    newest_known = migrations[-1].version if migrations else 0
    if applied and max(applied) > newest_known:
        raise StoreError(
            f"{url}: the database schema is version {max(applied)}, newer than this Paperboy "
            f"knows ({newest_known}); upgrade Paperboy instead of writing to it"
        )
    return [m for m in migrations if m.version not in applied]


def check_schema(backend: str, applied: set[int], url: str, mode: str) -> bool:
    """Whether to apply pending migrations now; raise when ``mode`` forbids it.

    A new, empty database migrates by itself in ``auto`` mode; one that has a schema and is
    behind is left for ``paperboy migrate``, so that several processes starting at once
    never alter a live schema under each other.
    """
    pending = pending_migrations(backend, applied, url)
    if not pending or mode == "apply":
        return bool(pending)
    if mode == "auto" and not applied:
        return True
    newest = load_migrations(backend)[-1].version
    raise SchemaBehind(behind_message(url, max(applied, default=0), newest))


def migrate_sqlite(conn: sqlite3.Connection, url: str, mode: str = "auto") -> list[int]:
    """Apply pending migrations as ``mode`` allows; return the versions applied.

    Each migration runs in its own ``BEGIN IMMEDIATE`` transaction and re-reads what is
    applied inside it, so two processes migrating one file at once apply each exactly once.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    if not check_schema("sqlite", applied, url, mode):
        return []
    done = []
    for mig in load_migrations("sqlite"):
        conn.execute("BEGIN IMMEDIATE")
        try:
            already = conn.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (mig.version,)
            ).fetchone()
            if already:
                conn.execute("COMMIT")
                continue
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


def migrate_postgres(url: str, mode: str = "auto") -> list[int]:
    """Apply pending PostgreSQL migrations as ``mode`` allows, under an advisory lock.

    The lock is held for the whole run, so processes starting together apply each migration
    exactly once: the others wait, then find nothing pending.
    """
    import psycopg

    from paperboy.config import redact_url
    from paperboy.store.postgres.db import MIGRATE_LOCK

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
            if not check_schema("postgres", applied, redact_url(url), mode):
                return []
            done = []
            for mig in load_migrations("postgres"):
                if mig.version in applied:
                    continue
                with conn.transaction():
                    conn.execute(mig.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migrations VALUES (%s, %s, %s)",
                        (mig.version, mig.name, datetime.now(UTC).isoformat()),
                    )
                log.info("applied migration %04d_%s", mig.version, mig.name)
                done.append(mig.version)
            return done
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))
