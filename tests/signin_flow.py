"""Signing in as a browser does, for the web and CLI tests: forms, CSRF tokens, mailed links.

Everything goes through the real app (starlette TestClient, cookies kept per client) and a
real SMTP server (``smtpserver.SmtpServer``); nothing is faked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from starlette.testclient import TestClient

from smtpserver import Received, SmtpServer

PUBLIC = "http://testserver"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_LINK = re.compile(r"https?://[^/\s]+/login/confirm\?\S+")


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return unescape(found.group(1))


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field on the page"
    return unescape(found.group(1))


def link_in(mail: Received) -> str:
    """The sign-in link in a mail's plain-text body (the HTML body has the same one)."""
    text = mail.message.get_body(("plain",)).get_content()
    found = _LINK.search(text)
    assert found, text
    html = mail.message.get_body(("html",)).get_content()
    assert unescape(found.group(0)) in unescape(html)
    return found.group(0)


def ask_link(client: TestClient, email: str, next_path: str | None = None):
    """GET /login then POST its form: the response to the POST."""
    form = client.get("/login" + (f"?next={next_path}" if next_path else ""))
    assert form.status_code == 200
    data = {"email": email, "csrf_token": csrf(form.text), "next": field(form.text, "next")}
    return client.post("/login", data=data)


def confirm(client: TestClient, link: str, display_name: str = ""):
    """Open the mailed link (a page with one form) and post that form: the POST's response."""
    page = client.get(link.removeprefix(PUBLIC))
    assert page.status_code == 200, page.text
    data = {
        "csrf_token": csrf(page.text),
        "token": field(page.text, "token"),
        "next": field(page.text, "next"),
        "display_name": display_name,
    }
    return client.post("/login/confirm", data=data, follow_redirects=False)


@dataclass
class Mailbox:
    server: SmtpServer

    def count(self) -> int:
        return len(self.server.received)

    def last_to(self, email: str) -> Received:
        mails = [m for m in self.server.received if email in m.rcpt_tos]
        assert mails, f"no mail to {email}"
        return mails[-1]


def sign_in(client: TestClient, mailbox: Mailbox, email: str, display_name: str = "") -> None:
    """The whole journey; afterwards ``client`` carries a session cookie."""
    before = mailbox.count()
    assert ask_link(client, email).status_code == 200
    assert mailbox.count() == before + 1
    done = confirm(client, link_in(mailbox.last_to(email)), display_name)
    assert done.status_code == 303, done.text
    assert "pb_session" in client.cookies
