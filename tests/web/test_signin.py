"""Sign-in by mailed link, sessions, CSRF, the account page and API tokens, end to end:
the real app over a fresh store, mail through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.core import moderation
from paperboy.core.accounts import token_hash
from paperboy.core.signin import LOGIN_PURPOSE, PER_ADDRESS, PER_IP
from paperboy.models.paper import Paper
from paperboy.store import open_store
from paperboy.web.account import safe_next
from paperboy.web.app import create_app
from signin_flow import PUBLIC, ask_link, confirm, csrf, field, link_in, sign_in

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "site.db"))
    day = date(2026, 1, 5)
    s.papers.upsert_papers([
        Paper(id="2601.00001", title="Quokka counting", abstract="We count quokkas.",
              authors=["A. Author"], categories=["cs.CV"], listing_date=day, published=day),
    ])  # fmt: skip
    yield s
    s.close()


@pytest.fixture
def app(store, smtp_server):
    settings = load_settings({"PAPERBOY_SMTP_URL": smtp_server.url, "PAPERBOY_PUBLIC_URL": PUBLIC})
    return create_app(settings, store)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def _new_client(app) -> TestClient:
    return TestClient(app)


def _secret(html: str) -> str:
    """The new API token, shown once on the page that made it."""
    return html.split('class="token-secret">', 1)[1].split("<", 1)[0]


def test_the_whole_journey(client, mailbox, store):
    form = client.get("/login")
    assert form.status_code == 200
    assert 'name="email"' in form.text and 'name="csrf_token"' in form.text
    assert "Sign in" in form.text and form.headers["cache-control"] == "private, no-store"

    sent = ask_link(client, "Ada@Example.org ")
    assert sent.status_code == 200 and "Check your mail" in sent.text
    mail = mailbox.last_to("ada@example.org")
    assert mail.message["Subject"] == "Sign in to Paperboy"
    link = link_in(mail)
    assert link.startswith(f"{PUBLIC}/login/confirm?token=")

    # Opening the link (as a mail scanner would) shows a form and signs nobody in.
    for _ in range(3):
        opened = client.get(link.removeprefix(PUBLIC))
        assert opened.status_code == 200
        assert 'action="/login/confirm"' in opened.text and 'name="display_name"' in opened.text
        assert "pb_session" not in client.cookies
    token = link.split("token=", 1)[1]
    assert store.users.token_state(token_hash(token), LOGIN_PURPOSE, datetime.now(UTC)) == "valid"
    assert client.get("/api/paperboy/me").status_code == 401
    assert store.users.count_users() == 0  # the account is made when the link is spent

    done = confirm(client, link, "Ada L.")
    assert done.status_code == 303 and done.headers["location"] == "/"
    cookie = done.headers["set-cookie"]
    assert "pb_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain http here; https public URLs get Secure
    assert store.users.count_users() == 1

    account = client.get("/account")
    assert account.status_code == 200 and "Ada L." in account.text
    assert "ada@example.org" in account.text
    assert account.headers["cache-control"] == "private, no-store"
    front = client.get("/")
    assert 'href="/account"' in front.text and "Ada L." in front.text
    assert 'action="/logout"' in front.text and ">Sign in<" not in front.text
    assert front.headers["cache-control"] == "private, no-store"
    assert client.get("/api/paperboy/me").json() == {"id": 1, "name": "Ada L."}

    session = client.cookies["pb_session"]
    out = client.post("/logout", data={"csrf_token": csrf(front.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert "pb_session" not in client.cookies
    again = client.get("/account", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login?next=%2Faccount"
    assert ">Sign in<" in client.get("/").text
    # The old cookie, replayed, is dead: the session ended on the server.
    client.cookies.set("pb_session", session)
    assert client.get("/api/paperboy/me").status_code == 401
    assert ">Sign in<" in client.get("/").text


def test_next_rides_along_and_only_to_this_site(client, mailbox):
    ask_link(client, "ada@example.org", next_path="/account")
    link = link_in(mailbox.last_to("ada@example.org"))
    assert "next=%2Faccount" in link
    assert confirm(client, link).headers["location"] == "/account"
    for bad in ("//evil.example/x", "https://evil.example", "/\\evil.example", "evil", "/a\r\nb"):
        assert safe_next(bad) == "/"
    assert safe_next("/papers/2601.00001?x=1") == "/papers/2601.00001?x=1"


def test_csrf_missing_or_wrong_is_403_and_nothing_happens(client, mailbox, store, app):
    form = client.get("/login")
    for token in (None, "", "x" * 64, csrf(form.text) + "0"):
        data = {"email": "ada@example.org"} | ({"csrf_token": token} if token is not None else {})
        assert client.post("/login", data=data).status_code == 403
    assert mailbox.count() == 0
    # Another browser's token is not ours either.
    with _new_client(app) as other:
        theirs = csrf(other.get("/login").text)
    assert client.post("/login", data={"email": "a@b.org", "csrf_token": theirs}).status_code == 403
    assert mailbox.count() == 0

    ask_link(client, "ada@example.org")
    link = link_in(mailbox.last_to("ada@example.org"))
    page = client.get(link.removeprefix(PUBLIC))
    refused = client.post("/login/confirm", data={"token": field(page.text, "token")})
    assert refused.status_code == 403
    assert "pb_session" not in client.cookies and store.users.count_users() == 0

    confirm(client, link)  # signed in now; the anonymous token no longer counts
    front = client.get("/account")
    token = csrf(front.text)
    for path, data in [
        ("/logout", {}),
        ("/account/name", {"display_name": "Changed"}),
        ("/account/tokens", {"name": "script"}),
    ]:
        assert client.post(path, data=data).status_code == 403
        assert client.post(path, data={**data, "csrf_token": csrf(form.text)}).status_code == 403
    assert client.get("/api/paperboy/me").json()["name"] == "ada"
    assert store.users.list_api_tokens(1) == []
    made = client.post("/account/tokens", data={"name": "t", "csrf_token": token})
    assert made.status_code == 201
    tid = store.users.list_api_tokens(1)[0].id
    assert client.post(f"/account/tokens/{tid}/revoke", data={}).status_code == 403
    assert len(store.users.list_api_tokens(1)) == 1


def test_get_on_every_state_changing_route_is_405(client, mailbox):
    sign_in(client, mailbox, "ada@example.org")
    for path in ("/logout", "/account/name", "/account/tokens", "/account/tokens/1/revoke"):
        answer = client.get(path)
        assert answer.status_code == 405, path
        assert "POST" in answer.headers["allow"]
    assert client.get("/api/paperboy/me").status_code == 200  # still signed in


def test_reused_expired_and_forged_links_get_clear_pages(client, mailbox, store):
    ask_link(client, "ada@example.org")
    link = link_in(mailbox.last_to("ada@example.org"))
    assert confirm(client, link).status_code == 303
    with TestClient(client.app) as fresh:
        used = fresh.get(link.removeprefix(PUBLIC))
        assert used.status_code == 410 and "already used" in used.text
        assert 'href="/login"' in used.text and "pb_session" not in fresh.cookies
        assert 'name="token"' not in used.text  # no form to sign in with

        expired = "expired-token-for-the-test"
        past = datetime.now(UTC) - timedelta(minutes=1)
        store.users.add_token(token_hash(expired), LOGIN_PURPOSE, "bob@example.org", past)
        page = fresh.get(f"/login/confirm?token={expired}")
        assert page.status_code == 410 and "has expired" in page.text

        for forged in ("forged", "", "x" * 5000):
            page = fresh.get(f"/login/confirm?token={forged}")
            assert page.status_code == 400 and "is not valid" in page.text

        # Posting them gets the same pages, and no session.
        anon = csrf(fresh.get("/login").text)
        for token, status, words in [
            (link.split("token=", 1)[1], 410, "already used"),
            (expired, 410, "has expired"),
            ("forged", 400, "is not valid"),
        ]:
            post = fresh.post("/login/confirm", data={"token": token, "csrf_token": anon})
            assert post.status_code == status and words in post.text
        assert "pb_session" not in fresh.cookies
        assert store.users.find_user("bob@example.org") is None


def test_a_forged_cookie_means_signed_out(client, mailbox):
    sign_in(client, mailbox, "ada@example.org")
    forged = client.cookies["pb_session"][:-2] + "xx"
    client.cookies.clear()
    client.cookies.set("pb_session", forged)
    assert ">Sign in<" in client.get("/").text
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/api/paperboy/me").status_code == 401


def test_known_and_unknown_addresses_get_the_same_answer_and_a_mail(app, mailbox):
    with TestClient(app) as first:
        sign_in(first, mailbox, "known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        with TestClient(app) as c:
            c.get("/login")
            before = mailbox.count()
            answers.append(ask_link(c, email))
            assert mailbox.count() == before + 1
    known, unknown = answers
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert sorted(known.headers.keys()) == sorted(unknown.headers.keys())


def test_rate_limit_per_address_holds_and_answers_the_same(client, mailbox, caplog):
    answers = [ask_link(client, "ada@example.org") for _ in range(PER_ADDRESS)]
    assert mailbox.count() == PER_ADDRESS
    with caplog.at_level(logging.WARNING, logger="paperboy.core.signin"):
        over = ask_link(client, "ADA@example.org")
    assert mailbox.count() == PER_ADDRESS  # nothing sent
    assert over.status_code == answers[0].status_code and over.text == answers[0].text
    assert "rate limit" in caplog.text and "ada@" not in caplog.text  # the address is redacted
    ask_link(client, "bob@example.org")  # another address is not held back
    assert mailbox.count() == PER_ADDRESS + 1


def test_rate_limit_per_ip_holds(client, mailbox):
    answers = [ask_link(client, f"user{i}@example.org") for i in range(PER_IP)]
    assert mailbox.count() == PER_IP
    over = ask_link(client, "one-more@example.org")
    assert mailbox.count() == PER_IP
    assert over.status_code == 200 and over.text == answers[0].text


def test_a_bad_address_is_a_clear_422(client, mailbox):
    answer = ask_link(client, "not an address")
    assert answer.status_code == 422 and "email" in answer.text
    assert mailbox.count() == 0


def test_a_hostile_display_name_is_escaped_everywhere(client, mailbox, store):
    sign_in(client, mailbox, "eve@example.org", HOSTILE)
    assert store.users.find_user("eve@example.org").display_name == HOSTILE
    for path in ("/", "/account", "/login", "/trending", "/papers/2601.00001", "/nowhere"):
        body = client.get(path).text
        assert ESCAPED in body, path
        assert HOSTILE not in body, path
    assert client.get("/api/paperboy/me").json()["name"] == HOSTILE  # JSON, not markup


def test_a_display_name_with_control_characters_or_too_long_is_refused(client, mailbox, store):
    ask_link(client, "ada@example.org")
    link = link_in(mailbox.last_to("ada@example.org"))
    for bad in ("Ada\u202eevil", "Ada\x07", "A" * 81):
        refused = confirm(client, link, bad)
        assert refused.status_code == 422 and "display_name" in refused.text
    assert store.users.count_users() == 0  # and the link still works
    assert confirm(client, link, "  Ada  ").status_code == 303
    assert store.users.find_user("ada@example.org").display_name == "Ada"
    token = csrf(client.get("/account").text)
    renamed = client.post("/account/name", data={"display_name": "\x00", "csrf_token": token})
    assert renamed.status_code == 422
    done = client.post(
        "/account/name", data={"display_name": "Ada B", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303 and "Ada B" in client.get("/account").text


def test_api_tokens_create_list_revoke_and_bearer(client, mailbox, app):
    sign_in(client, mailbox, "ada@example.org", "Ada")
    token = csrf(client.get("/account").text)
    made = client.post("/account/tokens", data={"name": "my <b>script</b>", "csrf_token": token})
    assert made.status_code == 201 and made.headers["cache-control"] == "private, no-store"
    secret = _secret(made.text)
    assert len(secret) == 43 and "&lt;b&gt;script" in made.text
    listed = client.get("/account").text
    assert "my &lt;b&gt;script&lt;/b&gt;" in listed and secret not in listed  # shown once

    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(app) as script:  # no cookies at all
        me = script.get("/api/paperboy/me", headers=bearer)
        assert me.status_code == 200 and me.json() == {"id": 1, "name": "Ada"}
        assert me.headers["cache-control"] == "private, no-store"
        nope = {"Authorization": "Bearer nope"}
        assert script.get("/api/paperboy/me", headers=nope).status_code == 401
        assert script.get("/api/paperboy/me").status_code == 401

        tid = int(listed.split('action="/account/tokens/')[1].split("/")[0])
        revoked = client.post(
            f"/account/tokens/{tid}/revoke", data={"csrf_token": token}, follow_redirects=False
        )
        assert revoked.status_code == 303
        assert script.get("/api/paperboy/me", headers=bearer).status_code == 401
        assert "No tokens yet" in client.get("/account").text
        gone = client.post(f"/account/tokens/{tid}/revoke", data={"csrf_token": token})
        assert gone.status_code == 404


def test_a_ban_ends_sessions_and_tokens(client, mailbox, app, store):
    sign_in(client, mailbox, "eve@example.org")
    token = csrf(client.get("/account").text)
    made = client.post("/account/tokens", data={"name": "s", "csrf_token": token})
    secret = _secret(made.text)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/paperboy/me", headers=bearer).status_code == 200

    moderation.set_banned(store, "eve@example.org", True)
    assert client.get("/api/paperboy/me").status_code == 401
    assert client.get("/api/paperboy/me", headers=bearer).status_code == 401
    with TestClient(app) as again:  # a new link does not sign a banned account in
        ask_link(again, "eve@example.org")
        refused = confirm(again, link_in(mailbox.last_to("eve@example.org")))
        assert refused.status_code == 403 and "suspended" in refused.text
        assert "pb_session" not in again.cookies

    moderation.set_banned(store, "eve@example.org", False)
    assert client.get("/api/paperboy/me").status_code == 401  # ended sessions stay ended
    assert client.get("/api/paperboy/me", headers=bearer).status_code == 200
    with TestClient(app) as again:
        sign_in(again, mailbox, "eve@example.org")
        assert again.get("/api/paperboy/me").status_code == 200


def test_me_is_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/paperboy/me" in paths and "401" in paths["/api/paperboy/me"]["get"]["responses"]
    assert not any(p.startswith(("/login", "/account", "/logout")) for p in paths)
