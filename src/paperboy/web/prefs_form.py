"""What the digest preference fields (``_subscription_fields.html``) need, shared by the
subscribe pages and the account page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from paperboy.core.preferences import WEEKDAYS, preference_fields
from paperboy.models.community import User
from paperboy.models.subscription import Preferences
from paperboy.store import Store


@lru_cache(maxsize=1)
def timezones() -> tuple[str, ...]:
    """IANA names for the form's suggestions (read once, on first use)."""
    return tuple(sorted(available_timezones()))


def form_context(values: dict[str, Any], show_mine: bool) -> dict[str, Any]:
    """``values`` are the form's (``preference_fields`` or ``typed_fields``); ``show_mine``
    offers "more like my upvotes and saves", which needs an account."""
    return {"f": values, "weekdays": WEEKDAYS, "timezones": timezones(), "show_mine": show_mine}


def account_subscription(
    store: Store, user: User, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The account page's subscription section: the subscription (or None) and its form."""
    sub = store.subscribers.for_user(user.id)
    shown = values or preference_fields(sub.prefs if sub else Preferences())
    return {"subscription": sub, **form_context(shown, show_mine=True)}
