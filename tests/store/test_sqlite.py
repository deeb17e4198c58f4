"""The SQLite backend on real files: migrations, WAL, FTS5 in step, URL forms."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from paperboy.models.query import TextQuery
from paperboy.store import SchemaBehind, StoreError, open_store
from paperboy.store.migrate import load_migrations
from paperboy.store.sqlite import SQLiteStore

from .contract import paper

pytestmark = pytest.mark.sqlite_only  # SQLite itself: files, WAL, modes


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "papers.db")
    yield s
    s.close()


def test_migrations_apply_in_order_and_are_recorded(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "m.db").close()
    conn = sqlite3.connect(tmp_path / "m.db")
    rows = conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    expected = [(m.version, m.name) for m in load_migrations("sqlite")]
    assert rows == expected and rows[0] == (1, "papers")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"papers", "papers_fts", "state", "vectors"} <= tables
    conn.close()
    # reopening applies nothing twice
    SQLiteStore(tmp_path / "m.db").close()
    conn = sqlite3.connect(tmp_path / "m.db")
    assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(expected)
    conn.close()


def test_each_migration_is_its_own_transaction(tmp_path: Path, monkeypatch) -> None:
    """A failing later migration rolls back alone; the earlier ones stay applied."""
    from paperboy.store import migrate

    real = migrate.load_migrations("sqlite")
    broken = migrate.Migration(len(real) + 1, "broken", "CREATE TABLE t (x);\nNOT SQL;\n")
    monkeypatch.setattr(migrate, "load_migrations", lambda backend: [*real, broken])
    with pytest.raises(StoreError, match="syntax error"):
        SQLiteStore(tmp_path / "b.db")
    conn = sqlite3.connect(tmp_path / "b.db")
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [m.version for m in real]
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0] == 0
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "n.db").close()
    conn = sqlite3.connect(tmp_path / "n.db")
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2099-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema is version 999, newer than this Paperboy"):
        SQLiteStore(tmp_path / "n.db")


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        SQLiteStore(bad)


def test_wal_mode_is_on(store: SQLiteStore) -> None:
    assert store.db.writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reads_do_not_block_on_a_long_write(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "w.db")
    s.papers.upsert_papers([paper("2401.00001")])
    writer = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE papers SET title = 'being rewritten'")
    result: dict = {}

    def read() -> None:
        start = time.perf_counter()
        result["title"] = s.papers.get_paper("2401.00001").title
        result["count"] = s.papers.count_papers()
        result["seconds"] = time.perf_counter() - start

    t = threading.Thread(target=read)
    t.start()
    t.join(timeout=5)
    try:
        assert not t.is_alive(), "a reader blocked behind the write transaction"
        assert result["title"] == "Paper 2401.00001"  # the committed state, not the pending one
        assert result["count"] == 1
        assert result["seconds"] < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        s.close()


def test_fts_follows_inserts_and_updates(store: SQLiteStore) -> None:
    store.papers.upsert_papers([paper("2401.00001", title="Quokka detection in the wild")])
    hits = store.papers.lexical_search(TextQuery(terms=("quokka",)))
    assert [h.id for h in hits] == ["2401.00001"]
    store.papers.upsert_papers([paper("2401.00001", version=2, title="Wombat tracking at night")])
    assert store.papers.lexical_search(TextQuery(terms=("quokka",))) == []
    assert [h.id for h in store.papers.lexical_search(TextQuery(terms=("wombat",)))] == [
        "2401.00001"
    ]
    # the index has one row per paper, no leftovers of the old title
    n = store.db.reader.execute("SELECT count(*) FROM papers_fts").fetchone()[0]
    assert n == 1
    check = "INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')"
    store.db.writer.execute(check)


def test_open_store_url_forms(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///rel/one.db") as s:
        assert Path(s.path) == Path("rel/one.db")
    assert (tmp_path / "rel" / "one.db").is_file()
    absolute = tmp_path / "abs" / "two.db"
    with open_store(f"sqlite:///{absolute}") as s:  # sqlite:////abs/two.db
        assert s.path == absolute
    assert absolute.is_file()
    with open_store(str(tmp_path / "three.db")) as s:
        s.papers.upsert_papers([paper("2401.00001")])
    with open_store(f"sqlite:///{tmp_path / 'three.db'}") as s:
        assert s.papers.count_papers() == 1
    with open_store("sqlite:///space%20d.db") as s:
        assert Path(s.path) == Path("space d.db")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u:secret@127.0.0.1:1/db", "cannot connect"),
        ("mysql://x", "unsupported database scheme 'mysql'"),
        ("sqlite://", "expected sqlite:///PATH"),
        ("sqlite:///", "expected sqlite:///PATH"),
    ],
)
def test_open_store_rejects_bad_urls(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as info:
        open_store(url)
    assert "secret" not in str(info.value)  # credentials never echoed


def _at_schema(path: Path, version: int) -> None:
    """Make a database as an older Paperboy left it: migrations up to ``version`` only."""
    from paperboy.store import migrate

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
    )
    for mig in migrate.load_migrations("sqlite")[:version]:
        for statement in migrate.split_sql(mig.sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (mig.version, mig.name))
    conn.close()


def test_a_database_behind_is_refused_until_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _at_schema(path, 2)
    with pytest.raises(SchemaBehind, match="run 'paperboy migrate' first"):
        open_store(str(path))
    with open_store(str(path), migrate="apply") as s:
        newest = len(load_migrations("sqlite"))
        assert s.migrated == list(range(3, newest + 1)) and s.schema_version() == newest
    with open_store(str(path)) as s:
        assert s.migrated == []


def test_passage_vectors_move_to_their_own_table(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "old.db"
    _at_schema(path, 2)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO papers (id, namespace, title, abstract, authors, categories, code_links,"
        " upvote_sources, first_seen, last_seen, content_hash)"
        " VALUES ('2401.00001', 'arxiv', 't', 'a', '[]', '[]', '[]', '[]', 'x', 'x', 'h')"
    )
    blob = np.ones((2, 4), "<f2").tobytes()
    conn.execute("INSERT INTO vectors VALUES ('2401.00001', 'm#passages', 'h', 4, ?)", (blob,))
    conn.execute(
        "INSERT INTO vectors VALUES ('2401.00001', 'm', 'h', 4, ?)",
        (np.ones(4, "<f4").tobytes(),),
    )
    conn.close()
    with open_store(str(path), migrate="apply") as s:
        assert s.vectors.get_passage_vectors("m", ["2401.00001"])["2401.00001"].shape == (2, 4)
        assert s.vectors.models() == ["m"]


def test_two_processes_migrating_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "race.db"
    _at_schema(path, 1)
    code = (
        "import sys; from paperboy.store import open_store; "
        "s = open_store(sys.argv[1], migrate='apply'); print(s.migrated); s.close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60)[0].decode().strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(outputs).count("[]") >= 1 or "[2, 3]" in outputs
    conn = sqlite3.connect(path)
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [m.version for m in load_migrations("sqlite")]
    conn.close()


def test_papers_stored_without_a_listing_day_get_their_first_day(tmp_path: Path) -> None:
    from datetime import date

    path = tmp_path / "old.db"
    _at_schema(path, 3)
    old = paper("2401.00001", listing_date=None)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO papers (id, namespace, version, title, abstract, authors, categories,"
        " code_links, upvote_sources, first_seen, last_seen, content_hash)"
        " VALUES (?, 'arxiv', 1, ?, ?, '[\"Ada Lovelace\"]', '[\"cs.CL\"]', '[]', '[]',"
        " '2025-06-30T23:59:00+00:00', '2025-07-01T10:00:00+00:00', ?)",
        (old.id, old.title, old.abstract, old.content_hash()),
    )
    conn.close()
    with open_store(str(path), migrate="apply") as s:
        got = s.papers.get_paper("2401.00001")
        assert (got.listing_date, got.listing_basis) == (date(2025, 6, 30), "imported")
        # The stored hash still matches: importing the same record again is a no-op.
        c = s.papers.upsert_papers([old])
        assert (c.updated, c.unchanged) == (0, 1)


def test_the_migration_places_old_papers_as_the_code_would(tmp_path: Path) -> None:
    """The SQL backfill of 0004 and ``settle_listing_day`` agree, on every weekday."""
    from datetime import UTC, date, datetime, timedelta

    from paperboy.models.paper import settle_listing_day

    path = tmp_path / "old.db"
    _at_schema(path, 3)
    days = [date(2024, 3, 4) + timedelta(days=i) for i in range(7)]
    stamp = "2025-01-01T00:00:00+00:00"
    conn = sqlite3.connect(path, isolation_level=None)
    for i, day in enumerate(days):
        for ns in ("arxiv", "local"):
            conn.execute(
                "INSERT INTO papers (id, namespace, title, abstract, authors, categories,"
                " code_links, upvote_sources, first_seen, last_seen, content_hash, published)"
                " VALUES (?, ?, 't', 'a', '[]', '[]', '[]', '[]', ?, ?, 'h', ?)",
                (f"{ns}-{i}", ns, stamp, stamp, day.isoformat()),
            )
    conn.close()
    today = datetime.now(UTC).date()
    with open_store(str(path), migrate="apply") as s:
        for i, day in enumerate(days):
            for ns in ("arxiv", "local"):
                got = s.papers.get_paper(f"{ns}-{i}")
                want = settle_listing_day(replace(got, listing_date=None), today)
                assert (got.listing_date, got.listing_basis) == (
                    want.listing_date,
                    want.listing_basis,
                ), (ns, day)


def test_a_write_held_by_another_process_times_out_with_a_clear_error(
    tmp_path: Path, monkeypatch
) -> None:
    """Writers queue on the ``-writer`` lock; one held too long (a hung process) is
    "database is locked" after the timeout, as SQLite's busy timeout would say, not a hang."""
    import fcntl
    import os

    from paperboy.store.sqlite import db

    path = tmp_path / "papers.db"
    with open_store(f"sqlite:///{path}") as store:
        other = os.open(f"{path}-writer", os.O_RDWR)  # another open file: another holder
        try:
            fcntl.flock(other, fcntl.LOCK_EX)
            monkeypatch.setattr(db, "QUEUE_TIMEOUT", 0.2)
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                store.state.setdefault_state("k", "v")
            fcntl.flock(other, fcntl.LOCK_UN)
            assert store.state.setdefault_state("k", "v") == "v"  # free again: writes go on
        finally:
            os.close(other)
