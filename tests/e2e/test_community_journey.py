"""A signed-in journey in Debian's Chromium: submit a paper by id (the replay arXiv server
answers), then comment on it with Markdown, math and hostile markup."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from conftest import LiveServer
from ingest.helpers import recorded
from paperboy.config import load_settings
from paperboy.core.accounts import SESSION_TTL, new_token, token_hash
from paperboy.models.paper import Paper
from paperboy.store import open_store
from paperboy.web.app import create_app

from .test_browser import browser, page  # noqa: F401 (fixtures: Chromium, a checked page)


@pytest.fixture
def community_server(tmp_path, replay_server):
    r = recorded("id_1707.08567")
    replay_server.route(
        "/api/query",
        replay_server.Reply(r["status_code"], r["body"], "application/atom+xml; charset=utf-8"),
        params={"id_list": "1707.08567"},
    )
    store = open_store(str(tmp_path / "journey.db"))
    day = date(2026, 1, 5)
    store.papers.upsert_papers(
        [Paper(id="2601.00001", title="Listed", abstract="A.", authors=["A"], listing_date=day)]
    )
    settings = load_settings(
        {
            "PAPERBOY_ARXIV_API_URL": replay_server.url + "/api/query",
            "PAPERBOY_REQUEST_DELAY": "0",
            "PAPERBOY_MAX_RETRIES": "0",
        }
    )
    server = LiveServer(create_app(settings, store)).start()
    user, _ = store.users.get_or_create("ada@example.org", "Ada")
    token = new_token()
    store.users.create_session(user.id, token_hash(token), datetime.now(UTC) + SESSION_TTL)
    try:
        yield server.url, token
    finally:
        server.stop()
        store.close()


def test_submit_then_comment(page, community_server):  # noqa: F811 (the imported fixture)
    url, token = community_server
    page.context.add_cookies([{"name": "pb_session", "value": token, "url": url}])
    page.goto(url + "/submit")
    page.fill("#submit-id", "https://arxiv.org/abs/1707.08567")
    page.click("form.submit button[type=submit]")
    page.wait_for_url(url + "/papers/1707.08567")

    page.goto(url + "/")  # today's community picks
    card = page.locator("article.card").first
    expect(card.locator(".submitted")).to_have_text("submitted by Ada")
    card.locator(".paper-link").click()
    page.wait_for_url(url + "/papers/1707.08567")

    page.fill(
        "#comment-body",
        "Why $x^2$? **Great** <img src=x onerror=alert(1)> [x](javascript:alert(2))",
    )
    page.click(".comment-form button[type=submit]")
    page.wait_for_url(re.compile(r"/papers/1707\.08567#c\d+$"))
    comment = page.locator("#comments .comment").first
    expect(comment.locator(".body strong")).to_have_text("Great")
    expect(comment.locator(".body .katex").first).to_be_visible()  # math typeset by KaTeX
    assert page.locator("#comments img, #comments a[href^='javascript:']").count() == 0
    expect(comment.locator(".body")).to_contain_text("<img src=x onerror=alert(1)>")
