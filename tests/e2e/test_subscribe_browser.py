"""The subscribe form in Chromium without JavaScript: it posts, the CSP is quiet, and it fits
a phone; the mailed link (the default file:// mail folder) confirms through its page."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from playwright.sync_api import sync_playwright
from tests.conftest import LiveServer

from paperboy.config import load_settings
from paperboy.models.subscription import CONFIRMED
from paperboy.store import open_store
from paperboy.web.app import create_app

from .test_browser import ARGS, CHROMIUM


@pytest.fixture
def served(tmp_path):
    store = open_store(str(tmp_path / "browser.db"))
    mail = tmp_path / "mail"
    app = create_app(load_settings({"PAPERBOY_SMTP_URL": f"file://{mail}"}), store)
    server = LiveServer(app).start()
    yield store, server.url, mail
    server.stop()
    store.close()


def test_subscribe_and_confirm_without_javascript(served, tmp_path):
    store, url, mail = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 375, "height": 800}
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(url + "/subscribe")
        page.fill("#email", "ada@example.org")
        page.check("input[name=cadence][value=weekly]")
        page.select_option("#weekday", "3")
        page.fill("#timezone", "Europe/Paris")
        page.fill("#searches", '"world models"\nspeech recognition')
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the form overflows a phone: {width}px"
        page.screenshot(path=str(tmp_path / "subscribe-375.png"), full_page=True)
        page.click("form[action='/subscribe'] button[type=submit]")
        assert "Check your mail" in page.content()

        sub = store.subscribers.find("ada@example.org")
        assert sub.prefs.cadence == "weekly" and sub.prefs.weekday == 3
        assert sub.prefs.searches == ('"world models"', "speech recognition")
        (eml,) = mail.glob("*.eml")
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        query = re.search(r"/subscribe/confirm\?(token=\S+)", text).group(1)
        page.goto(f"{url}/subscribe/confirm?{query}")
        assert store.subscribers.find("ada@example.org").status != CONFIRMED
        page.click("form[action='/subscribe/confirm'] button[type=submit]")
        assert "You are subscribed" in page.content()
        assert store.subscribers.find("ada@example.org").status == CONFIRMED
        assert not problems, problems
        browser.close()
