"""Issue 7, M2 and L3: search input is bounded, and errors never echo internals.

Each test runs the probe from the issue against the real app over the demo database.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

API = "/api/paperboy/search"
INTERNALS = ("unterminated", "sqlite", "fts5", "papers_fts", "syntax error", "expression tree")


def _cats(n: int) -> str:
    return ",".join(f"cs.X{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}" for i in range(n))


def _get(client, path: str, **params):
    return client.get(f"{path}?{urlencode(params)}")


@pytest.mark.parametrize("n", [240, 500])
@pytest.mark.parametrize("path", [API, "/search", "/feeds/search.atom"])
def test_many_categories_in_the_parameter_are_a_clear_422(client, path, n):
    r = _get(client, path, q="x", category=_cats(n))
    assert r.status_code == 422, r.text
    assert f"at most 20 categories, got {n}" in r.text
    assert "Expression tree" not in r.text


@pytest.mark.parametrize("n", [240, 500])
@pytest.mark.parametrize("path", [API, "/search", "/feeds/search.atom"])
def test_many_categories_on_the_filter_only_path_are_a_clear_422(client, path, n):
    # No words in q: the Searcher browses by filters alone (the path that gave a 500).
    r = _get(client, path, q="cat:cs.CL", category=_cats(n))
    assert r.status_code == 422, r.text
    assert f"at most 20 categories, got {n}" in r.text
    assert "Expression tree" not in r.text


@pytest.mark.parametrize("path", [API, "/search"])
def test_many_categories_in_the_query_syntax_are_a_clear_422(client, path):
    names = [a + b for a in "abcdefghij" for b in "abcdefghij"]  # 100, within 500 characters
    for q in ("cat:" + ",".join(names), " ".join(f"cat:{c}" for c in names[:60]) + " model"):
        r = _get(client, path, q=q)
        assert r.status_code == 422, r.text
        assert "at most 20 categories, got" in r.text
    # Repeats are one category, so they never count against the bound.
    assert _get(client, path, q="cat:cs.CL," + ",".join(["cs.LG"] * 70)).status_code == 200


def test_parameter_and_query_categories_count_together(client):
    q = " ".join(f"cat:{c}" for c in _cats(30).split(",")[15:])
    r = _get(client, API, q=q, category=_cats(15))
    assert r.status_code == 422
    assert "at most 20 categories, got 30" in r.text


def test_twenty_categories_still_search(client):
    r = _get(client, API, q="model", category="cs.CL," + _cats(19))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("category", ["%", "_", "cs.%", "c%", "cs CL", "cs.CL.x", "a;b"])
def test_category_must_look_like_one(client, category):
    r = _get(client, API, q="model", category=category)
    assert r.status_code == 422, r.text
    assert "category: expected a name such as cs.CL" in r.text


def test_category_wildcard_in_the_query_syntax_is_refused(client):
    r = _get(client, API, q="cat:% model")
    assert r.status_code == 422
    assert "category: expected a name such as cs.CL" in r.text


def test_spaces_around_categories_are_fine(client):
    spaced = _get(client, API, q="model", category=" cs.CL , cs.LG ", facets="false")
    plain = _get(client, API, q="model", category="cs.CL,cs.LG", facets="false")
    assert spaced.status_code == plain.status_code == 200
    assert spaced.json()["total"] == plain.json()["total"]


def test_more_than_five_authors_is_a_clear_422(client):
    q = " ".join(f'author:"Name {i}"' for i in range(6)) + " model"
    r = _get(client, API, q=q)
    assert r.status_code == 422
    assert "at most 5 authors, got 6" in r.text


@pytest.mark.parametrize("sort", ["date", "relevance", "trending"])
def test_deep_search_pages_are_refused(client, sort):
    # The JSON API documents the bound on p alone (10 pages of at most 100: 1,000 results).
    r = _get(client, API, q="model", sort=sort, p=11, limit=1)
    assert r.status_code == 422
    assert "p: Input should be less than or equal to 10" in r.text
    assert _get(client, API, q="model", sort=sort, p=10, limit=100).status_code == 200
    page = _get(client, "/search", q="model", sort=sort, p=999)
    assert page.status_code == 422
    assert "pages end after 1000 papers; narrow the search instead" in page.text


def test_daily_lists_keep_their_deeper_pages(client):
    # Only search has the 1,000 cap; daily lists page deeper (their own 10,000 cap).
    r = client.get("/api/daily_papers?p=50&limit=100")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("q", ["a\x00b", '"a\x00b"', "\x00", 'x "\x00', "model\x1b[31m"])
@pytest.mark.parametrize("path", [API, "/api/papers/search", "/search"])
def test_control_characters_never_reach_the_database(client, path, q):
    r = _get(client, path, q=q)
    assert r.status_code in (200, 422), r.text
    body = r.text.lower()
    for word in INTERNALS:
        assert word not in body, (word, r.text[:300])
