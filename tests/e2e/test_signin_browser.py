"""The sign-in journey in Debian's Chromium: ask for a link, open the one the test SMTP
server caught, confirm, see your name in the header, sign out. Its own live server over a
writable copy of the demo database, with mail going to the test SMTP server."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from conftest import LiveServer
from paperboy.config import load_settings
from paperboy.store import open_store
from paperboy.web.app import create_app
from signin_flow import Mailbox, link_in
from smtpserver import SmtpServer

from .test_browser import browser, page  # noqa: F401  (the same Chromium and page checks)


@pytest.fixture
def signin_site(tmp_path, demo_db):
    copy = tmp_path / "demo-copy.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # consistent even with the WAL of the open demo store
    smtp = SmtpServer().start()
    store = open_store(str(copy))
    server = None
    try:
        # The public URL is only known once uvicorn has its port: mail links are made per
        # request from the settings, so they are swapped in after start-up.
        settings = load_settings({"PAPERBOY_SMTP_URL": smtp.url})
        app = create_app(settings, store)
        server = LiveServer(app).start()
        app.state.paperboy.settings = load_settings(
            {"PAPERBOY_SMTP_URL": smtp.url, "PAPERBOY_PUBLIC_URL": server.url}
        )
        yield server.url, Mailbox(smtp)
    finally:
        if server is not None:
            server.stop()
        store.close()
        smtp.stop()


def test_sign_in_through_the_mailed_link_then_sign_out(page, signin_site):  # noqa: F811
    url, mailbox = signin_site
    page.goto(url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_role("button", name="Mail me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    assert mailbox.count() == 1

    link = link_in(mailbox.last_to("ada@example.org"))
    assert link.startswith(url + "/login/confirm?token=")
    page.goto(link)
    expect(page.get_by_role("heading", name="Sign in to Paperboy")).to_be_visible()
    expect(page.locator("header .signin")).to_be_visible()  # opening the link signs nobody in
    page.get_by_label(re.compile("Display name")).fill("Ada <b>L</b>")
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.wait_for_url(url + "/")
    account = page.locator("header .account-link")
    expect(account).to_have_text("Ada <b>L</b>")  # text, never markup
    assert page.locator("header b").count() == 0
    account.click()
    page.wait_for_url(url + "/account")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    page.locator("header").get_by_role("button", name="Sign out").click()
    page.wait_for_url(url + "/")
    expect(page.locator("header .signin")).to_be_visible()
    page.goto(url + "/account")
    page.wait_for_url(re.compile(r"/login\?next=%2Faccount"))
