"""/for-you over a writable app: picks with reasons, "not interested" and its undo and reset,
followed authors, and the sign-in and CSRF guards. Forms only (no JavaScript)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from paperboy.models.subscription import CONFIRMED, Preferences

from .community_helpers import HOSTILE, NEWEST, Account, paper, serve

OLD = datetime(2025, 1, 6, tzinfo=UTC).date()


def speech(pid: str, day, title: str) -> object:
    p = paper(pid, day, title=title)
    p.abstract = "Streaming automatic speech recognition lowers word error rate with transducers."
    p.categories = ["eess.AS"]
    return p


@pytest.fixture
def app_store(tmp_path):
    new = [paper(f"2601.0000{i}", NEWEST, title=f"Image diffusion study {i}") for i in range(1, 5)]
    for p in new:
        p.abstract = "Denoising diffusion models generate images from noise."
        p.categories = ["cs.CV"]
    new[2].title = HOSTILE
    new[3].authors = ["Grace Hopper"]
    yield from serve(
        tmp_path / "foryou.db",
        [
            *new,
            speech("2601.00009", NEWEST, "Chunked attention for streaming speech recognition"),
            speech("2501.00001", OLD, "Transducers for streaming speech recognition"),
        ],
    )


def page(account: Account) -> BeautifulSoup:
    response = account.client.get("/for-you")
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    return BeautifulSoup(response.text, "html.parser")


def post_form(account: Account, soup: BeautifulSoup, action: str) -> None:
    form = soup.select_one(f"form[action='{action}']")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    answer = account.client.post(action, data=data)
    assert answer.status_code == 303 and answer.headers["location"] == "/for-you"


def titles(soup: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in soup.select(".picks .card .title a")]


def test_anonymous_visitors_go_to_login_and_forms_need_csrf(app_store, ada):
    app, _ = app_store
    anon = TestClient(app, follow_redirects=False)
    assert anon.get("/for-you").headers["location"] == "/login?next=%2Ffor-you"
    answer = anon.post("/papers/2601.00001/not-interested", data={"next": "/for-you"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?")
    assert ada.client.post("/papers/2601.00001/not-interested").status_code == 403
    bearer = {"Authorization": f"Bearer {ada.api_token}"}
    missing = ada.client.post("/papers/2699.00001/not-interested", headers=bearer)
    assert missing.status_code == 404 and "2699.00001" in missing.json()["error"]
    assert ada.client.get("/papers/2601.00001/not-interested").status_code in (404, 405)


def test_picks_show_reasons_and_not_interested_is_remembered_and_undone(app_store, ada):
    _, store = app_store
    soup = page(ada)
    assert not soup.select(".picks") and "Upvote" in soup.select_one("p.empty").get_text()
    store.votes.save(ada.user_id, "2501.00001")
    soup = page(ada)
    assert titles(soup)[0] == "Chunked attention for streaming speech recognition"
    reason = soup.select_one(".picks .card .reason").get_text()
    assert reason == "close to “Transducers for streaming speech recognition” that you saved"
    assert HOSTILE in titles(soup) and "<script>alert(2)" not in str(soup.select_one(".picks"))
    post_form(ada, soup, "/papers/2601.00009/not-interested")
    soup = page(ada)
    assert "Chunked attention for streaming speech recognition" not in titles(soup)
    assert [a.get_text() for a in soup.select(".dismissed a")] == [
        "Chunked attention for streaming speech recognition"
    ]
    post_form(ada, soup, "/papers/2601.00009/interested")
    soup = page(ada)
    assert titles(soup)[0] == "Chunked attention for streaming speech recognition"
    for pid in ("2601.00001", "2601.00002"):
        post_form(ada, page(ada), f"/papers/{pid}/not-interested")
    assert store.dismissals.count(ada.user_id) == 2
    post_form(ada, page(ada), "/for-you/reset")
    assert store.dismissals.count(ada.user_id) == 0 and not page(ada).select(".dismissed")


def test_json_callers_and_followed_authors(app_store, ada):
    _, store = app_store
    bearer = {"Authorization": f"Bearer {ada.api_token}"}
    answer = ada.client.post("/papers/arXiv:2601.00002v1/not-interested", headers=bearer)
    assert answer.json() == {"id": "2601.00002", "not_interested": True}
    assert store.dismissals.among(ada.user_id, ["2601.00002"]) == {"2601.00002"}
    assert "follow no authors" in page(ada).select_one(".followed").get_text()
    store.subscribers.add(
        "ada@example.org", Preferences(authors=("Grace Hopper",)), CONFIRMED,
        datetime.now(UTC), user_id=ada.user_id,
    )  # fmt: skip
    followed = page(ada).select_one(".followed")
    assert followed.select_one("h3").get_text() == "Grace Hopper"
    assert [a.get_text() for a in followed.select(".card .title a")] == ["Image diffusion study 4"]
