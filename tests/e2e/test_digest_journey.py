"""Issue 11's "done when", in Debian's Chromium over a live server on a copy of the demo:
subscribe, confirm from the mail, get a digest from `paperboy digest send` (a real
subprocess, a real SMTP server), open /for-you signed in, and unsubscribe in one click with
the digest's RFC 8058 header, as a mail client does (no cookie, no page)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from conftest import LiveServer
from paperboy.config import load_settings
from paperboy.models.subscription import CONFIRMED, UNSUBSCRIBED
from paperboy.store import open_store
from paperboy.web.app import create_app
from signin_flow import Mailbox, link_in
from smtpserver import SmtpServer

from .test_browser import browser, page  # noqa: F401  (the same Chromium and page checks)

ADA = "ada@example.org"
_CONFIRM = re.compile(r"https?://\S+/subscribe/confirm\?token=\S+")


@pytest.fixture
def digest_site(tmp_path, demo_db):
    copy = tmp_path / "demo-copy.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    smtp = SmtpServer().start()
    store = open_store(str(copy))
    server = None
    try:
        app = create_app(load_settings({"PAPERBOY_SMTP_URL": smtp.url}), store)
        server = LiveServer(app).start()
        env = {"PAPERBOY_SMTP_URL": smtp.url, "PAPERBOY_PUBLIC_URL": server.url}
        app.state.paperboy.settings = load_settings(env)
        yield server.url, Mailbox(smtp), store, {**env, "PAPERBOY_DATABASE_URL": str(copy)}
    finally:
        if server is not None:
            server.stop()
        store.close()
        smtp.stop()


def _next_weekday_morning() -> datetime:
    """A moment when a daily digest (weekdays, 07:00 UTC by default) is due, after now."""
    day = datetime.now(UTC).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def _digest_send(env: dict[str, str], at: datetime) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "paperboy", "digest", "send", "--json", "--at", at.isoformat()],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_subscribe_confirm_digest_for_you_and_one_click_unsubscribe(page, digest_site):  # noqa: F811
    url, mailbox, store, env = digest_site

    # 1. Subscribe, no account needed; the mailed link opens a page whose form confirms.
    page.goto(url + "/subscribe")
    page.fill("#email", ADA)
    page.fill("#searches", "language models")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    text = mailbox.last_to(ADA).message.get_body(("plain",)).get_content()
    link = _CONFIRM.search(text)
    assert link, text
    page.goto(link.group(0))
    assert store.subscribers.find(ADA).status != CONFIRMED  # opening it alone changes nothing
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_text("You are subscribed")).to_be_visible()
    assert store.subscribers.find(ADA).status == CONFIRMED

    # 2. The digest, from the command cron or the worker runs.
    at = _next_weekday_morning()
    before = mailbox.count()
    assert _digest_send(env, at) == {"sent": 1, "empty": 0, "failed": 0, "in_doubt": 0}
    assert mailbox.count() == before + 1
    digest = mailbox.last_to(ADA).message
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = " ".join(str(digest["List-Unsubscribe"]).split())
    one_click = re.search(r"<(https?://[^>]+/unsubscribe/one-click\?token=[^>]+)>", header)
    assert one_click and "<mailto:" in header, header
    html = digest.get_body(("html",)).get_content()
    assert "Saved search: language models" in html
    assert _digest_send(env, at) == {"sent": 0, "empty": 0, "failed": 0, "in_doubt": 0}

    # 3. Sign in with the same address, save a paper, and open /for-you.
    page.goto(url + "/login")
    page.get_by_label("Email address").fill(ADA)
    page.get_by_role("button", name="Mail me a sign-in link").click()
    page.goto(link_in(mailbox.last_to(ADA)))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(url + "/")
    page.locator("article.card .community button.saves").first.click()
    expect(page.locator("article.card .community button.saves").first).to_have_attribute(
        "aria-pressed", "true"
    )
    page.goto(url + "/for-you")
    expect(page.get_by_role("heading", name=re.compile("For you"))).to_be_visible()
    expect(page.get_by_text(re.compile("that you saved")).first).to_be_visible()

    # 4. One click in the mail client: a POST to the header's URL, no cookie, no page.
    answer = httpx.post(one_click.group(1), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert store.subscribers.find(ADA).status == UNSUBSCRIBED
    later = at + timedelta(days=1 if at.weekday() < 4 else 3)
    assert _digest_send(env, later)["sent"] == 0
