"""PostgreSQL's BM25 (store/postgres/papers.py): scored here from each paper's tsv, equal to the
formula computed by the database itself, and, past EXACT_MAX matches, candidates taken from
matching titles first."""

from __future__ import annotations

import math

import psycopg
import pytest

from paperboy.models.query import TextQuery
from paperboy.store import open_store
from paperboy.store.postgres import papers as pg_papers
from paperboy.store.postgres.papers import match_bound

from .contract import paper

pid = "2404.{:05d}".format


def test_match_bound_follows_the_query_mode() -> None:
    df = {"a": 50, "b": 7, "c": 20, "d": 0}
    assert match_bound("and", [["a"], ["b", "c"]], df, 100) == 7
    assert match_bound("or", [["a"], ["b"], ["c"]], df, 100) == 77
    assert match_bound("or", [["a"], ["a"], ["a"]], df, 100) == 100  # never above all papers
    assert match_bound("two", [["a"], ["b"], ["c"]], df, 100) == 7 + 20 + 7
    assert match_bound("two", [["a"], ["c"]], df, 100) == 20  # two of two: both
    assert match_bound("and", [["a"], ["d"]], df, 100) == 0
    assert match_bound("and", [], df, 100) == 0


def _sql_bm25(url: str, ids: list[str], lexemes: list[str]) -> dict[str, float]:
    """BM25 computed in SQL from the stored statistics: FTS5's formula, field weights 3/1/0.5."""
    with psycopg.connect(url) as conn:
        n, tokens = (v for _, v in conn.execute(
            "SELECT name, value FROM counters WHERE name IN ('documents', 'tokens') ORDER BY name"
        ).fetchall())  # fmt: skip
        df = dict(conn.execute("SELECT lexeme, df FROM lexemes WHERE lexeme = ANY(%s)",
                               (lexemes,)).fetchall())  # fmt: skip
        rows = conn.execute(
            "SELECT p.id, p.doc_len, u.lexeme,"
            " 3 * cardinality(array_positions(u.weights, 'A'))"
            " + cardinality(array_positions(u.weights, 'B'))"
            " + 0.5 * (cardinality(u.weights) - cardinality(array_positions(u.weights, 'A'))"
            "          - cardinality(array_positions(u.weights, 'B')))"
            " FROM papers p, unnest(p.tsv) u WHERE p.id = ANY(%s) AND u.lexeme = ANY(%s)",
            (ids, lexemes),
        ).fetchall()
    avgdl = tokens / n
    out = dict.fromkeys(ids, 0.0)
    for paper_id, doc_len, lexeme, tf in rows:
        idf = max(math.log((n - df[lexeme] + 0.5) / (df[lexeme] + 0.5)), 1e-6)
        norm = 1.2 * (1 - 0.75 + 0.75 * doc_len / avgdl)
        out[paper_id] += idf * float(tf) * 2.2 / (float(tf) + norm)
    return out


def _corpus() -> list:
    """Papers with 'quasar pulsar' in the title (0-5), in the abstract only (10-29, some
    several times), one of the two (40-59), and neither (60-99)."""
    out = []
    for i in range(6):
        out.append(paper(pid(i), title=f"Quasar pulsar survey {i}", abstract="Radio timing."))
    for i in range(10, 30):
        repeat = " ".join(["quasar pulsar"] * (1 + i % 4))
        out.append(paper(pid(i), title=f"Timing study {i}", abstract=f"We see {repeat} here."))
    for i in range(40, 60):
        out.append(paper(pid(i), title=f"Quasar catalogue {i}", abstract="A catalogue."))
    for i in range(60, 100):
        out.append(paper(pid(i), title=f"Galaxy {i}", abstract="Spiral arms.",
                         authors=["Quasar Smith"] if i % 5 == 0 else ["Ada Lovelace"]))  # fmt: skip
    return out


@pytest.fixture
def corpus_url(postgres_url: str) -> str:
    with open_store(postgres_url) as store:
        store.papers.upsert_papers(_corpus())
    return postgres_url


QUERIES = [  # each with its lexemes
    (TextQuery(terms=("quasar", "pulsar")), ["quasar", "pulsar"]),
    (TextQuery(terms=("quasar",)), ["quasar"]),
    (TextQuery(terms=("pulsar", "quasar", "galaxy"), mode="or"), ["pulsar", "quasar", "galaxi"]),
]


@pytest.mark.parametrize(("query", "lexemes"), QUERIES)
def test_scores_equal_bm25_computed_by_the_database(corpus_url, query, lexemes) -> None:
    with open_store(corpus_url) as store:
        hits = store.papers.lexical_search(query, limit=200)
    expected = _sql_bm25(corpus_url, [h.id for h in hits], lexemes)
    assert hits and all(h.score == pytest.approx(expected[h.id]) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_past_exact_max_title_matches_come_first(corpus_url: str, monkeypatch) -> None:
    query = TextQuery(terms=("quasar", "pulsar"))
    with open_store(corpus_url) as store:
        exact = store.papers.lexical_search(query, limit=200)
        assert len(exact) == 26  # 6 titles + 20 abstracts
        monkeypatch.setattr(pg_papers, "EXACT_MAX", 5)
        monkeypatch.setattr(pg_papers, "TIER_CAP", 12)
        monkeypatch.setattr(pg_papers, "RERANK_TIERS", 100)  # BM25 for every row read
        scores = {h.id: h.score for h in exact}
        # Enough titles match: only they are read, in BM25 order among themselves.
        top = store.papers.lexical_search(query, limit=4)
        titles = [h for h in exact if h.id < pid(6)]
        assert [h.id for h in top] == [h.id for h in titles[:4]]
        # Too few: the six titles, then other matches, TIER_CAP rows read in all.
        more = store.papers.lexical_search(query, limit=200)
        assert len(more) == 12 and {pid(i) for i in range(6)} <= {h.id for h in more}
        assert all(h.score == pytest.approx(scores[h.id]) for h in more)
        # An OR query whose bound passes EXACT_MAX takes the same path, hidden papers left out.
        store.papers.set_hidden(pid(0), True)
        hits = store.papers.lexical_search(TextQuery(terms=("pulsar", "quasar"), mode="or"))
        assert pid(0) not in {h.id for h in hits} and len(hits) == 12


def _buckets(url: str, ids: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT id, hashtext(id) & {pg_papers.BUCKETS - 1} FROM papers WHERE id = ANY(%s)",
            (ids,),
        ).fetchall()
    return dict(rows)


def test_past_exact_max_buckets_are_read_in_order(corpus_url: str, monkeypatch) -> None:
    """Under its LIMIT a search takes the matches of the first buckets of papers, not any."""
    monkeypatch.setattr(pg_papers, "EXACT_MAX", 5)
    monkeypatch.setattr(pg_papers, "TIER_CAP", 3)
    monkeypatch.setattr(pg_papers, "RERANK_TIERS", 100)
    with open_store(corpus_url) as store:
        top = store.papers.lexical_search(TextQuery(terms=("quasar", "pulsar")), limit=3)
    bucket = _buckets(corpus_url, [pid(i) for i in range(6)])
    assert len(top) == 3
    assert sorted(bucket[h.id] for h in top) == sorted(bucket.values())[:3]


@pytest.mark.parametrize("column", ["p.tsv", pg_papers._TITLE])
def test_each_bucket_has_its_partial_index(corpus_url: str, column: str) -> None:
    """The buckets the search names are the ones migration 0012 indexed."""
    select = f"SELECT p.id FROM papers p WHERE {column} @@ 'quasar'::tsquery"
    source, _ = pg_papers._per_bucket(select, [])
    with psycopg.connect(corpus_url) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN {source}").fetchall())
    kind = "tsv" if column == "p.tsv" else "title"
    used = {f"papers_{kind}_b{k}" for k in range(pg_papers.BUCKETS)}
    assert {name for name in used if f" on {name} " in plan} == used
