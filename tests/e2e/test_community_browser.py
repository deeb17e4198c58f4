"""Voting and saving in Chromium: instant with JavaScript, a plain form post without it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright
from tests.conftest import LiveServer
from tests.web.community_helpers import papers, sign_in

from paperboy.config import load_settings
from paperboy.store import open_store
from paperboy.web.app import create_app

from .test_browser import ARGS, CHROMIUM

PID = "2601.00002"  # 120 imported upvotes, listed on the newest day


@pytest.fixture
def served(tmp_path):
    store = open_store(str(tmp_path / "browser.db"))
    store.papers.upsert_papers(papers())
    app = create_app(load_settings({}), store, trending_every=0.05)
    server = LiveServer(app).start()
    yield app, store, server.url
    server.stop()
    store.close()


def _context(browser, url: str, session: str, *, js: bool):
    context = browser.new_context(java_script_enabled=js)
    host = url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "pb_session", "value": session, "domain": host, "path": "/"}])
    return context


def test_vote_and_save_with_and_without_javascript(served):
    app, store, url = served
    ada, bob = sign_in(app, store, "ada@example.org"), sign_in(app, store, "bob@example.org")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        errors: list[str] = []
        with_js = _context(browser, url, ada.client.cookies["pb_session"], js=True)
        page = with_js.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "/")
        box = page.locator(f".community[data-paper='{PID}']")
        page.evaluate("window.stillHere = true")  # gone if the page reloads
        box.locator("button.votes").click()
        expect(box.locator("button.votes")).to_have_attribute("aria-pressed", "true")
        expect(box.locator("button.votes .n")).to_have_text("121")
        expect(box.locator(".vote-form")).to_have_attribute("action", f"/papers/{PID}/unvote")
        box.locator("button.saves").click()
        expect(box.locator("button.saves .n")).to_have_text("1")
        assert page.evaluate("window.stillHere === true")  # changed in place, no reload
        with_js.close()

        plain = _context(browser, url, bob.client.cookies["pb_session"], js=False).new_page()
        plain.goto(url + "/papers/" + PID)
        plain.locator(".community button.votes").click()  # a form post, then a 303 back
        plain.wait_for_url(url + "/papers/" + PID)
        expect(plain.locator(".community button.votes .n")).to_have_text("122")
        expect(plain.locator(".community button.votes")).to_have_attribute("aria-pressed", "true")
        browser.close()
    assert not errors, errors
    assert store.votes.counts([PID])[PID].votes == 2
