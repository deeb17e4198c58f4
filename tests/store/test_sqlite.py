"""The SQLite store on real files: migrations, WAL, FTS5 in step, filters, vectors, state."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from paperboy.models.paper import Paper
from paperboy.models.query import Filters, TextQuery
from paperboy.store import StoreError, open_store
from paperboy.store.migrate import load_migrations
from paperboy.store.sqlite import SQLiteStore


def all_vectors(store, model: str) -> tuple[list[str], np.ndarray]:
    rows = [row for batch in store.vectors.iter_vectors(model) for row in batch]
    if not rows:
        return [], np.zeros((0, 0), np.float32)
    return [r[0] for r in rows], np.stack([r[2] for r in rows])


def paper(pid: str, **kw) -> Paper:
    base = dict(
        id=pid,
        title=f"Paper {pid}",
        abstract="An abstract.",
        authors=["Ada Lovelace"],
        categories=["cs.CL"],
        version=1,
        listing_date=date(2024, 1, 2),
    )
    return Paper(**{**base, **kw})


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "papers.db")
    yield s
    s.close()


# --- migrations ------------------------------------------------------------------------


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


# --- concurrency -----------------------------------------------------------------------


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


# --- papers and FTS --------------------------------------------------------------------


def test_upsert_counts_and_idempotence(store: SQLiteStore) -> None:
    c = store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    assert (c.added, c.updated, c.unchanged) == (2, 0, 0)
    assert sorted(c.changed_ids) == ["2401.00001", "2401.00002"]
    c = store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    assert (c.added, c.updated, c.unchanged, c.changed_ids) == (0, 0, 2, [])
    c = store.papers.upsert_papers([paper("2401.00001", version=2, title="Revised")])
    assert (c.added, c.updated, c.unchanged) == (0, 1, 0)
    c = store.papers.upsert_papers([paper("2401.00001", version=1, title="Stale")])
    assert (c.added, c.updated, c.unchanged) == (0, 0, 1)
    assert store.papers.get_paper("2401.00001").title == "Revised"


def test_round_trip_keeps_every_field(store: SQLiteStore) -> None:
    p = paper(
        "2401.00001",
        authors=["Zoë Ångström", "B"],
        categories=["cs.CL", "cs.AI"],
        published=date(2024, 1, 1),
        updated=date(2024, 1, 5),
        comment="12 pages",
        journal_ref="J. Foo 1",
        doi="10.1/x",
        code_links=["https://github.com/a/b"],
        upvotes=7,
        upvote_sources=["hf"],
    )
    store.papers.upsert_papers([p])
    got = store.papers.get_paper("2401.00001")
    assert got.first_seen is not None and got.last_seen is not None
    got.first_seen = got.last_seen = None
    assert got == p
    assert store.papers.get_paper("2401.99999") is None


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


def test_search_quotes_user_syntax(store: SQLiteStore) -> None:
    store.papers.upsert_papers([paper("2401.00001", title='Say "NEAR" AND OR NOT*')])
    assert [h.id for h in store.papers.lexical_search(TextQuery(terms=("NEAR", "NOT*")))] == [
        "2401.00001"
    ]


@pytest.fixture
def seeded(store: SQLiteStore) -> SQLiteStore:
    store.papers.upsert_papers(
        [
            paper("2401.00001", categories=["cs.CL"], authors=["Ada Lovelace"],
                  listing_date=date(2024, 1, 2), upvotes=5),
            paper("2401.00002", categories=["cs.LG", "stat.ML"], authors=["Alan Turing"],
                  listing_date=date(2024, 1, 3), upvotes=9),
            paper("2401.00003", categories=["math.CO"], authors=["Ada Lovelace", "Alan Turing"],
                  listing_date=date(2024, 1, 4)),
            paper("2401.00004", categories=["cs.CLX"], authors=["100%_Real"],
                  listing_date=date(2024, 1, 4)),
            paper("corpus-7", namespace="local", version=None, categories=["cs.CL"],
                  authors=["Grace Hopper"], listing_date=None, published=date(2023, 12, 31)),
        ]
    )  # fmt: skip
    return store


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(categories=("cs.CL",)), {"2401.00001", "corpus-7"}),
        (Filters(categories=("cs",)), {"2401.00001", "2401.00002", "2401.00004", "corpus-7"}),
        (Filters(categories=("stat.ML", "math")), {"2401.00002", "2401.00003"}),
        (Filters(authors=("ada",)), {"2401.00001", "2401.00003"}),
        (Filters(authors=("ada", "turing")), {"2401.00003"}),
        (Filters(authors=("100%_",)), {"2401.00004"}),
        (Filters(authors=("%",)), {"2401.00004"}),
        (Filters(after=date(2024, 1, 3)), {"2401.00002", "2401.00003", "2401.00004"}),
        (Filters(before=date(2024, 1, 2)), {"2401.00001", "corpus-7"}),
        (Filters(after=date(2024, 1, 3), before=date(2024, 1, 3)), {"2401.00002"}),
        (Filters(namespace="local"), {"corpus-7"}),
        (Filters(namespace="arxiv", categories=("cs.CL",)), {"2401.00001"}),
    ],
)
def test_filters(seeded: SQLiteStore, filters: Filters, expected: set[str]) -> None:
    assert {p.id for p in seeded.papers.list_papers(filters, limit=100)} == expected
    assert seeded.papers.count_papers(filters) == len(expected)
    all_ids = [p.id for p in seeded.papers.list_papers(limit=100)]
    assert seeded.papers.filter_ids(all_ids, filters) == expected


def test_list_orders_limit_offset(seeded: SQLiteStore) -> None:
    ids = lambda **kw: [p.id for p in seeded.papers.list_papers(**kw)]  # noqa: E731
    assert ids(order="listing") == [
        "2401.00004", "2401.00003", "2401.00002", "2401.00001", "corpus-7"
    ]  # fmt: skip
    assert ids(order="upvotes")[:2] == ["2401.00002", "2401.00001"]
    assert ids(order="id") == sorted(ids(order="id"))
    assert ids(order="listing", limit=2, offset=1) == ["2401.00003", "2401.00002"]
    with pytest.raises(ValueError, match="unknown order"):
        seeded.papers.list_papers(order="random")


def test_listing_dates_newest_first_and_filtered(seeded: SQLiteStore) -> None:
    assert seeded.papers.listing_dates() == [date(2024, 1, 4), date(2024, 1, 3), date(2024, 1, 2)]
    assert seeded.papers.listing_dates(Filters(categories=("cs.LG",))) == [date(2024, 1, 3)]


def test_iter_papers_visits_each_once(seeded: SQLiteStore) -> None:
    batches = list(seeded.papers.iter_papers(batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert sorted(p.id for b in batches for p in b) == sorted(
        p.id for p in seeded.papers.list_papers()
    )


def test_stats(seeded: SQLiteStore) -> None:
    s = seeded.stats()
    assert s["papers"] == 5
    assert s["namespaces"] == {"arxiv": 4, "local": 1}
    assert s["listing_dates"] == ["2024-01-02", "2024-01-04"]
    assert s["schema_version"] == len(load_migrations("sqlite"))


def test_find_by_title_ignores_case_and_spacing(seeded: SQLiteStore) -> None:
    assert seeded.papers.find_by_title("  paper   2401.00002 ") == ["2401.00002"]


# --- vectors and state -----------------------------------------------------------------


def test_vectors_round_trip(seeded: SQLiteStore) -> None:
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((3, 8)).astype(np.float32)
    ids = ["2401.00003", "2401.00001", "2401.00002"]
    rows = [(pid, f"h{i}", v) for i, (pid, v) in enumerate(zip(ids, vecs, strict=True))]
    seeded.vectors.save_vectors("m", rows)
    got_ids, matrix = all_vectors(seeded, "m")
    assert matrix.dtype == np.float32 and matrix.shape == (3, 8)
    by_id = dict(zip(got_ids, matrix, strict=True))
    for pid, v in zip(ids, vecs, strict=True):
        np.testing.assert_array_equal(by_id[pid], v)
    assert seeded.vectors.vector_text_hashes("m") == {"2401.00003": "h0", "2401.00001": "h1",
                                              "2401.00002": "h2"}  # fmt: skip
    seeded.vectors.save_vectors("m", [("2401.00001", "new", vecs[0])])  # replaces
    assert seeded.vectors.vector_text_hashes("m")["2401.00001"] == "new"
    assert all_vectors(seeded, "other")[0] == []
    assert seeded.stats()["vectors"] == {"m": 3}


def test_state_get_set_delete(store: SQLiteStore) -> None:
    assert store.state.get_state("cursor") is None
    store.state.set_state("cursor", "a")
    store.state.set_state("cursor", "b")
    assert store.state.get_state("cursor") == "b"
    store.state.set_state("cursor", None)
    assert store.state.get_state("cursor") is None


def test_failed_batch_writes_nothing(store: SQLiteStore) -> None:
    good, bad = paper("2401.00001"), paper("2401.00002")
    bad.authors = object()  # cannot be encoded: the whole batch must roll back
    with pytest.raises(TypeError):
        store.papers.upsert_papers([good, bad])
    assert store.papers.count_papers() == 0


# --- open_store ------------------------------------------------------------------------


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
        ("postgres://u@h/db", "unsupported database scheme 'postgres'"),
        ("mysql://x", "unsupported database scheme 'mysql'"),
        ("sqlite://", "expected sqlite:///PATH"),
        ("sqlite:///", "expected sqlite:///PATH"),
    ],
)
def test_open_store_rejects_bad_urls(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(url)


def test_find_paper_takes_any_pasted_id_form(tmp_path) -> None:
    from paperboy.models.paper import Paper
    from paperboy.store import open_store

    with open_store(str(tmp_path / "f.db")) as s:
        s.papers.upsert_papers(
            [
                Paper(id="2401.01234", title="T", version=2),
                Paper(id="4983", title="C", namespace="scifact"),
            ]
        )
        for raw in (
            "2401.01234",
            "2401.01234v1",
            "arXiv:2401.01234",
            " https://arxiv.org/abs/2401.01234v2 ",
        ):
            assert s.papers.find_paper(raw).id == "2401.01234"
        assert s.papers.find_paper("4983").namespace == "scifact"
        assert s.papers.find_paper("2401.09999") is None and s.papers.find_paper("") is None
