"""Issue 7, M2 and L3 below the web layer: the query syntax, the store and the CLI.

Filters are bounded wherever they are built (``cat:``/``author:`` in the query, the CLI's
options, and both together), LIKE wildcards in a category are literal, and a query the
database cannot run fails with a message that says nothing about the database.
"""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.models.query import Filters, TextQuery
from paperboy.search.query import (
    MAX_AUTHORS,
    MAX_CATEGORIES,
    QueryError,
    clean_query,
    merge_filters,
    parse_query,
)
from paperboy.search.types import SearchRequest

NAMES = [f"cs.{a}{b}" for a in "ABCDEFGHIJ" for b in "ABCDEFGHIJ"]


def test_query_categories_are_bounded():
    assert len(parse_query("cat:" + ",".join(NAMES[:MAX_CATEGORIES])).filters.categories) == 20
    with pytest.raises(QueryError, match="at most 20 categories, got 21"):
        parse_query("cat:" + ",".join(NAMES[:21]))
    with pytest.raises(QueryError, match="at most 20 categories, got 100"):
        parse_query(" ".join(f"cat:{c}" for c in NAMES) + " models")


def test_repeated_categories_count_once():
    q = parse_query("cat:cs.CL " * 50 + "cat:cs.CL,cs.LG")
    assert q.filters.categories == ("cs.CL", "cs.LG")


@pytest.mark.parametrize("cat", ["%", "_", "cs.%", "c_", "cs.CL.x", "cs\\", "a'b", "cs.C L"])
def test_query_categories_must_look_like_one(cat):
    with pytest.raises(QueryError, match="category: expected a name such as cs.CL"):
        parse_query(f'cat:"{cat}" models')


@pytest.mark.parametrize("cat", ["cs", "cs.CL", "hep-th", "cond-mat.stat-mech", "math-ph"])
def test_real_categories_pass(cat):
    assert parse_query(f"cat:{cat} models").filters.categories == (cat,)


def test_query_authors_are_bounded():
    names = [f'author:"Name {i}"' for i in range(MAX_AUTHORS + 1)]
    assert len(parse_query(" ".join(names[:-1])).filters.authors) == MAX_AUTHORS
    with pytest.raises(QueryError, match="at most 5 authors, got 6"):
        parse_query(" ".join(names))


def test_merged_filters_are_bounded_together():
    a = Filters(categories=tuple(NAMES[:15]), authors=("A", "B", "C"))
    b = Filters(categories=tuple(NAMES[10:25]), authors=("C", "D"))
    with pytest.raises(QueryError, match="at most 20 categories, got 25"):
        merge_filters(a, b)
    merged = merge_filters(a, Filters(categories=tuple(NAMES[:20]), authors=("D", "E")))
    assert len(merged.categories) == 20 and merged.authors == ("A", "B", "C", "D", "E")
    with pytest.raises(QueryError, match="at most 5 authors, got 6"):
        merge_filters(a, Filters(authors=("D", "E", "F")))


def test_control_characters_become_spaces():
    assert clean_query("a\x00b\tc\x1b[0m\x7f\x85d") == "a b c [0m  d"
    q = parse_query('"a\x00b" c')
    assert q.phrases == ("a b",) and "\x00" not in q.raw


def test_a_wildcard_category_is_literal_in_the_store(store):
    # filter_sql itself escapes, for any caller that skips check_filters.
    every = store.papers.count_papers(Filters())
    assert every == 5
    for wild in ("%", "_", "c%", "c_", "%.%"):
        assert store.papers.count_papers(Filters(categories=(wild,))) == 0, wild
    assert store.papers.count_papers(Filters(categories=("cs",))) == 5  # an archive still matches
    assert store.papers.count_papers(Filters(categories=("cs.CL",))) == 2
    hits = store.papers.lexical_search(TextQuery(terms=("models",)), Filters(categories=("%",)))
    assert hits == []


@pytest.mark.sqlite_only  # FTS5's own error text; PostgreSQL never sees a NUL (tests/store)
def test_a_failed_full_text_search_names_no_internals(store, caplog):
    with caplog.at_level(logging.WARNING, logger="paperboy.store.sqlite"):
        with pytest.raises(ValueError) as info:
            store.papers.lexical_search(TextQuery(phrases=("a\x00b",)))
    assert str(info.value) == "cannot search for that query"
    assert "unterminated" in caplog.text  # the details are logged for the operator


def test_the_searcher_never_sends_a_nul_to_the_database(searcher):
    resp = searcher.search(SearchRequest('"world\x00models" planning'))
    assert "2503.00003" in [r.paper.id for r in resp.results]


def run(store, *args):
    return CliRunner().invoke(app, ["--db", store.url, *args])


def test_cli_refuses_too_many_categories_in_one_line(store):
    args = ["search", "models"] + [a for c in NAMES[:21] for a in ("--cat", c)]
    result = run(store, *args)
    assert result.exit_code == 1
    assert "at most 20 categories, got 21" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    wild = run(store, "search", "cat:[red]% models")
    assert wild.exit_code == 1 and "'[red]%'" in wild.output


def test_cli_batch_names_the_line_of_a_bad_query(store, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"_id": "q1", "text": "world models"}\n{"_id": "q2", "text": "cat:%"}\n')
    result = run(store, "search", "--batch", str(queries), "--json")
    assert result.exit_code == 1
    assert f"{queries}:2: category: expected a name such as cs.CL" in result.output
