"""Subscribing to the digest, end to end: the real app over a fresh store, mail through a real
SMTP server on 127.0.0.1. Double opt-in, forged/expired/reused links, both unsubscribe paths,
preferences by signed link and on the account page, and the form's errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.core.accounts import token_hash
from paperboy.core.subscriber_links import UNSUBSCRIBE, manage_token, subscriber_links
from paperboy.core.subscriptions import PER_ADDRESS, SUBSCRIBE_PURPOSE
from paperboy.mail import Composer
from paperboy.models.subscription import CONFIRMED, PENDING, UNSUBSCRIBED, Preferences
from paperboy.store import open_store
from paperboy.web.app import create_app
from signin_flow import PUBLIC, csrf, field
from smtpserver import Received

from .community_helpers import signed_in

ADA = "ada@example.org"
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PREFS = {
    "cadence": "weekly",
    "weekday": "2",
    "timezone": "Europe/Paris",
    "send_hour": "8",
    "trending_count": "5",
    "categories": "cs.CL, cs.LG",
    "searches": '"world models" cat:cs.LG\nspeech recognition\n',
    "authors": "Ada Lovelace\nAlan Turing",
}
_CONFIRM = re.compile(r"https?://[^/\s]+/subscribe/confirm\?\S+")
_PREFS_LINK = re.compile(r"https?://[^/\s]+/subscription\?\S+")


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "subs.db"))
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


def _text(mail: Received) -> str:
    return mail.message.get_body(("plain",)).get_content()


def confirm_link(mail: Received) -> str:
    found = _CONFIRM.search(_text(mail))
    assert found, _text(mail)
    html = mail.message.get_body(("html",)).get_content()
    assert found.group(0).replace("&", "&amp;") in html or found.group(0) in html
    return found.group(0)


def subscribe(client: TestClient, email: str, **prefs: str):
    form = client.get("/subscribe")
    assert form.status_code == 200
    data = {"email": email, "csrf_token": csrf(form.text), **prefs}
    return client.post("/subscribe", data=data, follow_redirects=False)


def confirm(client: TestClient, link: str):
    page = client.get(link.removeprefix(PUBLIC))
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf(page.text), "token": field(page.text, "token")}
    return client.post("/subscribe/confirm", data=data)


def links(app, store, email: str, now: datetime | None = None):
    sub = store.subscribers.find(email)
    composer = Composer.from_settings(app.state.paperboy.settings)
    return subscriber_links(composer, app.state.paperboy.secret, sub, now)


def confirmed(client, mailbox, store, email: str = ADA, **prefs: str):
    assert subscribe(client, email, **prefs).status_code == 200
    assert confirm(client, confirm_link(mailbox.last_to(email))).status_code == 200
    assert store.subscribers.find(email).status == CONFIRMED


def test_double_opt_in(client, mailbox, store):
    form = client.get("/subscribe")
    assert form.status_code == 200 and form.headers["cache-control"] == "private, no-store"
    for name in ("email", "csrf_token", *PREFS):
        assert f'name="{name}"' in form.text, name
    assert 'name="more_like_mine"' not in form.text  # for accounts only

    sent = subscribe(client, " Ada@Example.org", **PREFS)
    assert sent.status_code == 200 and "Check your mail" in sent.text
    sub = store.subscribers.find(ADA)
    assert sub.status == PENDING and not sub.active
    assert sub.prefs == Preferences(
        cadence="weekly", weekday=2, timezone="Europe/Paris", send_hour=8, trending_count=5,
        categories=("cs.CL", "cs.LG"), searches=('"world models" cat:cs.LG', "speech recognition"),
        authors=("Ada Lovelace", "Alan Turing"),
    )  # fmt: skip
    mail = mailbox.last_to(ADA)
    assert mail.message["Subject"] == "Confirm your Paperboy digest subscription"
    link = confirm_link(mail)
    assert link.startswith(f"{PUBLIC}/subscribe/confirm?token=")

    # Opening the link (as a mail scanner would) shows a form and confirms nothing.
    with TestClient(client.app) as scanner:
        for _ in range(3):
            page = scanner.get(link.removeprefix(PUBLIC))
            assert page.status_code == 200 and 'action="/subscribe/confirm"' in page.text
    token = link.split("token=", 1)[1]
    now = datetime.now(UTC)
    assert store.users.token_state(token_hash(token), SUBSCRIBE_PURPOSE, now) == "valid"
    assert store.subscribers.find(ADA).status == PENDING
    assert list(store.subscribers.iter_confirmed()) == []

    done = confirm(client, link)
    assert done.status_code == 200 and "You are subscribed" in done.text
    sub = store.subscribers.find(ADA)
    assert sub.status == CONFIRMED and sub.confirmed_at is not None
    assert [s.email for s in store.subscribers.iter_confirmed()] == [ADA]
    prefs_path = re.search(r'href="(/subscription\?token=[^"]+)"', done.text).group(1)
    assert 'value="Europe/Paris"' in client.get(prefs_path.replace("&amp;", "&")).text

    # The link works once.
    with TestClient(client.app) as other:
        used = other.get(link.removeprefix(PUBLIC))
        assert used.status_code == 410 and "already used" in used.text
        assert 'name="token"' not in used.text


def test_forged_expired_and_removed_confirm_links(client, mailbox, store):
    for forged in ("forged", "", "x" * 5000):
        page = client.get(f"/subscribe/confirm?token={forged}")
        assert page.status_code == 400 and "not valid" in page.text
    subscribe(client, ADA)
    sub = store.subscribers.find(ADA)
    expired = "an-expired-subscribe-token"
    past = datetime.now(UTC) - timedelta(minutes=1)
    store.users.add_token(token_hash(expired), SUBSCRIBE_PURPOSE, str(sub.id), past)
    page = client.get(f"/subscribe/confirm?token={expired}")
    assert page.status_code == 410 and "expired" in page.text
    token = csrf(client.get("/subscribe").text)
    for bad in (expired, "forged"):
        answer = client.post("/subscribe/confirm", data={"csrf_token": token, "token": bad})
        assert answer.status_code in (400, 410)
    assert store.subscribers.find(ADA).status == PENDING

    # A link whose address was removed since confirms nothing.
    link = confirm_link(mailbox.last_to(ADA))
    store.subscribers.remove(sub.id)
    page = client.get(link.removeprefix(PUBLIC))
    assert page.status_code == 200
    data = {"csrf_token": csrf(page.text), "token": field(page.text, "token")}
    assert client.post("/subscribe/confirm", data=data).status_code == 400
    assert store.subscribers.find(ADA) is None


def test_csrf_is_checked_first(client, mailbox, store, app):
    for token in (None, "", "x" * 64):
        data = {"email": ADA} | ({"csrf_token": token} if token is not None else {})
        assert client.post("/subscribe", data=data).status_code == 403
    with TestClient(app) as other:
        theirs = csrf(other.get("/subscribe").text)
    assert client.post("/subscribe", data={"email": ADA, "csrf_token": theirs}).status_code == 403
    assert mailbox.count() == 0 and store.subscribers.count() == 0

    subscribe(client, ADA)
    link = confirm_link(mailbox.last_to(ADA))
    page = client.get(link.removeprefix(PUBLIC))
    refused = client.post("/subscribe/confirm", data={"token": field(page.text, "token")})
    assert refused.status_code == 403 and store.subscribers.find(ADA).status == PENDING

    confirm(client, link)
    stop = links(app, store, ADA).unsubscribe.removeprefix(PUBLIC)
    token = stop.split("token=", 1)[1]
    assert client.post("/unsubscribe", data={"token": token}).status_code == 403
    assert client.post("/subscription", data={"token": token, **PREFS}).status_code == 403
    assert store.subscribers.find(ADA).status == CONFIRMED
    for path in ("/subscribe/confirm", "/unsubscribe/one-click", "/account/subscription"):
        assert client.get(path).status_code in (405, 400), path


def test_same_answer_for_everyone_and_strangers_change_nothing(client, mailbox, store):
    confirmed(client, mailbox, store, ADA, cadence="daily", searches="quokka")
    with TestClient(client.app) as stranger:
        answer = subscribe(stranger, ADA, **PREFS)
        fresh = subscribe(stranger, "bob@example.org", **PREFS)
    assert answer.status_code == fresh.status_code == 200
    assert answer.text.replace("bob", "ada") == fresh.text.replace("bob", "ada")
    sub = store.subscribers.find(ADA)
    assert sub.status == CONFIRMED and sub.prefs.searches == ("quokka",)
    notice = mailbox.last_to(ADA)
    assert notice.message["Subject"] == "Your Paperboy digest subscription"
    assert _PREFS_LINK.search(_text(notice)) and not _CONFIRM.search(_text(notice))


def test_rate_limit_per_address(client, mailbox, store):
    for _ in range(PER_ADDRESS + 2):
        answer = subscribe(client, ADA)
        assert answer.status_code == 200 and "Check your mail" in answer.text
    assert mailbox.count() == PER_ADDRESS


def test_unsubscribe_through_the_page(client, mailbox, store, app):
    confirmed(client, mailbox, store)
    stop = links(app, store, ADA).unsubscribe
    assert stop.startswith(f"{PUBLIC}/unsubscribe?token=")
    with TestClient(app) as reader:
        page = reader.get(stop.removeprefix(PUBLIC))
        assert page.status_code == 200 and ADA in page.text and 'action="/unsubscribe"' in page.text
        assert store.subscribers.find(ADA).status == CONFIRMED  # opening it changes nothing
        data = {"csrf_token": csrf(page.text), "token": field(page.text, "token")}
        done = reader.post("/unsubscribe", data=data)
        assert done.status_code == 200 and "You are unsubscribed" in done.text
        assert store.subscribers.find(ADA).status == UNSUBSCRIBED
        assert reader.post("/unsubscribe", data=data).status_code == 200  # idempotent
        again = reader.get(stop.removeprefix(PUBLIC))
        assert "is unsubscribed" in again.text and 'action="/unsubscribe"' not in again.text
    assert list(store.subscribers.iter_confirmed()) == []
    assert store.subscribers.find(ADA).prefs == Preferences()  # kept for a return


def test_forged_and_expired_manage_links(client, mailbox, store, app):
    confirmed(client, mailbox, store)
    sub = store.subscribers.find(ADA)
    secret = app.state.paperboy.secret
    long_ago = datetime.now(UTC) - timedelta(days=400)
    expired = manage_token(secret, sub, UNSUBSCRIBE, long_ago)
    forged = f"{sub.id}.{expired.split('.')[1]}.{'0' * 64}"
    other_key = manage_token(b"not the instance key", sub, UNSUBSCRIBE, datetime.now(UTC))
    assert client.get(f"/unsubscribe?token={expired}").status_code == 410
    for bad in (forged, other_key, "", "1.2", "x" * 400):
        page = client.get(f"/unsubscribe?token={bad}")
        assert page.status_code == 400 and "not valid" in page.text, bad
    body = {"List-Unsubscribe": "One-Click"}
    for bad in (expired, forged, other_key):
        assert client.post(f"/unsubscribe/one-click?token={bad}", data=body).status_code == 400
    # A preferences link does not unsubscribe, nor an unsubscribe link open preferences.
    good = links(app, store, ADA)
    prefs_token = good.preferences.split("token=", 1)[1]
    stop_token = good.one_click.split("token=", 1)[1]
    assert client.post(f"/unsubscribe/one-click?token={prefs_token}", data=body).status_code == 400
    assert client.get(f"/subscription?token={stop_token}").status_code == 400
    assert store.subscribers.find(ADA).status == CONFIRMED


def test_one_click_unsubscribe_rfc_8058(client, mailbox, store, app):
    confirmed(client, mailbox, store)
    one_click = links(app, store, ADA).one_click.removeprefix(PUBLIC)
    assert one_click.startswith("/unsubscribe/one-click?token=")
    provider = TestClient(app)  # no cookie, no CSRF token: what a mail provider sends
    # A client that only knows RFC 2369 opens the header's URL in a browser: a page whose
    # form unsubscribes, not an error; the GET itself changes nothing.
    opened = provider.get(one_click)
    assert opened.status_code == 200 and 'action="/unsubscribe"' in opened.text
    assert opened.headers["cache-control"] == "private, no-store"
    assert store.subscribers.find(ADA).status == CONFIRMED
    wrong = provider.post(one_click, data={"List-Unsubscribe": "Yes"})
    assert wrong.status_code == 400 and "List-Unsubscribe=One-Click" in wrong.text
    assert store.subscribers.find(ADA).status == CONFIRMED
    done = provider.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and done.text == "unsubscribed"
    assert done.headers["content-type"].startswith("text/plain")
    assert "set-cookie" not in done.headers
    assert store.subscribers.find(ADA).status == UNSUBSCRIBED
    # multipart/form-data, as RFC 8058 allows, and idempotent
    again = provider.post(one_click, files={"List-Unsubscribe": (None, "One-Click")})
    assert again.status_code == 200


def test_preferences_by_signed_link(client, mailbox, store, app):
    confirmed(client, mailbox, store, cadence="daily")
    path = links(app, store, ADA).preferences.removeprefix(PUBLIC)
    with TestClient(app) as reader:
        page = reader.get(path)
        assert page.status_code == 200 and ADA in page.text and "subscribed" in page.text
        token = csrf(page.text)
        data = {"csrf_token": token, "token": field(page.text, "token")}
        bad = reader.post("/subscription", data={**data, **PREFS, "timezone": "Mars/Olympus"})
        assert bad.status_code == 422 and "timezone" in bad.text and "Mars/Olympus" in bad.text
        assert "speech recognition" in bad.text  # what was typed is still there
        assert store.subscribers.find(ADA).prefs.cadence == "daily"
        saved = reader.post("/subscription", data={**data, **PREFS})
        assert saved.status_code == 200 and "Saved." in saved.text
        assert store.subscribers.find(ADA).prefs.searches[1] == "speech recognition"
        hostile = reader.post("/subscription", data={**data, "authors": HOSTILE})
        assert (
            hostile.status_code == 200 and ESCAPED in hostile.text and HOSTILE not in hostile.text
        )
        assert store.subscribers.find(ADA).prefs.authors == (HOSTILE,)
        # After unsubscribing, the same link subscribes again.
        store.subscribers.set_status(
            store.subscribers.find(ADA).id, UNSUBSCRIBED, datetime.now(UTC)
        )
        back = reader.post("/subscription", data={**data, "action": "resume"})
        assert back.status_code == 200 and store.subscribers.find(ADA).status == CONFIRMED


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"cadence": "hourly"}, "cadence"),
        ({"weekday": "9"}, "weekday"),
        ({"send_hour": "24"}, "send_hour"),
        ({"trending_count": "many"}, "trending_count"),
        ({"trending_count": "-1"}, "trending_count"),
        ({"categories": "cs.CL; DROP TABLE"}, "categories"),
        ({"searches": "fine\nafter:someday"}, "searches: line 2"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"authors": "\n".join(f"Author {i}" for i in range(60))}, "followed authors"),
    ],
)
def test_form_errors_name_the_field_and_keep_the_rest(client, mailbox, store, fields, named):
    data = {**PREFS, **fields}
    email = data.pop("email", ADA)
    answer = subscribe(client, email, **data)
    assert answer.status_code == 422
    assert named in answer.text
    assert f'value="{email}"' in answer.text
    assert "speech recognition" in answer.text or "searches" in fields
    assert store.subscribers.count() == 0 and mailbox.count() == 0


def test_account_subscribes_its_own_address_at_once(app, store, mailbox):
    user, _ = store.users.get_or_create(ADA, "Ada")
    client, token = signed_in(app, user)
    page = client.get("/account")
    assert page.status_code == 200 and 'id="subscription"' in page.text
    assert 'action="/account/subscription"' in page.text and 'name="more_like_mine"' in page.text

    bad = client.post("/account/subscription", data={"csrf_token": token, "send_hour": "99"})
    assert bad.status_code == 422 and "send_hour" in bad.text
    assert store.subscribers.count() == 0
    refused = client.post("/account/subscription", data={**PREFS, "more_like_mine": "1"})
    assert refused.status_code == 403

    made = client.post(
        "/account/subscription", data={"csrf_token": token, **PREFS, "more_like_mine": "1"}
    )
    assert made.status_code == 303 and made.headers["location"] == "/account#subscription"
    sub = store.subscribers.find(ADA)
    assert sub.status == CONFIRMED and sub.user_id == user.id and sub.prefs.more_like_mine
    assert mailbox.count() == 0  # signing in proved the address
    page = client.get("/account")
    assert "Save digest preferences" in page.text and "checked" in page.text
    assert 'value="Europe/Paris"' in page.text

    # Unticking the box turns it off (browsers send nothing for an unticked box).
    client.post("/account/subscription", data={"csrf_token": token, **PREFS})
    assert not store.subscribers.find(ADA).prefs.more_like_mine

    stopped = client.post("/account/subscription/stop", data={"csrf_token": token})
    assert stopped.status_code == 303 and store.subscribers.find(ADA).status == UNSUBSCRIBED

    # /subscribe with the account's own address subscribes at once too.
    form = client.get("/subscribe")
    assert f'value="{ADA}"' in form.text and 'name="more_like_mine"' in form.text
    again = client.post("/subscribe", data={"csrf_token": token, "email": "ADA@example.org"})
    assert again.status_code == 303 and store.subscribers.find(ADA).status == CONFIRMED
    assert mailbox.count() == 0
    # Another address still needs its own confirmation.
    other = client.post("/subscribe", data={"csrf_token": token, "email": "bob@example.org"})
    assert other.status_code == 200 and store.subscribers.find("bob@example.org").status == PENDING
    assert mailbox.count() == 1


def test_anonymous_account_routes_go_to_login(client):
    token = csrf(client.get("/subscribe").text)
    answer = client.post(
        "/account/subscription", data={"csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_confirming_links_an_existing_account(client, mailbox, store):
    user, _ = store.users.get_or_create(ADA, "Ada")
    confirmed(client, mailbox, store)
    assert store.subscribers.find(ADA).user_id == user.id
    assert store.subscribers.for_user(user.id).email == ADA
