"""Subscribing to the digest: double opt-in, confirming, unsubscribing, preferences.

Like signing in, asking to subscribe does the same visible thing for every address: the
caller always answers "check your mail", so nobody learns who is subscribed. Behind it:

- a new, pending or unsubscribed address is stored as pending with the asked-for preferences
  and gets a mail with a single-use confirmation link (a stored token, purpose
  ``subscribe``); only spending that link, by posting the form on its page, confirms;
- a confirmed address keeps its preferences (a stranger cannot change them) and gets a mail
  with its signed preferences link instead;
- a suspended address keeps its row and gets a confirmation link: confirming proves the
  mailbox works again.

An account subscribes its own address at once: signing in already proved it. Unsubscribing
and preferences use the signed links of ``core.subscriber_links`` (no account, no cookie).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

from paperboy.config import Settings
from paperboy.core.accounts import new_token, token_hash
from paperboy.core.errors import InvalidParameter, SpentLink
from paperboy.core.mail_limits import Limits
from paperboy.core.preferences import parse_preferences
from paperboy.core.subscriber_links import (
    PREFERENCES,
    UNSUBSCRIBE,
    BadSubscriberLink,
    read_manage_token,
    subscriber_links,
)
from paperboy.mail import Composer, Mailer, redact_address
from paperboy.mail.digest import list_unsubscribe
from paperboy.models.community import User, normalise_email
from paperboy.models.subscription import (
    CONFIRMED,
    PENDING,
    SUSPENDED,
    UNSUBSCRIBED,
    Preferences,
    Subscriber,
)
from paperboy.store import Store

__all__ = [
    "CONFIRM_PATH",
    "SUBSCRIBE_PURPOSE",
    "BadConfirmLink",
    "BadSubscriberLink",
    "ImportReport",
    "Limits",
    "confirm_state",
    "confirm_subscription",
    "import_subscribers",
    "parse_preferences",
    "read_subscriber",
    "request_subscription",
    "resume",
    "save_preferences",
    "subscribe_account",
    "unsubscribe",
    "unsubscribe_account",
    "unsubscribe_by_mail",
]

log = logging.getLogger(__name__)

SUBSCRIBE_PURPOSE = "subscribe"
CONFIRM_PATH = "/subscribe/confirm"
CONFIRM_HOURS = 48  # long enough for a mail read the next day; single use all the same
CONFIRM_TTL = timedelta(hours=CONFIRM_HOURS)
SUBJECT = "Confirm your Paperboy digest subscription"
ALREADY_SUBJECT = "Your Paperboy digest subscription"
WINDOW_SECONDS = 60 * 60
PER_ADDRESS = 3  # mails per address per hour: a mailbox is never flooded
PER_IP = 10  # requests per client address per hour: nobody subscribes the world from one host


LIMITS = Limits(PER_ADDRESS, PER_IP, WINDOW_SECONDS)


class BadConfirmLink(SpentLink):
    """A confirmation link that cannot be spent; ``state`` says why: used, expired, unknown."""

    MESSAGES = {
        "used": "This confirmation link was already used. Your subscription is confirmed; "
        "the preferences link is in every digest.",
        "expired": "This confirmation link has expired. Subscribe again for a new one.",
        "unknown": "This confirmation link is not valid. Subscribe again for a new one.",
    }


def _email(text: str) -> str:
    try:
        return normalise_email(text)
    except ValueError as exc:
        raise InvalidParameter(f"email: {exc}") from None


def _checked(prefs: Preferences) -> Preferences:
    try:
        return prefs.checked()
    except ValueError as exc:
        raise InvalidParameter(str(exc)) from None


def _linked_user(store: Store, email: str) -> int | None:
    user = store.users.find_user(email)
    return user.id if user is not None else None


def _confirmation(
    store: Store, composer: Composer, secret: bytes, sub: Subscriber, now: datetime
) -> EmailMessage:
    """The mail for one request: a confirmation link, or (already confirmed) the links to
    manage the subscription."""
    if sub.status == CONFIRMED:
        links = subscriber_links(composer, secret, sub, now)
        context = {"already": True, "link": links.preferences, "email": sub.email,
                   "unsubscribe": links.unsubscribe, "expires_hours": CONFIRM_HOURS}  # fmt: skip
        # Mail to a subscriber is list mail, one-click unsubscribe included.
        headers = list_unsubscribe(links)
        return composer.compose(sub.email, ALREADY_SUBJECT, "subscribe", context, headers=headers)
    token = new_token()
    store.users.add_token(token_hash(token), SUBSCRIBE_PURPOSE, str(sub.id), now + CONFIRM_TTL)
    link = composer.url(CONFIRM_PATH, token=token)
    context = {"already": False, "link": link, "email": sub.email, "unsubscribe": "",
               "expires_hours": CONFIRM_HOURS}  # fmt: skip
    return composer.compose(sub.email, SUBJECT, "subscribe", context)


def _stored_for_request(
    store: Store, address: str, prefs: Preferences, now: datetime
) -> Subscriber:
    """The row a request leaves: pending with ``prefs`` unless confirmed or suspended."""
    found = store.subscribers.find(address)
    if found is not None and found.status in (CONFIRMED, SUSPENDED):
        return found
    sub, _ = store.subscribers.add(address, prefs, PENDING, now, _linked_user(store, address))
    return sub


def request_subscription(
    store: Store,
    settings: Settings,
    secret: bytes,
    email: str,
    prefs: Preferences,
    ip: str,
    now: datetime,
    *,
    limits: Limits = LIMITS,
) -> None:
    """Store a pending subscription and mail its confirmation link, unless a rate limit is
    reached (then only log). Raises InvalidParameter for a bad address or preferences;
    everything else (limits, a refusing mail server) is logged, never told to the caller."""
    address = _email(email)
    prefs = _checked(prefs)
    if over := limits.hit(store, "subscribe", address, ip, now):
        log.warning(
            "subscription mail for %s from %s not sent: %s", redact_address(address), ip, over
        )
        return
    sub = _stored_for_request(store, address, prefs, now)
    composer = Composer.from_settings(settings)
    _send(settings, [_confirmation(store, composer, secret, sub, now)])


def _send(settings: Settings, messages: list[EmailMessage]) -> int:
    """Send, logging each refusal; how many the server accepted."""
    accepted = 0
    for delivery in Mailer.from_settings(settings).send(messages):
        if delivery.accepted:
            accepted += 1
        else:
            log.error(
                "subscription mail for %s not delivered: %s %s",
                ", ".join(redact_address(r) for r in delivery.recipients),
                delivery.status.value, delivery.detail,
            )  # fmt: skip
    return accepted


def confirm_state(store: Store, token: str, now: datetime) -> str:
    """``valid``, ``used``, ``expired`` or ``unknown``: what the confirmation page says.
    Reads only; spends nothing."""
    if not token:
        return "unknown"
    return store.users.token_state(token_hash(token), SUBSCRIBE_PURPOSE, now)


def confirm_subscription(store: Store, token: str, now: datetime) -> Subscriber:
    """Spend ``token`` and confirm its subscription. A used, expired or unknown token, or
    one whose address was removed since, raises BadConfirmLink naming which."""
    subject = store.users.use_token(token_hash(token), SUBSCRIBE_PURPOSE, now) if token else None
    if subject is None:
        raise BadConfirmLink(confirm_state(store, token, now))
    sub = store.subscribers.get(int(subject))
    if sub is None:
        raise BadConfirmLink("unknown")
    store.subscribers.set_status(sub.id, CONFIRMED, now)
    if sub.user_id is None and (uid := _linked_user(store, sub.email)) is not None:
        store.subscribers.link_user(sub.id, uid)
    log.info("subscription %d confirmed", sub.id)
    return store.subscribers.get(sub.id) or sub


# --- signed links: unsubscribe and preferences without an account -------------------------


def read_subscriber(
    store: Store, secret: bytes, token: str, purpose: str, now: datetime
) -> Subscriber:
    """The subscriber a manage link names (``purpose`` UNSUBSCRIBE or PREFERENCES); raises
    BadSubscriberLink. Reads only."""
    return read_manage_token(store, secret, token[:300], purpose, now)


def unsubscribe(store: Store, secret: bytes, token: str, now: datetime) -> Subscriber:
    """Stop digests to the address an unsubscribe link names. Idempotent; its preferences
    stay, for a later return. Raises BadSubscriberLink."""
    sub = read_subscriber(store, secret, token, UNSUBSCRIBE, now)
    if store.subscribers.set_status(sub.id, UNSUBSCRIBED, now):
        log.info("subscription %d unsubscribed", sub.id)
    return store.subscribers.get(sub.id) or sub


_MAILTO_SUBJECT = re.compile(r"\bunsubscribe\s+(\d+\.\d+\.[0-9a-f]+)\b", re.IGNORECASE)


def unsubscribe_by_mail(store: Store, secret: bytes, raw: bytes, now: datetime) -> Subscriber:
    """Apply a request sent to the ``List-Unsubscribe`` mailto (``Subject: unsubscribe
    TOKEN``; the token, not the From address, names and authorises it). Raises
    InvalidParameter when the subject carries no token, BadSubscriberLink for a bad one."""
    msg = message_from_bytes(raw, policy=default_policy)
    subject = str(msg.get("Subject", ""))
    found = _MAILTO_SUBJECT.search(subject)
    if found is None:
        raise InvalidParameter(
            f"no unsubscribe token in the subject {subject[:80]!r} (expected 'unsubscribe TOKEN')"
        )
    return unsubscribe(store, secret, found.group(1), now)


def save_preferences(
    store: Store, secret: bytes, token: str, prefs: Preferences, now: datetime
) -> Subscriber:
    """Save the preferences of the subscriber a preferences link names."""
    sub = read_subscriber(store, secret, token, PREFERENCES, now)
    return store.subscribers.set_preferences(sub.id, _checked(prefs)) or sub


def resume(store: Store, secret: bytes, token: str, now: datetime) -> Subscriber:
    """Subscribe again from a preferences link (the link came by mail, so the address is
    proven). A pending address is confirmed by it too."""
    sub = read_subscriber(store, secret, token, PREFERENCES, now)
    store.subscribers.set_status(sub.id, CONFIRMED, now)
    return store.subscribers.get(sub.id) or sub


# --- accounts ---------------------------------------------------------------------------


def subscribe_account(store: Store, user: User, prefs: Preferences, now: datetime) -> Subscriber:
    """Subscribe ``user``'s own address, confirmed at once, or save its preferences when it
    is subscribed already (also resuming an unsubscribed or suspended one)."""
    prefs = _checked(prefs)
    found = store.subscribers.for_user(user.id) or store.subscribers.find(user.email)
    if found is None:
        sub, _ = store.subscribers.add(user.email, prefs, CONFIRMED, now, user.id)
        return sub
    store.subscribers.set_preferences(found.id, prefs)
    if found.user_id != user.id:
        store.subscribers.link_user(found.id, user.id)
    store.subscribers.set_status(found.id, CONFIRMED, now)
    return store.subscribers.get(found.id) or found


def unsubscribe_account(store: Store, user: User, now: datetime) -> Subscriber | None:
    """Stop ``user``'s digests; None when it had no subscription."""
    found = store.subscribers.for_user(user.id)
    if found is None:
        return None
    store.subscribers.set_status(found.id, UNSUBSCRIBED, now)
    return store.subscribers.get(found.id)


# --- admins: moving a list that opted in elsewhere ----------------------------------------


@dataclass
class ImportReport:
    added: list[str]  # new addresses
    updated: list[str]  # pending ones now confirmed (with --confirmed) or mailed again
    unchanged: list[str]  # already confirmed or suspended: left as they are
    kept_unsubscribed: list[str]  # asked to stop: an import never subscribes them again
    invalid: list[tuple[str, str]]  # (where, why)
    mailed: int = 0  # confirmation mails accepted (without --confirmed)


def import_subscribers(
    store: Store,
    settings: Settings,
    secret: bytes,
    emails: list[tuple[str, str]],
    prefs: Preferences,
    *,
    confirmed: bool,
    now: datetime | None = None,
) -> ImportReport:
    """Add many ``(where, address)`` pairs (``where`` names the argument or file line for
    errors). With ``confirmed`` they get digests at once (they opted in elsewhere); without,
    each new or pending address is mailed a confirmation link. Bad addresses are reported,
    never stop the others."""
    when = now or datetime.now(UTC)
    prefs = _checked(prefs)
    report = ImportReport([], [], [], [], [])
    status = CONFIRMED if confirmed else PENDING
    seen: set[str] = set()
    to_mail: list[Subscriber] = []
    for where, raw in emails:
        try:
            address = _email(raw)
        except InvalidParameter as exc:
            report.invalid.append((f"{where} ({raw[:60]!r})", str(exc)))
            continue
        if address in seen:
            continue
        seen.add(address)
        found = store.subscribers.find(address)
        if found is not None and found.status == UNSUBSCRIBED:
            report.kept_unsubscribed.append(address)
            continue
        if found is not None and found.status in (CONFIRMED, SUSPENDED):
            report.unchanged.append(address)
            continue
        sub, created = store.subscribers.add(
            address, prefs, status, when, _linked_user(store, address)
        )
        (report.added if created else report.updated).append(address)
        if not confirmed:
            to_mail.append(sub)
    if to_mail:
        composer = Composer.from_settings(settings)
        messages = [_confirmation(store, composer, secret, s, when) for s in to_mail]
        report.mailed = _send(settings, messages)
    return report
