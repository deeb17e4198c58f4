"""The library page, its private feed behind a rotating secret, hidden papers, and the
hole-punched cache: a vote shows on the next anonymous request while the entry stays."""

from __future__ import annotations

import feedparser
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from .community_helpers import HOSTILE, Account


def save(account: Account, pid: str) -> None:
    response = account.client.post(
        f"/papers/{pid}/save", headers={"Authorization": f"Bearer {account.api_token}"}
    )
    assert response.status_code == 200


def rotate(account: Account) -> str:
    page = BeautifulSoup(account.client.get("/library").text, "html.parser")
    token = page.select_one("form[action='/library/feed'] input[name=csrf_token]")["value"]
    answer = account.client.post("/library/feed", data={"csrf_token": token})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "private, no-store"
    url = BeautifulSoup(answer.text, "html.parser").select_one("input.feed-url")["value"]
    return url.removeprefix("http://testserver")


def test_anonymous_visitors_are_sent_to_login(app_store):
    app, _ = app_store
    response = TestClient(app, follow_redirects=False).get("/library")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Flibrary"


def test_the_library_lists_saves_with_dates_and_escapes_titles(ada):
    save(ada, "2601.00001")
    save(ada, "2601.00003")
    response = ada.client.get("/library")
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    assert "<script>alert(2)" not in response.text and "&lt;script&gt;" in response.text
    page = BeautifulSoup(response.text, "html.parser")
    assert [a.text for a in page.select("a.paper-link")] == [HOSTILE, "Paper 2601.00001"]
    assert all(r.text.startswith("Saved ") for r in page.select(".card .reason"))
    assert [b["aria-pressed"] for b in page.select(".card .saves")] == ["true", "true"]
    assert "2 saved papers" in page.select_one("h1").text
    assert page.select_one(".account-links a[href='/library']")["aria-current"] == "page"


def test_the_feed_secret_works_rotates_and_the_old_one_stops(ada, app_store):
    app, _ = app_store
    save(ada, "2601.00003")
    first = rotate(ada)
    anonymous = TestClient(app)  # a feed reader: no cookie, the URL is the secret
    response = anonymous.get(first)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert "<script>" not in response.text
    feed = feedparser.parse(response.content)
    assert [e.title for e in feed.entries] == [HOSTILE]
    assert feed.entries[0].summary.startswith("Saved ")
    second = rotate(ada)
    assert second != first and anonymous.get(second).status_code == 200
    old = anonymous.get(first)
    assert old.status_code == 404 and "rotated" in old.json()["error"]
    assert anonymous.get("/feeds/library/guess.atom").status_code == 404
    assert len(app.state.paperboy.cache) == 0 or all(
        "library" not in key[0] for key in app.state.paperboy.cache._entries
    )


def test_rotating_needs_csrf(ada):
    assert ada.client.post("/library/feed").status_code == 403


def test_hidden_papers_leave_the_library_and_trending(ada, app_store):
    app, store = app_store
    save(ada, "2601.00002")
    ada.client.post("/papers/2601.00002/vote", headers={"Authorization": f"Bearer {ada.api_token}"})
    from paperboy.core.trending import refresh

    refresh(store)
    anonymous = TestClient(app)
    ids = [x["id"] for x in anonymous.get("/api/paperboy/trending").json()["papers"]]
    assert "2601.00002" in ids
    store.papers.set_hidden("2601.00002", True)
    ids = [x["id"] for x in anonymous.get("/api/paperboy/trending").json()["papers"]]
    assert "2601.00002" not in ids
    page = BeautifulSoup(ada.client.get("/library").text, "html.parser")
    assert page.select("a.paper-link") == [] and "0 saved papers" in page.select_one("h1").text
    refresh(store)
    assert "2601.00002" not in [r.paper_id for r in store.trending.top()]


def test_a_vote_shows_on_the_next_cached_page_and_the_entry_stays(ada, app_store, picks_window):
    app, _ = app_store
    cache = app.state.paperboy.cache
    anonymous = TestClient(app)

    def shown() -> dict[str, str]:
        page = BeautifulSoup(anonymous.get("/").text, "html.parser")
        return {b["data-paper"]: b.select_one(".votes .n").text for b in page.select(".community")}

    def api_upvotes() -> int:
        return anonymous.get("/api/papers/2601.00002").json()["upvotes"]

    assert shown()["2601.00002"] == "120" and api_upvotes() == 120
    entries, hits = len(cache), cache.hits
    ada.client.post("/papers/2601.00002/vote", headers={"Authorization": f"Bearer {ada.api_token}"})
    assert shown()["2601.00002"] == "121" and api_upvotes() == 121
    assert len(cache) == entries and cache.hits == hits + 2  # served from the same entries
    # Anonymous pages carry no per-user state: no CSRF token, nothing pressed.
    page = BeautifulSoup(anonymous.get("/").text, "html.parser")
    assert {i["value"] for i in page.select(".community input[name=csrf_token]")} == {""}
    assert {b["aria-pressed"] for b in page.select(".community button")} == {"false"}
    assert "pbh" not in anonymous.get("/").text  # every hole filled
    # A signed-in visitor's page shows their own vote, and is never stored.
    mine = BeautifulSoup(ada.client.get("/").text, "html.parser")
    box = mine.select_one(".community[data-paper='2601.00002']")
    assert box.select_one(".votes")["aria-pressed"] == "true"
    assert len(cache) == entries


def test_etag_follows_the_live_counts(ada, app_store):
    app, _ = app_store
    anonymous = TestClient(app)
    first = anonymous.get("/papers/2601.00005")
    tag = first.headers["etag"]
    assert anonymous.get("/papers/2601.00005", headers={"If-None-Match": tag}).status_code == 304
    ada.client.post("/papers/2601.00005/vote", headers={"Authorization": f"Bearer {ada.api_token}"})
    again = anonymous.get("/papers/2601.00005", headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["etag"] != tag
