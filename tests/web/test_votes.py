"""Votes and saves through the web: forms without JavaScript, JSON for scripts, exact counts,
and the refusals (CSRF, GET, anonymous, unknown paper)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.store import open_store
from paperboy.web.app import create_app

from .community_helpers import Account, papers, sign_in

PID = "2601.00001"


def post_json(account: Account, path: str) -> dict:
    response = account.client.post(path, headers={"Authorization": f"Bearer {account.api_token}"})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    return response.json()


def test_form_posts_are_idempotent_and_return_to_the_page(ada, app_store):
    _, store = app_store
    token = ada.csrf()
    for _ in range(2):
        response = ada.client.post(
            f"/papers/{PID}/vote", data={"csrf_token": token, "next": "/?date=2026-01-01"}
        )
        assert response.status_code == 303 and response.headers["location"] == "/?date=2026-01-01"
    assert store.votes.counts([PID])[PID].votes == 1
    page = BeautifulSoup(ada.client.get(f"/papers/{PID}").text, "html.parser")
    box = page.select_one(".community")
    assert box.select_one(".votes")["aria-pressed"] == "true"
    assert box.select_one(".vote-form")["action"] == f"/papers/{PID}/unvote"
    assert box.select_one(".votes .n").text == "301"  # 300 imported + 1 local
    assert box.select_one(".saves")["aria-pressed"] == "false"
    # An unsafe ``next`` falls back to the paper page: never an open redirect.
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil", "javascript:x"):
        response = ada.client.post(f"/papers/{PID}/unvote", data={"csrf_token": token, "next": bad})
        assert response.headers["location"] == f"/papers/{PID}"
    assert store.votes.counts([PID])[PID].votes == 0


def test_json_answers_with_exact_counts(ada, app_store):
    app, store = app_store
    bob = sign_in(app, store, "bob@example.org")
    keys = {"id", "voted", "saved", "votes", "saves"}
    first = post_json(ada, f"/papers/{PID}/vote")
    assert first.keys() == keys and (first["voted"], first["votes"]) == (True, 1)
    assert post_json(ada, f"/papers/{PID}/vote")["votes"] == 1  # idempotent
    assert post_json(bob, f"/papers/{PID}/vote")["votes"] == 2
    saved = post_json(ada, f"/papers/{PID}/save")
    assert (saved["saved"], saved["saves"], saved["voted"]) == (True, 1, True)
    assert post_json(ada, f"/papers/{PID}/save")["saves"] == 1
    assert post_json(ada, f"/papers/{PID}/unsave") == {
        "id": PID, "voted": True, "saved": False, "votes": 2, "saves": 0,
    }  # fmt: skip
    assert post_json(ada, f"/papers/{PID}/unsave")["saves"] == 0
    gone = post_json(ada, f"/papers/{PID}/unvote")
    assert (gone["voted"], gone["votes"]) == (False, 1)
    # app.js: the session cookie, the form's token and Accept: application/json.
    answer = ada.client.post(
        f"/papers/{PID}/vote", data={"csrf_token": ada.csrf()},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json()["votes"] == 2


def test_refusals(ada, app_store):
    app, _ = app_store
    assert ada.client.post(f"/papers/{PID}/vote").status_code == 403  # no csrf_token
    assert ada.client.post(f"/papers/{PID}/vote", data={"csrf_token": "forged"}).status_code == 403
    js = ada.client.post(f"/papers/{PID}/save", headers={"Accept": "application/json"})
    assert js.status_code == 403 and "csrf_token" in js.json()["error"]
    for action in ("vote", "unvote", "save", "unsave"):
        got = ada.client.get(f"/papers/{PID}/{action}")
        assert got.status_code == 405 and "POST" in got.headers["allow"]
    missing = ada.client.post(
        "/papers/2699.99999/vote", headers={"Authorization": f"Bearer {ada.api_token}"}
    )
    assert missing.status_code == 404 and "2699.99999" in missing.json()["error"]
    anonymous = TestClient(app, follow_redirects=False)
    page = anonymous.post(f"/papers/{PID}/vote", data={"next": "/trending"})
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Ftrending"
    script = anonymous.post(f"/papers/{PID}/vote", headers={"Accept": "application/json"})
    assert script.status_code == 401
    forged = anonymous.post(f"/papers/{PID}/vote", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401


def test_hf_json_upvotes_are_imported_plus_local(ada, app_store):
    app, _ = app_store
    post_json(ada, f"/papers/{PID}/vote")
    post_json(ada, f"/papers/{PID}/save")
    anonymous = TestClient(app)
    info = anonymous.get(f"/api/papers/{PID}").json()
    assert info["upvotes"] == 301
    assert {k: info["paperboy"][k] for k in ("importedUpvotes", "votes", "saves")} == {
        "importedUpvotes": 300, "votes": 1, "saves": 1,
    }  # fmt: skip
    daily = {x["paper"]["id"]: x for x in anonymous.get("/api/daily_papers").json()}
    assert daily[PID]["paper"]["upvotes"] == 301 and daily[PID]["paperboy"]["votes"] == 1
    assert daily["2601.00003"]["paper"]["upvotes"] == 0


def test_openapi_documents_the_json_forms(app_store):
    app, _ = app_store
    doc = TestClient(app).get("/openapi.json").json()
    vote = doc["paths"]["/papers/{paper_id}/vote"]["post"]
    schema = vote["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"id", "voted", "saved", "votes", "saves"}
    assert {"303", "401", "403", "404"} <= vote["responses"].keys()


def test_fifty_accounts_voting_twice_at_once_through_a_live_server(tmp_path):
    """Issue 10: 50 accounts voting at once, each twice, give exactly 50 (real uvicorn)."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from tests.conftest import LiveServer

    store = open_store(str(tmp_path / "race.db"))
    store.papers.upsert_papers(papers())
    app = create_app(load_settings({}), store, trending_every=0.05)
    tokens = [sign_in(app, store, f"r{i}@example.org").api_token for i in range(50)]
    server = LiveServer(app).start()
    try:

        def vote(token: str) -> int:
            with httpx.Client(base_url=server.url) as client:
                auth = {"Authorization": f"Bearer {token}"}
                return max(
                    client.post(f"/papers/{PID}/vote", headers=auth).json()["votes"]
                    for _ in range(2)
                )

        with ThreadPoolExecutor(25) as pool:
            seen = list(pool.map(vote, tokens))
        assert max(seen) == 50 and store.votes.counts([PID])[PID].votes == 50
    finally:
        server.stop()
        store.close()
