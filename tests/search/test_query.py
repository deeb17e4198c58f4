from datetime import date

import pytest

from paperboy.models.query import Filters
from paperboy.search.query import QueryError, merge_filters, parse_query


def test_words_and_phrases():
    q = parse_query('diffusion "world models" for planning')
    assert q.terms == ("diffusion", "for", "planning")
    assert q.phrases == ("world models",)
    and_q = q.text_query("and")
    assert and_q.terms == ("diffusion", "planning") and and_q.mode == "and"
    assert q.text_query("or").terms == ("diffusion", "planning")
    assert parse_query("what is it").text_query().terms == ("what", "is", "it")


def test_ids_and_urls_anywhere():
    q = parse_query("compare https://arxiv.org/abs/2401.01234v2 with arXiv:hep-th/9901001 please")
    assert q.ids == ("2401.01234", "hep-th/9901001")
    assert q.terms == ("compare", "with", "please")
    assert parse_query("2401.01234").ids == ("2401.01234",)
    assert parse_query("arxiv.org/pdf/2401.01234.pdf").ids == ("2401.01234",)
    assert parse_query("release 2401.1 of 1.2.3").ids == ()


def test_filters_in_the_query():
    q = parse_query('cat:cs.CL author:"Yann LeCun" after:2025-01-01 before:2025-06 transformers')
    assert q.filters == Filters(
        categories=("cs.CL",), authors=("Yann LeCun",), after=date(2025, 1, 1),
        before=date(2025, 6, 1),
    )  # fmt: skip
    assert q.terms == ("transformers",)
    assert parse_query("before:2024 x").filters.before == date(2024, 12, 31)
    with pytest.raises(QueryError, match="after:yesterday"):
        parse_query("after:yesterday x")


def test_title_candidate():
    assert parse_query('"Attention Is All You Need"').title_candidate == "Attention Is All You Need"
    assert parse_query("cat:cs.CL Attention Is All").title_candidate == "Attention Is All"


def test_merge_filters():
    a = Filters(categories=("cs.CL",), after=date(2025, 1, 1), namespace="x")
    b = Filters(categories=("cs.LG",), authors=("Turing",), after=date(2025, 3, 1))
    m = merge_filters(a, b)
    assert m.categories == ("cs.CL", "cs.LG") and m.authors == ("Turing",)
    assert m.after == date(2025, 3, 1) and m.namespace == "x"
