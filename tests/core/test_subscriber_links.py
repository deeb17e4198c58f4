"""Signed subscriber links: they name their subscriber, and forged or expired ones fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from paperboy.core.subscriber_links import (
    PREFERENCES,
    UNSUBSCRIBE,
    BadSubscriberLink,
    read_manage_token,
    subscriber_links,
)
from paperboy.mail.compose import Composer
from paperboy.models.subscription import CONFIRMED, Preferences
from paperboy.store import open_store

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
KEY = b"k" * 32


def _token(link: str) -> str:
    return link.split("token=", 1)[1]


def test_links_round_trip_and_refuse_forgery_expiry_and_reuse_after_removal(
    tmp_path: Path,
) -> None:
    with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
        sub, _ = store.subscribers.add("ada@example.org", Preferences(), CONFIRMED, NOW)
        composer = Composer("Paperboy <digest@papers.example>", "https://papers.example")
        links = subscriber_links(composer, KEY, sub, NOW)
        assert links.unsubscribe.startswith("https://papers.example/unsubscribe?token=")
        assert links.one_click.startswith("https://papers.example/unsubscribe/one-click?token=")
        assert links.mailto.startswith("mailto:digest@papers.example?subject=unsubscribe%20")
        stop, prefs = _token(links.unsubscribe), _token(links.preferences)
        assert read_manage_token(store, KEY, stop, UNSUBSCRIBE, NOW) == sub
        assert read_manage_token(store, KEY, prefs, PREFERENCES, NOW) == sub
        with pytest.raises(BadSubscriberLink):  # a link for one purpose is not another
            read_manage_token(store, KEY, stop, PREFERENCES, NOW)
        with pytest.raises(BadSubscriberLink):  # another key
            read_manage_token(store, b"x" * 32, stop, UNSUBSCRIBE, NOW)
        flipped = stop[:-1] + ("0" if stop[-1] != "0" else "1")
        for forged in ("", "1", "1.2", "x.y.z", flipped, "99." + stop.split(".", 1)[1]):
            with pytest.raises(BadSubscriberLink):
                read_manage_token(store, KEY, forged, UNSUBSCRIBE, NOW)
        with pytest.raises(BadSubscriberLink, match="expired"):
            read_manage_token(store, KEY, stop, UNSUBSCRIBE, NOW + timedelta(days=200))
        store.subscribers.remove(sub.id)
        store.subscribers.add("ada@example.org", Preferences(), CONFIRMED, NOW)
        with pytest.raises(BadSubscriberLink):
            read_manage_token(store, KEY, stop, UNSUBSCRIBE, NOW)
