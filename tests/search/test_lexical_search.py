"""Query forms, filters, fallback and sorts through the Searcher, with no vectors at all."""

from datetime import date

import pytest

from paperboy.models.query import Filters
from paperboy.search.lexical import FALLBACK_NOTE
from paperboy.search.types import SearchRequest


def ids(resp):
    return [r.paper.id for r in resp.results]


def test_no_vectors_means_lexical_only_with_results(searcher):
    resp = searcher.search(SearchRequest("planning"))
    assert resp.lexical_only is True
    assert set(ids(resp)) == {"2503.00003", "2505.00005"}
    assert all(r.matched == "lexical" for r in resp.results)


def test_arxiv_id_and_url_put_the_paper_first(searcher):
    resp = searcher.search(SearchRequest("planning 2502.00002"))
    assert ids(resp)[0] == "2502.00002" and resp.results[0].matched == "id"
    resp = searcher.search(SearchRequest("see https://arxiv.org/abs/2504.00004v3"))
    assert ids(resp)[0] == "2504.00004"
    resp = searcher.search(SearchRequest("2512.99999"))
    assert resp.results == [] and any("2512.99999" in n for n in resp.notes)


def test_exact_title_comes_first(searcher):
    for q in ("planning with language models", '"Planning with Language Models"'):
        resp = searcher.search(SearchRequest(q))
        assert ids(resp)[0] == "2505.00005" and resp.results[0].matched == "title"


def test_phrases_match_in_order_only(searcher):
    assert ids(searcher.search(SearchRequest('"world models"'))) == ["2503.00003"]
    assert ids(searcher.search(SearchRequest('"models world"'))) == []


def test_and_first_then_or_with_a_note(searcher):
    resp = searcher.search(SearchRequest("robot planning", limit=1))
    assert resp.notes == [] and set(ids(resp)) <= {"2503.00003", "2505.00005"}
    resp = searcher.search(SearchRequest("robot molecules"))
    assert FALLBACK_NOTE in resp.notes
    assert {"2503.00003", "2505.00005", "2502.00002"} <= set(ids(resp))


def test_and_matches_rank_above_or_matches(searcher):
    resp = searcher.search(SearchRequest("language robot planning transformers"))
    assert FALLBACK_NOTE in resp.notes
    assert ids(resp)[0] == "2505.00005"  # the one paper with three of the four words


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        ("cat:cs.CL attention OR speech", Filters(), {"2501.00001", "2504.00004"}),
        ('author:"yann lecun" models', Filters(), {"2502.00002", "2503.00003"}),
        ("models", Filters(authors=("LeCun",)), {"2502.00002", "2503.00003"}),
        ("planning after:2025-04-01", Filters(), {"2505.00005"}),
        ("planning", Filters(before=date(2025, 4, 1)), {"2503.00003"}),
        ("cat:cs", Filters(), {"2501.00001", "2502.00002", "2503.00003", "2504.00004",
                               "2505.00005"}),
        ("", Filters(categories=("cs.RO",)), {"2503.00003"}),
    ],
)  # fmt: skip
def test_filters_in_query_and_as_options(searcher, query, filters, expected):
    resp = searcher.search(SearchRequest(query, filters=filters))
    assert set(ids(resp)) == expected


def test_sort_orders(searcher):
    q = "models OR planning OR speech"
    date_order = ids(searcher.search(SearchRequest(q, sort="date")))
    assert date_order == sorted(date_order, reverse=True)  # ids follow listing dates here
    trending = ids(searcher.search(SearchRequest(q, sort="trending")))
    # most upvotes first; equal upvotes (7 and 7): the newer first; none count as 0
    assert trending == ["2502.00002", "2504.00004", "2503.00003", "2505.00005"]
    browse = ids(searcher.search(SearchRequest("", sort="trending", limit=2)))
    assert browse == ["2502.00002", "2504.00004"]
    with pytest.raises(ValueError, match="sort"):
        searcher.search(SearchRequest("x", sort="best"))


def test_paging_and_total(searcher):
    every = ids(searcher.search(SearchRequest("models OR planning OR speech", limit=10)))
    page = searcher.search(SearchRequest("models OR planning OR speech", limit=2, offset=1))
    assert ids(page) == every[1:3] and page.total == len(every)


def test_unloadable_model_degrades_to_lexical(store):
    import numpy as np

    from paperboy.config import load_settings
    from paperboy.search.service import Searcher

    name = "/nonexistent/model-dir"
    rng = np.random.default_rng(0)
    rows = [(pid, "h", rng.normal(size=8)) for pid in ("2501.00001", "2503.00003")]
    store.vectors.save_vectors(name, rows)
    searcher = Searcher(store, load_settings({"PAPERBOY_EMBED_MODEL": name}))
    resp = searcher.search(SearchRequest("planning"))
    assert resp.lexical_only is True
    assert set(ids(resp)) == {"2503.00003", "2505.00005"}
    assert searcher.has_vectors() is False  # not retried on every request
    assert Searcher(store, searcher.settings).has_vectors() is False  # nor by the next searcher


def test_or_fallback_leaves_out_words_that_match_almost_everything(tmp_path, monkeypatch):
    from paperboy.search import lexical
    from paperboy.search.lexical import without_common_terms
    from paperboy.search.query import parse_query
    from paperboy.store import open_store

    from .conftest import paper

    with open_store(str(tmp_path / "c.db")) as s:
        s.papers.upsert_papers(
            [paper(f"2501.{i:05d}", f"A model number {i}", "model text") for i in range(1, 20)]
            + [paper("2502.00001", "Elastic budgets", "one model, many budgets")]
        )
        assert s.papers.document_counts(["model", "elastic", "nowhere"]) == {
            "model": 20,
            "elastic": 1,
            "nowhere": 0,
        }
        query = parse_query("elastic model").text_query("or")
        assert without_common_terms(s, query) == query  # a small collection keeps every word
        monkeypatch.setattr(lexical, "COMMON_MIN", 10)
        assert without_common_terms(s, query).terms == ("elastic",)
        # Only common words: the query stays as it is rather than becoming empty.
        common = parse_query("model text").text_query("or")
        assert without_common_terms(s, common) == common


def test_three_words_try_two_of_them_before_any(tmp_path):
    """No paper has all three words: the ones with two come, without one-word matches."""
    from paperboy.config import load_settings
    from paperboy.search.lexical import TWO_NOTE
    from paperboy.search.service import Searcher
    from paperboy.store import open_store

    from .conftest import paper

    with open_store(str(tmp_path / "t.db")) as s:
        s.papers.upsert_papers(
            [paper(f"2501.{i:05d}", f"Graph neural nets {i}", "message passing") for i in range(12)]
            + [paper("2502.00001", "Graph chemistry", "molecules")]
            + [paper(f"2503.{i:05d}", "Chemistry chemistry", "chemistry") for i in range(3)]
        )
        searcher = Searcher(s, load_settings({}))
        resp = searcher.search(SearchRequest("graph neural chemistry", limit=20))
        assert resp.notes == [TWO_NOTE]
        assert len(ids(resp)) == 13 and not any(i.startswith("2503.") for i in ids(resp))
        # Too few papers with two of the words: any word, as before.
        resp = searcher.search(SearchRequest("chemistry molecules nets", limit=20))
        assert FALLBACK_NOTE in resp.notes and len(ids(resp)) == 16
