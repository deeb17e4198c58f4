"""PostgreSQL keeps BM25's statistics itself (``lexemes``, ``counters``): they must equal a
recount from the stored rows after every kind of write, or ranking drifts silently."""

from __future__ import annotations

import psycopg

from paperboy.store import open_store

from .contract import write_term_history


def _kept_and_recounted(url: str) -> tuple[tuple, tuple]:
    with psycopg.connect(url) as conn:
        kept = conn.execute("SELECT lexeme, df FROM lexemes WHERE df <> 0 ORDER BY lexeme")
        kept_df = kept.fetchall()
        counters = dict(conn.execute("SELECT name, value FROM counters").fetchall())
        fresh_df = conn.execute(
            "SELECT u.lexeme, count(*) FROM papers p, unnest(tsvector_to_array(p.tsv)) u(lexeme)"
            " GROUP BY u.lexeme ORDER BY u.lexeme"
        ).fetchall()
        docs, tokens = conn.execute("SELECT count(*), sum(doc_len) FROM papers").fetchone()
        fresh_len = conn.execute(
            "SELECT count(*) FROM papers WHERE doc_len <>"
            " (SELECT COALESCE(sum(array_length(u.positions, 1)), 0) FROM unnest(tsv) u)"
            " OR tsv <> paperboy_tsv(title, abstract, authors)"
        ).fetchone()[0]
    assert fresh_len == 0  # every row's tsv and doc_len match its text
    return (kept_df, counters["documents"], counters["tokens"]), (fresh_df, docs, tokens)


def test_lexemes_and_counters_equal_a_recount(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        papers = write_term_history(store)
    kept, fresh = _kept_and_recounted(postgres_url)
    assert fresh[1] == len(papers) == 150 and fresh[2] > 150
    assert kept == fresh


def test_an_import_indexed_ahead_keeps_them_exact(postgres_url: str, monkeypatch) -> None:
    """import_records prepares each batch while it writes the one before: the tsv made
    ahead is used (and matches the text), and a paper whose text changed since it was
    prepared, or that was merged with a stored one, is indexed from its written text."""
    from paperboy.ingest.jobs import import_records
    from paperboy.store.postgres.papers import PostgresPapers

    from .contract import paper

    used: list[int] = []
    take = PostgresPapers._take_indexed
    monkeypatch.setattr(
        PostgresPapers,
        "_take_indexed",
        lambda self, ids: used.append(len(r := take(self, ids))) or r,
    )
    pid = "2403.{:05d}".format
    with open_store(postgres_url) as store:
        store.papers.upsert_papers([paper(pid(3), title="stored alpha")])
        store.papers.prepare([paper(pid(50), title="prepared bravo")])
        store.papers.upsert_papers([paper(pid(50), title="written delta")])
        records = [
            paper(pid(i % 40), version=1 + i // 40, title=f"echo {i} kilo") for i in range(60)
        ]
        report = import_records(store, records, batch_size=7)
        assert report.counts.added == 39 and store.papers.count_papers() == 41
    assert sum(used) > 20  # most new papers came indexed ahead
    kept, fresh = _kept_and_recounted(postgres_url)
    assert kept == fresh
