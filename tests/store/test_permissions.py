"""Issue 7 L6: the database and its -wal/-shm/-writer are private to their owner (0600 in 0700)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from paperboy.models.paper import Paper
from paperboy.store import open_store

pytestmark = pytest.mark.sqlite_only  # SQLite itself: files, WAL, modes


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_and_its_directories_are_private(tmp_path: Path) -> None:
    db = tmp_path / "data" / "paperboy" / "papers.db"
    store = open_store(str(db))
    try:
        store.papers.upsert_papers([Paper(id="2401.00001", title="A paper")])  # writes the WAL
        for suffix in ("", "-wal", "-shm", "-writer"):  # -writer: the write queue's lock
            assert mode(db.with_name(db.name + suffix)) == 0o600, suffix
        assert mode(db.parent) == 0o700
        assert mode(db.parent.parent) == 0o700  # every directory Paperboy made
    finally:
        store.close()


def test_existing_directories_and_files_keep_their_modes(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)  # as the user made it, whatever the umask
    mine = shared / "papers.db"
    open_store(str(mine)).close()
    assert mode(shared) == 0o755  # not ours to tighten
    assert mode(mine) == 0o600

    existing = shared / "old.db"
    existing.touch()
    existing.chmod(0o640)
    open_store(str(existing)).close()
    assert mode(existing) == 0o640  # the owner chose this; leave it
