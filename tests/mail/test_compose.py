"""Messages: both bodies from templates, correct MIME and headers, hostile text escaped."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from paperboy.config import load_settings
from paperboy.mail import Composer, public_base

HOSTILE = '<script>alert("x")</script> & Co'


def _parts(msg):
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    return text, html


def login_mail(composer: Composer, **context):
    link = composer.url("/login/confirm", token="tok-123")
    return composer.compose(
        "Ada <ada@example.org>", "Sign in to Paperboy", "login", {"link": link, **context}
    )


def test_login_mail_has_both_parts_headers_and_the_absolute_link() -> None:
    composer = Composer("Paperboy <papers@example.org>", "https://papers.example.org/")
    msg = login_mail(composer)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["From"] == "Paperboy <papers@example.org>"
    assert msg["To"] == "Ada <ada@example.org>"
    assert msg["Subject"] == "Sign in to Paperboy"
    assert msg["Message-ID"].endswith("@papers.example.org>")
    assert email.utils.parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg["MIME-Version"] == "1.0"
    text, html = _parts(msg)
    link = "https://papers.example.org/login/confirm?token=tok-123"
    assert link in text and f'href="{link}"' in html
    for body in (text, html):
        assert "Sign in to Paperboy" in body
        assert "expires in 15 minutes" in body
        assert "didn't ask" in body or "didn&#39;t ask" in body
    assert "prefers-color-scheme: dark" in html and 'name="color-scheme"' in html
    # What goes on the wire parses back to the same thing.
    again = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert _parts(again) == (text, html)


def test_hostile_text_is_escaped_in_html_and_plain_in_text() -> None:
    composer = Composer("Paperboy <papers@example.org>", "https://papers.example.org")
    msg = composer.compose(
        "ada@example.org", HOSTILE, "login", {"link": "https://x.test/", "display_name": HOSTILE}
    )
    text, html = _parts(msg)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html  # name and title
    assert html.count("&lt;script&gt;") == 2
    assert f"Hello {HOSTILE}," in text  # text is never parsed as markup: shown as typed
    assert msg["Subject"] == HOSTILE


def test_extra_headers_are_added_and_line_breaks_refused() -> None:
    composer = Composer("Paperboy <papers@example.org>", "https://papers.example.org")
    headers = {
        "List-Unsubscribe": "<https://papers.example.org/u/abc>, <mailto:u@example.org>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    msg = composer.compose(
        "ada@example.org", "Hi", "login", {"link": "https://x.test/"}, headers=headers
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<https://papers.example.org/u/abc>")
    with pytest.raises(ValueError):
        composer.compose("ada@example.org", "Hi\r\nBcc: all@example.org", "login", {"link": "x"})


def test_a_missing_template_variable_is_an_error_not_a_blank() -> None:
    composer = Composer("Paperboy <papers@example.org>", "https://papers.example.org")
    with pytest.raises(Exception, match="link"):
        composer.compose("ada@example.org", "Hi", "login", {})


def test_links_use_public_url_else_host_and_port() -> None:
    assert public_base(load_settings({"PAPERBOY_PUBLIC_URL": "https://p.example.org/"})) == (
        "https://p.example.org"
    )
    local = load_settings({"PAPERBOY_HOST": "0.0.0.0", "PAPERBOY_PORT": "8123"})
    assert public_base(local) == "http://localhost:8123"
    composer = Composer.from_settings(load_settings({"PAPERBOY_PORT": "8123"}))
    assert composer.url("/login", next="/library") == "http://127.0.0.1:8123/login?next=%2Flibrary"
    assert composer.mail_from == "Paperboy <paperboy@localhost>"


def test_bodies_are_quoted_printable_and_read_back_exactly(smtp_server) -> None:
    from paperboy.mail import Mailer

    composer = Composer("Paperboy <papers@example.org>", "https://papers.example.org")
    tricky = "Zoë = 3×  \n.\n.dot\nFrom here  \n" + "long" * 500 + " \t"
    msg = composer.compose(
        "ada@example.org", "Hi", "login", {"link": "https://x.test/?a=1", "display_name": tricky}
    )
    text, html = _parts(msg)
    assert f"Hello {tricky}," in text
    for part in msg.iter_parts():
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part.get_content_charset() == "utf-8"
        assert "MIME-Version" not in part
    raw = msg.as_bytes()
    assert max(len(line) for line in raw.split(b"\n")) <= 998  # the long header lines too
    body = raw.split(b"\n\n", 1)[1]
    assert max(len(line) for line in body.split(b"\n")) <= 76
    settings = load_settings({"PAPERBOY_SMTP_URL": smtp_server.url})
    [delivery] = Mailer.from_settings(settings).send([msg])
    assert delivery.accepted
    got = _parts(smtp_server.received[0].message)
    assert tuple(b.replace("\r\n", "\n") for b in got) == (text, html)


def test_link_lists_stay_verbatim_and_other_headers_fold_as_usual() -> None:
    composer = Composer("Paperboy <papers@example.org>", "https://papers.example.org")
    url = "https://papers.example.org/unsubscribe/one-click?token=" + "a1" * 60
    mailto = "mailto:papers@example.org?subject=unsubscribe%20" + "b2" * 60
    msg = composer.compose(
        "ada@example.org",
        "Ünïcødé " * 20,
        "login",
        {"link": "x"},
        headers={"List-Unsubscribe": f"<{url}>, <{mailto}>"},
    )
    head = msg.as_bytes().split(b"\n\n", 1)[0].decode("ascii")
    assert f"\nList-Unsubscribe: <{url}>,\n <{mailto}>\n" in head
    words = re.findall(r"=\?utf-8\?\S+\?=", head)
    assert words and max(len(w) for w in words) <= 77  # each fits a folded 78-column line
    assert all(
        len(line) <= 78 for line in head.splitlines() if url not in line and mailto not in line
    )
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == f"<{url}>, <{mailto}>"
    assert parsed["Subject"] == msg["Subject"]
    with pytest.raises(ValueError, match="List-. header links must be ASCII"):
        composer.compose(
            "ada@example.org", "Hi", "login", {"link": "x"}, headers={"List-Unsubscribe": "<é>"}
        )
