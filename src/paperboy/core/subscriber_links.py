"""Signed links in every mail to a subscriber: unsubscribe (one click or a page) and
preferences, with no account and no cookie.

A link carries the subscriber's id, an expiry and an HMAC over both, the address and the
link's purpose, under the instance key. Nothing is stored: a link outlives no key rotation,
and one minted for an address that was removed and subscribed again is refused, because the
new row has a new id. Unsubscribing is idempotent, so the link need not be single-use;
confirming a subscription is, and uses a stored token instead (``core.subscriptions``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from paperboy.core.accounts import same, sign
from paperboy.core.errors import InvalidParameter
from paperboy.mail.compose import Composer
from paperboy.models.subscription import Subscriber, SubscriberLinks
from paperboy.store import Store

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
PURPOSES = (UNSUBSCRIBE, PREFERENCES)
LINK_TTL = timedelta(days=120)  # a digest read months later still unsubscribes

UNSUBSCRIBE_PATH = "/unsubscribe"  # GET: a confirmation page; POST: unsubscribe
ONE_CLICK_PATH = "/unsubscribe/one-click"  # RFC 8058: POST List-Unsubscribe=One-Click
PREFERENCES_PATH = "/subscription"  # GET: the preferences form; POST: save


class BadSubscriberLink(InvalidParameter):
    """A manage link that is forged, expired, or for an address no longer subscribed."""

    def __init__(self, why: str = "not valid") -> None:
        self.state = "expired" if why == "expired" else "unknown"  # what the page says
        super().__init__(f"This link is {why}. Use the link in a newer digest, or subscribe again.")


def manage_token(secret: bytes, sub: Subscriber, purpose: str, now: datetime) -> str:
    expires = int((now + LINK_TTL).timestamp())
    mac = sign(secret, "subscriber", purpose, str(sub.id), sub.email, str(expires))
    return f"{sub.id}.{expires}.{mac}"


def read_manage_token(
    store: Store, secret: bytes, token: str, purpose: str, now: datetime
) -> Subscriber:
    """The subscriber a link was minted for; raises BadSubscriberLink."""
    try:
        sub_id, expires, mac = token.split(".", 2)
        sub = store.subscribers.get(int(sub_id))
        deadline = int(expires)
    except (ValueError, OverflowError):
        raise BadSubscriberLink() from None
    if sub is None or not same(
        mac, sign(secret, "subscriber", purpose, str(sub.id), sub.email, expires)
    ):
        raise BadSubscriberLink()
    if now.timestamp() > deadline:
        raise BadSubscriberLink("expired")
    return sub


def subscriber_links(
    composer: Composer,
    secret: bytes,
    sub: Subscriber,
    now: datetime | None = None,
    mailto: str | None = None,
) -> SubscriberLinks:
    """The links one mail to ``sub`` carries. ``mailto`` (default: the sender) receives
    "unsubscribe" mails from clients that prefer them; the token in the subject names who."""
    when = now or datetime.now(UTC)
    stop = manage_token(secret, sub, UNSUBSCRIBE, when)
    address = mailto or _address(composer.mail_from)
    return SubscriberLinks(
        unsubscribe=composer.url(UNSUBSCRIBE_PATH, token=stop),
        one_click=composer.url(ONE_CLICK_PATH, token=stop),
        mailto=f"mailto:{address}?subject={quote('unsubscribe ' + stop)}",
        preferences=composer.url(
            PREFERENCES_PATH, token=manage_token(secret, sub, PREFERENCES, when)
        ),
    )


def _address(mail_from: str) -> str:
    from email.utils import parseaddr

    return parseaddr(mail_from)[1] or mail_from
