"""The executor each backend hands to the portable stores: ``%s`` placeholders, UTC datetimes."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol


class Writer(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one statement; rows it returns (``RETURNING``), else an empty list."""
        ...

    def rowcount(self) -> int:
        """Rows the last statement changed."""
        ...


class Executor(Protocol):
    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...

    def write(self) -> AbstractContextManager[Writer]:
        """One transaction; commits on success, rolls back on error."""
        ...

    def bump(self, writer: Writer, counter: str) -> None: ...

    def counter(self, name: str) -> int: ...


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so SQLite compares moments as strings correctly."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_datetime(value: Any) -> datetime | None:
    """A stored moment back as an aware datetime (SQLite gives text, PostgreSQL datetimes)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def now() -> datetime:
    return datetime.now(UTC)
