"""Pages through the ASGI app in process: content, navigation, escaping, headers, errors."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

HOSTILE = "2606.99999"
PAGES = [
    "/",
    "/trending",
    "/search?q=onerror",
    f"/papers/{HOSTILE}",
    "/week/2026-W27",
    "/month/2026-07",
]


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_home_shows_the_newest_listing_day_with_navigation(client, demo_store):
    newest = demo_store.papers.listing_dates()[0]
    page = soup(client.get("/"))
    cards = page.select("article.card")
    assert 0 < len(cards) <= 50
    assert page.find("time")["datetime"] == newest.isoformat()
    prev = page.select_one(".periods a[rel=prev]")
    assert prev is not None and prev["href"].startswith("/?date=")
    assert page.select_one(".periods a[rel=next]") is None  # nothing newer than the newest day
    views = {a.text: a["href"] for a in page.select(".views a")}
    assert views["Week"].startswith("/week/") and views["Month"].startswith("/month/")
    first = cards[0]
    assert first.select_one(".votes") and first.select_one(".meta .authors")
    assert first.select_one(".links a[href^='https://arxiv.org/abs/']")
    assert first.select_one(".links a[href^='https://arxiv.org/pdf/']")


def test_previous_day_link_leads_to_an_older_day(client):
    prev = soup(client.get("/")).select_one(".periods a[rel=prev]")["href"]
    older = soup(client.get(prev))
    assert older.select("article.card")
    assert older.select_one(".periods a[rel=next]") is not None


def test_week_and_month_views_paginate(client):
    page = soup(client.get("/month/2026-06"))
    assert len(page.select("article.card")) == 50
    nxt = page.select_one(".pager a[rel=next]")["href"]
    assert nxt == "?p=1"
    second = soup(client.get("/month/2026-06" + nxt))
    first_ids = {a["href"] for a in page.select("a.paper-link")}
    assert not first_ids & {a["href"] for a in second.select("a.paper-link")}


def test_cards_shorten_author_lists(client):
    page = soup(client.get("/?view=all"))  # every listed paper, not only the picks
    long = [a.text for a in page.select(".meta .authors") if "et al." in a.text]
    assert long and all(t.count(",") == 2 for t in long)


@pytest.mark.parametrize("path", PAGES)
def test_untrusted_text_is_escaped_on_every_page(client, path, hostile_paper):
    response = client.get(path)
    page = soup(response)
    assert "<img src=x" not in response.text
    assert "<svg onload" not in response.text and "<b onmouseover" not in response.text
    assert page.find("img") is None and page.find("iframe") is None and page.find("svg") is None
    for script in page.find_all("script"):
        assert script.get("src", "").startswith("/static/"), script
        assert not script.string
    assert not any(a["href"].lower().startswith("javascript:") for a in page.find_all("a"))
    assert hostile_paper.title in page.text  # shown, as text


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_its_atom_feed(client, path):
    link = soup(client.get(path)).find("link", rel="alternate", type="application/atom+xml")
    assert link is not None and link["href"].startswith("/feeds/")
    assert client.get(link["href"]).status_code == 200


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    for path in ("/api/daily_papers", "/feeds/daily.atom", "/nope", "/static/style.css"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_docs_page_allows_only_its_own_inline_script(client):
    response = client.get("/docs")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "'sha256-" in csp and "unsafe-inline" not in csp
    assert "https:" not in csp  # nothing from a CDN: the docs work offline
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/daily_papers"]


def test_paper_page_has_citation_meta_tags(client, demo_store):
    paper = demo_store.papers.list_papers(limit=1, offset=3)[0]
    page = soup(client.get(f"/papers/{paper.id}"))
    meta = lambda name: [m["content"] for m in page.find_all("meta", attrs={"name": name})]  # noqa: E731
    assert meta("citation_title") == [paper.title]
    assert meta("citation_author") == paper.authors
    day = paper.published or paper.listing_date
    assert meta("citation_publication_date") == [day.strftime("%Y/%m/%d")]
    assert meta("citation_arxiv_id") == [paper.id]
    assert meta("citation_pdf_url") == [paper.pdf_url]
    assert meta("citation_abstract") == [paper.abstract]


def test_paper_page_content(client, hostile_paper):
    page = soup(client.get(f"/papers/{HOSTILE}v2"))
    assert page.find("h1").text == hostile_paper.title
    assert "Mallory O'Neil" in page.select_one(".authors").text
    assert "v2" in page.select_one(".facts").text
    assert "$$\\sum_{i=1}^n x_i^2$$" in page.select_one(".fulltext.math").text
    assert page.find("link", href="/static/katex/katex.min.css")  # math present → KaTeX
    codes = [a["href"] for a in page.select(".actions a.code")]
    assert codes == ["https://github.com/evil/repo"]  # the javascript: link is dropped
    bib = page.select_one("pre#bibtex").text
    assert bib.startswith("@misc{") and "eprint = {2606.99999}" in bib
    assert page.select_one("button.copy[data-copy=bibtex]")
    assert page.find("a", href=f"/papers/{HOSTILE}.bib")


def test_paper_without_math_loads_no_katex(client, demo_store):
    plain = next(
        p for p in demo_store.papers.list_papers(limit=200) if "$" not in p.abstract + p.title
    )
    page = soup(client.get(f"/papers/{plain.id}"))
    assert not page.find("script", src="/static/katex/katex.min.js")


def test_unknown_paper_is_404_html(client):
    response = client.get("/papers/2401.00000")
    assert response.status_code == 404
    assert "no paper" in response.text and response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path, message",
    [
        ("/?date=2026-13-01", "date: expected YYYY-MM-DD"),
        ("/week/2026-W99", "week: expected"),
        ("/month/26-1", "month: expected YYYY-MM"),
        ("/?p=-1", "p:"),
        ("/search?q=x&sort=sideways", "sort: expected one of"),
        ("/search?q=x&from=yesterday", "from: expected YYYY-MM-DD"),
    ],
)
def test_bad_parameters_are_422_with_a_message(client, path, message):
    response = client.get(path)
    assert response.status_code == 422, response.text[:200]
    assert message in BeautifulSoup(response.text, "html.parser").select_one(".error").text


def test_trending_ranks_by_score_and_says_why(client):
    page = soup(client.get("/trending"))
    reasons = [r.text for r in page.select(".card .reason")]
    assert reasons[0].startswith("#1 · 999999 imported upvotes, 0 votes, 0 saves, listed")
    scores = [float(r.rsplit("= ", 1)[1]) for r in reasons]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    votes = [int(v.text.split()[-1]) for v in page.select(".card .votes")]
    assert votes[0] == 999_999 and all(v > 0 for v in votes)


def test_search_page_shows_results_and_a_feed_for_the_query(client):
    page = soup(client.get("/search?q=alignment"))
    titles = [a.text.lower() for a in page.select("a.paper-link")]
    assert len(titles) == 20 and sum("align" in t for t in titles) >= 10
    assert page.select_one("#sq")["value"] == "alignment"
    feed = page.find("link", rel="alternate", type="application/atom+xml")["href"]
    assert feed == "/feeds/search.atom?q=alignment"
    assert page.select_one(".pager a[rel=next]")["href"].endswith("p=1")


def test_empty_search_asks_for_words(client):
    page = soup(client.get("/search"))
    assert "Type words" in page.select_one(".empty").text
