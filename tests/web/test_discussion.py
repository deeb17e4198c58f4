"""Submit by arXiv id and comments, through the real app over a fresh store: the replay
arXiv server answers look-ups; users are signed in by a session row."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from ingest.helpers import recorded
from paperboy.config import load_settings
from paperboy.core import submit as submit_core
from paperboy.models.paper import Paper
from paperboy.store import open_store
from paperboy.web.app import create_app

from .community_helpers import signed_in

LISTED = date(2026, 1, 5)


def _paper(pid: str, title: str, day: date = LISTED, **kw) -> Paper:
    return Paper(
        id=pid, title=title, abstract="An abstract.", authors=["Ada Lovelace"],
        categories=["cs.CL"], version=1, listing_date=day, published=day, **kw,
    )  # fmt: skip


@pytest.fixture
def app(tmp_path, replay_server):
    store = open_store(str(tmp_path / "d.db"))
    store.papers.upsert_papers(
        [_paper("2601.00001", "Listed one"), _paper("2601.00002", "Listed two")]
    )
    settings = load_settings(
        {
            "PAPERBOY_ARXIV_API_URL": replay_server.url + "/api/query",
            "PAPERBOY_REQUEST_DELAY": "0",
            "PAPERBOY_MAX_RETRIES": "0",
        }
    )
    yield create_app(settings, store)
    store.close()


@pytest.fixture
def users(app):
    store = app.state.paperboy.store
    ada, _ = store.users.get_or_create("ada@example.org", "Ada")
    bob, _ = store.users.get_or_create("bob@example.org", "Bob")
    return ada, bob


def _route_arxiv(server) -> None:
    for name, ids in (("id_1707.08567", "1707.08567"), ("id_0000.0000", "0000.0000")):
        r = recorded(name)
        reply = server.Reply(r["status_code"], r["body"], "application/atom+xml; charset=utf-8")
        server.route("/api/query", reply, params={"id_list": ids})


def _unknown(server) -> None:
    r = recorded("id_0000.0000")  # an empty feed: arXiv knows no such paper
    server.route(
        "/api/query",
        server.Reply(r["status_code"], r["body"], "application/atom+xml; charset=utf-8"),
    )


# --- submit ----------------------------------------------------------------------------


def test_submit_fetches_the_paper_and_lists_it_as_submitted(app, users, replay_server):
    _route_arxiv(replay_server)
    ada, _ = users
    client, csrf = signed_in(app, ada)
    form = client.get("/submit")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    answer = client.post(
        "/submit", data={"id": "https://arxiv.org/abs/1707.08567v1", "csrf_token": csrf}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/papers/1707.08567"
    assert [q["id_list"] for q in replay_server.requests_to("/api/query")] == ["1707.08567"]
    store = app.state.paperboy.store
    assert store.papers.get_paper("1707.08567") is not None
    sub = store.submissions.submitter("1707.08567")
    assert sub is not None and sub.author == "Ada" and sub.day == datetime.now(UTC).date()

    with TestClient(app) as anon:  # today's picks, on the front page, for everybody
        page = anon.get("/")
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        cards = soup.select("article.card")
        assert [c.select_one(".paper-link")["href"] for c in cards] == ["/papers/1707.08567"]
        assert cards[0].select_one(".submitted").get_text() == "submitted by Ada"
        assert soup.select_one(".tabs a[aria-current]").get_text().startswith("Community picks")
        assert "Submitted by" in anon.get("/papers/1707.08567").text


def test_a_duplicate_goes_to_the_existing_page(app, users, replay_server):
    _route_arxiv(replay_server)
    ada, bob = users
    client, csrf = signed_in(app, ada)
    assert client.post("/submit", data={"id": "1707.08567", "csrf_token": csrf}).status_code == 303
    other, other_csrf = signed_in(app, bob)
    again = other.post("/submit", data={"id": "arXiv:1707.08567", "csrf_token": other_csrf})
    assert again.status_code == 303 and again.headers["location"] == "/papers/1707.08567"
    assert len(replay_server.requests_to("/api/query")) == 1  # not fetched twice
    sub = app.state.paperboy.store.submissions.submitter("1707.08567")
    assert sub is not None and sub.author == "Ada"  # the first submitter wins
    # A paper already stored but never submitted is marked, without a fetch.
    stored = other.post("/submit", data={"id": "2601.00002", "csrf_token": other_csrf})
    assert stored.status_code == 303 and stored.headers["location"] == "/papers/2601.00002"
    assert len(replay_server.requests_to("/api/query")) == 1
    sub = app.state.paperboy.store.submissions.submitter("2601.00002")
    assert sub is not None and sub.author == "Bob"
    today = datetime.now(UTC).date().isoformat()  # the HF filter by submitter sees both
    with TestClient(app) as anon:

        def by(name: str) -> list[str]:
            got = anon.get("/api/daily_papers", params={"date": today, "submitter": name})
            return [item["paper"]["id"] for item in got.json()]

        assert (by("Bob"), by("ada"), by("nobody")) == (["2601.00002"], ["1707.08567"], [])


def test_unknown_and_malformed_ids_get_clear_messages(app, users, replay_server):
    _unknown(replay_server)
    client, csrf = signed_in(app, users[0])
    unknown = client.post("/submit", data={"id": "2101.99999", "csrf_token": csrf})
    assert unknown.status_code == 404
    assert "arXiv has no paper 2101.99999" in unknown.text
    assert 'value="2101.99999"' in unknown.text  # what was typed stays in the form
    for bad in ("10.1145/3292500.3330701", "https://example.org/abs/2401.01234", ""):
        answer = client.post("/submit", data={"id": bad, "csrf_token": csrf})
        assert answer.status_code == 422, bad
        assert "arXiv id" in answer.text
    assert len(replay_server.requests_to("/api/query")) == 1  # only the well-formed one
    assert app.state.paperboy.store.submissions.count_by_user_since(users[0].id, LISTED_DT) == 0


LISTED_DT = datetime(2000, 1, 1, tzinfo=UTC)


def test_each_account_has_a_daily_cap(app, users, replay_server, monkeypatch):
    monkeypatch.setattr(submit_core, "DAILY_CAP", 2)
    _route_arxiv(replay_server)
    store = app.state.paperboy.store
    store.papers.upsert_papers([_paper(f"2601.0001{i}", f"P{i}") for i in range(3)])
    client, csrf = signed_in(app, users[0])
    for i in range(2):
        ok = client.post("/submit", data={"id": f"2601.0001{i}", "csrf_token": csrf})
        assert ok.status_code == 303
    capped = client.post("/submit", data={"id": "1707.08567", "csrf_token": csrf})
    assert capped.status_code == 429 and "2 papers a day" in capped.text
    assert not replay_server.requests_to("/api/query")  # refused before any fetch
    other, other_csrf = signed_in(app, users[1])  # the cap is per account
    assert other.post("/submit", data={"id": "2601.00012", "csrf_token": other_csrf}).is_redirect


def test_submit_needs_an_account_and_a_csrf_token(app, users):
    anon = TestClient(app, follow_redirects=False)
    assert anon.get("/submit").headers["location"] == "/login?next=%2Fsubmit"
    assert anon.post("/submit", data={"id": "2601.00001"}).status_code == 303
    client, _ = signed_in(app, users[0])
    assert client.post("/submit", data={"id": "2601.00001"}).status_code == 403
    assert client.post("/submit", data={"id": "2601.00001", "csrf_token": "x"}).status_code == 403
    assert app.state.paperboy.store.submissions.submitter("2601.00001") is None


# --- comments --------------------------------------------------------------------------

HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) "
    "[data](data:text/html,<script>alert(4)</script>) ![pic](https://evil.example/x.png)\n\n"
    '<div onmouseover="alert(5)">raw block</div>\n\n<iframe src="//evil"></iframe>\n\n'
    "Math stays: $a*b < c$ and **bold** [fine](https://example.org)"
)


def _comment(client, csrf, pid="2601.00001", body="Nice paper", **extra):
    return client.post(f"/papers/{pid}/comments", data={"body": body, "csrf_token": csrf, **extra})


def _assert_inert(html: str) -> None:
    section = BeautifulSoup(html, "html.parser").select_one("#comments")
    assert section is not None
    assert not section.find_all(["script", "img", "iframe", "style", "object", "embed"])
    allowed_divs = {"thread", "replies", "body", "math", "comment-actions"}
    assert all(set(d.get("class", [])) <= allowed_divs for d in section.find_all("div"))
    for el in section.find_all(True):
        assert not [a for a in el.attrs if a.lower().startswith("on")], el
    links = section.select(".body a")
    assert links and all(a.get("href", "https://").startswith("https://") for a in links)
    assert all(a["rel"] == ["nofollow", "noopener", "noreferrer", "ugc"] for a in links)
    assert "javascript:alert" not in str(section.select(".body a")) and "data:text" not in str(
        links
    )


def test_hostile_markdown_and_html_are_inert_everywhere(app, users):
    client, csrf = signed_in(app, users[0])
    anon = TestClient(app)
    assert "No comments yet" in anon.get("/papers/2601.00001").text  # cached now
    made = _comment(client, csrf, body=HOSTILE)
    assert made.status_code == 303 and re.match(
        r"^/papers/2601\.00001#c\d+$", made.headers["location"]
    )
    for html in (anon.get("/papers/2601.00001").text, client.get("/papers/2601.00001").text):
        _assert_inert(html)  # the anonymous page was cached before: it shows the comment at once
        body = BeautifulSoup(html, "html.parser").select_one("#comments .body")
        assert "$a*b < c$" in body.get_text() and body.find("strong").get_text() == "bold"
        assert 'href="https://example.org"' in str(body)
        assert "katex" in html  # the page loads the math renderer for the comment
    # The author's own edit box holds the source, escaped by the template.
    own = BeautifulSoup(client.get("/papers/2601.00001").text, "html.parser")
    assert own.select_one("#comments textarea[name=body]").get_text().startswith("<script>")


def test_replies_are_one_level_deep(app, users):
    client, csrf = signed_in(app, users[0])
    _comment(client, csrf, body="top")
    store = app.state.paperboy.store
    (top,) = store.comments.thread("2601.00001")
    reply = _comment(client, csrf, body="reply", parent_id=str(top.id))
    assert reply.status_code == 303
    deeper = _comment(
        client, csrf, body="reply to reply", parent_id=reply.headers["location"].split("#c")[1]
    )
    assert deeper.status_code == 303
    thread = store.comments.thread("2601.00001")
    assert [(c.body, c.parent_id) for c in thread] == [
        ("top", None), ("reply", top.id), ("reply to reply", top.id),
    ]  # fmt: skip
    page = BeautifulSoup(client.get("/papers/2601.00001").text, "html.parser")
    assert len(page.select(".replies .comment")) == 2 and not page.select(".replies .replies")
    wrong = _comment(client, csrf, pid="2601.00002", body="x", parent_id=str(top.id))
    assert wrong.status_code == 422 and "no comment" in wrong.text
    assert "x</textarea>" in wrong.text  # the draft is kept
    assert _comment(client, csrf, body="y", parent_id="abc").status_code == 422


def test_only_the_author_edits_or_deletes_and_threads_keep_their_shape(app, users):
    ada, bob = users
    ada_client, ada_csrf = signed_in(app, ada)
    bob_client, bob_csrf = signed_in(app, bob)
    cid = _comment(ada_client, ada_csrf, body="original").headers["location"].split("#c")[1]
    _comment(bob_client, bob_csrf, body="a reply", parent_id=cid)
    assert (
        bob_client.post(
            f"/comments/{cid}/edit", data={"body": "hijack", "csrf_token": bob_csrf}
        ).status_code
        == 403
    )
    assert (
        bob_client.post(f"/comments/{cid}/delete", data={"csrf_token": bob_csrf}).status_code == 403
    )
    assert (
        ada_client.post(f"/comments/{cid}/edit", data={"body": "edited *once*"}).status_code == 403
    )
    edited = ada_client.post(
        f"/comments/{cid}/edit", data={"body": "edited *once*", "csrf_token": ada_csrf}
    )
    assert edited.status_code == 303
    empty = ada_client.post(f"/comments/{cid}/edit", data={"body": "  ", "csrf_token": ada_csrf})
    assert empty.status_code == 422 and "write something" in empty.text
    page = TestClient(app).get("/papers/2601.00001").text
    assert "<em>once</em>" in page and "(edited)" in page and "hijack" not in page
    assert (
        ada_client.post(f"/comments/{cid}/delete", data={"csrf_token": ada_csrf}).status_code == 303
    )
    page = TestClient(app).get("/papers/2601.00001").text
    assert "[deleted]" in page and "a reply" in page and "edited" not in page
    assert (
        ada_client.post("/comments/999999/delete", data={"csrf_token": ada_csrf}).status_code == 404
    )


def test_comments_are_rate_limited_and_bounded(app, users):
    client, csrf = signed_in(app, users[0])
    assert _comment(client, csrf, body="").status_code == 422
    long = _comment(client, csrf, body="x" * 10_001)
    assert long.status_code == 422 and "at most 10,000 characters" in long.text
    for i in range(5):
        assert _comment(client, csrf, body=f"c{i}").status_code == 303
    limited = _comment(client, csrf, body="one too many")
    assert limited.status_code == 429 and "at most 5 every 10 minutes" in limited.text
    assert "one too many</textarea>" in limited.text
    assert _comment(client, csrf, pid="2699.99999").status_code == 404


def test_admins_hide_comments_and_others_get_403(app, users):
    ada, bob = users
    store = app.state.paperboy.store
    store.users.set_admin(bob.id, True)
    ada_client, ada_csrf = signed_in(app, ada)
    bob_client, bob_csrf = signed_in(app, bob)
    cid = _comment(ada_client, ada_csrf, body="spam spam").headers["location"].split("#c")[1]
    assert (
        ada_client.post(f"/comments/{cid}/hide", data={"csrf_token": ada_csrf}).status_code == 403
    )
    assert (
        bob_client.post(f"/comments/{cid}/hide", data={"csrf_token": bob_csrf}).status_code == 303
    )
    assert "spam spam" not in TestClient(app).get("/papers/2601.00001").text
    assert "spam spam" in bob_client.get("/papers/2601.00001").text  # admins can unhide it
    assert store.comments.counts(["2601.00001"]) == {}
    assert (
        bob_client.post(f"/comments/{cid}/unhide", data={"csrf_token": bob_csrf}).status_code == 303
    )
    assert "spam spam" in TestClient(app).get("/papers/2601.00001").text


def test_state_changes_need_post_csrf_and_an_account(app, users):
    client, csrf = signed_in(app, users[0])
    cid = _comment(client, csrf).headers["location"].split("#c")[1]
    for path in (
        "/papers/2601.00001/comments", f"/comments/{cid}/edit", f"/comments/{cid}/delete",
        f"/comments/{cid}/hide", f"/comments/{cid}/unhide",
    ):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 405, path
        assert "POST" in answer.headers["allow"]
    assert client.post("/papers/2601.00001/comments", data={"body": "x"}).status_code == 403
    anon = TestClient(app, follow_redirects=False)
    assert anon.post("/papers/2601.00001/comments", data={"body": "x"}).status_code == 303
    assert len(app.state.paperboy.store.comments.thread("2601.00001")) == 1


# --- the daily page: counts on cards, picks and all new -------------------------------


def test_cards_show_comment_counts_and_the_two_views(app, users):
    store = app.state.paperboy.store
    anon = TestClient(app)
    page = BeautifulSoup(anon.get("/").text, "html.parser")  # nobody picked anything yet
    assert page.select_one(".tabs a[aria-current]").get_text() == "All new"
    assert len(page.select("article.card")) == 2

    client, csrf = signed_in(app, users[0])
    _comment(client, csrf, body="one")
    _comment(client, csrf, body="two")
    store.votes.vote(users[1].id, "2601.00002")
    page = BeautifulSoup(anon.get(f"/?date={LISTED}").text, "html.parser")
    assert [a["href"] for a in page.select("article.card .paper-link")] == ["/papers/2601.00002"]
    assert page.select_one(".tabs a[aria-current]").get_text().startswith("Community picks")
    every = BeautifulSoup(anon.get(f"/?date={LISTED}&view=all").text, "html.parser")
    counts = {
        c.select_one(".paper-link")["href"]: c.select_one(".comment-count").get_text()
        for c in every.select("article.card")
    }
    assert counts == {"/papers/2601.00001": "2 comments", "/papers/2601.00002": "0 comments"}
    tabs = {a.get_text(): a["href"] for a in every.select(".tabs a")}
    assert tabs["All new"] == f"?date={LISTED}&view=all"
    assert anon.get("/?view=nonsense").status_code == 422


def test_trending_and_search_cards_show_comment_counts_at_once(app, users):
    store = app.state.paperboy.store
    anon = TestClient(app)

    def counts(path: str) -> dict[str, str]:
        page = BeautifulSoup(anon.get(path).text, "html.parser")
        return {
            c.select_one(".paper-link")["href"]: c.select_one(".comment-count").get_text()
            for c in page.select("article.card")
        }

    store.votes.vote(users[1].id, "2601.00001")
    from paperboy.core.trending import refresh

    refresh(store)
    assert counts("/search?q=listed") == {
        "/papers/2601.00001": "0 comments",
        "/papers/2601.00002": "0 comments",
    }
    assert counts("/trending")["/papers/2601.00001"] == "0 comments"
    client, csrf = signed_in(app, users[0])
    _comment(client, csrf, body="first!")  # cached anonymous pages must not go stale
    assert counts("/search?q=listed")["/papers/2601.00001"] == "1 comment"
    assert counts("/trending")["/papers/2601.00001"] == "1 comment"


def test_picks_are_ranked_by_votes(app, users):
    store = app.state.paperboy.store
    store.votes.vote(users[0].id, "2601.00001")
    store.votes.vote(users[0].id, "2601.00002")
    store.votes.vote(users[1].id, "2601.00002")
    anon = TestClient(app)
    page = BeautifulSoup(anon.get("/?view=picks").text, "html.parser")
    order = [a["href"] for a in page.select("article.card .paper-link")]
    assert order == ["/papers/2601.00002", "/papers/2601.00001"]
    every = BeautifulSoup(anon.get("/?view=all").text, "html.parser")
    assert len(every.select("article.card")) == 2
