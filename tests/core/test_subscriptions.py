"""The subscribing use cases without the web: limits, the mails, suspended addresses, and a
mail server that refuses. Real SQLite, real SMTP on 127.0.0.1."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest

from paperboy.config import load_settings
from paperboy.core.accounts import instance_secret
from paperboy.core.subscriptions import (
    PER_IP,
    BadConfirmLink,
    Limits,
    confirm_subscription,
    request_subscription,
    subscribe_account,
    unsubscribe_account,
)
from paperboy.models.subscription import (
    CONFIRMED,
    PENDING,
    SUSPENDED,
    UNSUBSCRIBED,
    Preferences,
)
from paperboy.store import open_store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_TOKEN = re.compile(r"/subscribe/confirm\?token=(\S+)")


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "subs.db"))
    yield s
    s.close()


@pytest.fixture
def settings(smtp_server):
    return load_settings(
        {"PAPERBOY_SMTP_URL": smtp_server.url, "PAPERBOY_PUBLIC_URL": "https://papers.example"}
    )


def ask(store, settings, email: str, ip: str = "192.0.2.1", **kw) -> None:
    secret = instance_secret(store, settings)
    request_subscription(store, settings, secret, email, Preferences(), ip, NOW, **kw)


def token_in(smtp_server) -> str:
    text = smtp_server.handler.received[-1].message.get_body(("plain",)).get_content()
    return _TOKEN.search(text).group(1)


def test_the_confirmation_mail(store, settings, smtp_server):
    ask(store, settings, "ada@example.org")
    mail = smtp_server.handler.received[-1].message
    assert mail["To"] == "ada@example.org" and mail["Message-ID"] and mail["Date"]
    assert mail["List-Unsubscribe"] is None  # not a list mail: nobody is subscribed yet
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = re.search(r"https://papers\.example/subscribe/confirm\?token=\S+", text).group(0)
    assert link.replace("&", "&amp;") in html or link in html
    assert "expires in 48 hours" in text and "ignore this mail" in text


def test_limit_per_ip_counts_every_address(store, settings, smtp_server):
    for i in range(PER_IP + 3):
        ask(store, settings, f"person{i}@example.org")
    assert len(smtp_server.handler.received) == PER_IP
    ask(store, settings, "late@example.org", ip="198.51.100.7")  # another host is fine
    assert len(smtp_server.handler.received) == PER_IP + 1


def test_the_window_ends(store, settings, smtp_server):
    limits = Limits(per_address=1, per_ip=50, window_seconds=60)
    ask(store, settings, "ada@example.org", limits=limits)
    ask(store, settings, "ada@example.org", limits=limits)
    assert len(smtp_server.handler.received) == 1
    secret = instance_secret(store, settings)
    later = NOW + timedelta(minutes=2)
    request_subscription(
        store, settings, secret, "ada@example.org", Preferences(), "192.0.2.1", later,
        limits=limits,
    )  # fmt: skip
    assert len(smtp_server.handler.received) == 2


def test_a_refusing_server_is_logged_never_raised(store, settings, smtp_server, caplog):
    smtp_server.handler.reject.add("ada@example.org")
    with caplog.at_level(logging.ERROR, logger="paperboy.core.subscriptions"):
        ask(store, settings, "ada@example.org")
    assert "not delivered" in caplog.text and "ada@example.org" not in caplog.text
    assert store.subscribers.find("ada@example.org").status == PENDING


def test_a_suspended_address_comes_back_by_confirming(store, settings, smtp_server):
    prefs = Preferences(searches=("quokka",))
    sub, _ = store.subscribers.add("ada@example.org", prefs, CONFIRMED, NOW)
    store.subscribers.record_failure(sub.id, NOW, suspend_after=1)
    assert store.subscribers.get(sub.id).status == SUSPENDED
    ask(store, settings, "ada@example.org")
    assert store.subscribers.get(sub.id).status == SUSPENDED  # asking alone changes nothing
    back = confirm_subscription(store, token_in(smtp_server), NOW)
    assert back.status == CONFIRMED and back.failures == 0 and back.prefs == prefs
    with pytest.raises(BadConfirmLink) as caught:
        confirm_subscription(store, token_in(smtp_server), NOW)
    assert caught.value.state == "used"


def test_an_expired_confirmation(store, settings, smtp_server):
    ask(store, settings, "ada@example.org")
    with pytest.raises(BadConfirmLink) as caught:
        confirm_subscription(store, token_in(smtp_server), NOW + timedelta(hours=49))
    assert caught.value.state == "expired"
    assert store.subscribers.find("ada@example.org").status == PENDING


def test_accounts(store):
    user, _ = store.users.get_or_create("ada@example.org")
    assert unsubscribe_account(store, user, NOW) is None
    sub = subscribe_account(store, user, Preferences(more_like_mine=True), NOW)
    assert sub.status == CONFIRMED and sub.user_id == user.id and sub.prefs.more_like_mine
    assert unsubscribe_account(store, user, NOW).status == UNSUBSCRIBED
    again = subscribe_account(store, user, Preferences(cadence="weekly"), NOW)
    assert again.id == sub.id and again.status == CONFIRMED and again.prefs.cadence == "weekly"


def test_a_subscribed_address_asking_again_gets_a_list_mail(store, settings, smtp_server):
    """Mail to a confirmed subscriber is list mail: it carries List-Unsubscribe (one-click
    https and mailto) and List-Unsubscribe-Post like every digest."""
    store.subscribers.add("ada@example.org", Preferences(), CONFIRMED, NOW)
    ask(store, settings, "ada@example.org")
    mail = smtp_server.handler.received[-1].message
    header = str(mail["List-Unsubscribe"])
    assert "https://papers.example/unsubscribe/one-click?token=" in header and "<mailto:" in header
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
