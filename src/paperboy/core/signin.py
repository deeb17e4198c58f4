"""Signing in by a mailed link: ask for a link, and spend it on the confirmation form.

No password and no "does this address have an account?" branch anywhere: an account is made
the first time a link is spent, so asking for a link does the same work for every address
(rate-limit counting, one token, one mail), and neither the answer nor its timing can tell
whether somebody has an account. Over a rate limit nothing is sent, but the caller answers
exactly the same.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from paperboy.config import Settings
from paperboy.core.accounts import LOGIN_MINUTES, LOGIN_TTL, new_token, token_hash
from paperboy.core.errors import InvalidParameter, SpentLink
from paperboy.core.mail_limits import Limits
from paperboy.core.profile import clean_display_name
from paperboy.mail import Composer, Mailer, redact_address
from paperboy.models.community import User, normalise_email
from paperboy.store import Store

log = logging.getLogger(__name__)

LOGIN_PURPOSE = "login"
CONFIRM_PATH = "/login/confirm"
SUBJECT = "Sign in to Paperboy"
WINDOW_SECONDS = 15 * 60
PER_ADDRESS = 3  # links per address per window: a mailbox is never flooded
PER_IP = 10  # links per client address per window: nobody mails the world from one host


LIMITS = Limits(PER_ADDRESS, PER_IP, WINDOW_SECONDS)


class BadLink(SpentLink):
    """A sign-in link that cannot be spent; ``state`` says why: used, expired or unknown."""

    MESSAGES = {
        "used": "This sign-in link was already used. Ask for a new one.",
        "expired": "This sign-in link has expired. Ask for a new one.",
        "unknown": "This sign-in link is not valid. Ask for a new one.",
    }


class AccountSuspended(InvalidParameter):
    """The link was good but its account is banned: no session for it."""


def email_or_raise(text: str) -> str:
    try:
        return normalise_email(text)
    except ValueError as exc:
        raise InvalidParameter(f"email: {exc}") from None


def _mint_link(
    store: Store, composer: Composer, email: str, now: datetime, next_path: str = "/"
) -> str:
    token = new_token()
    store.users.add_token(token_hash(token), LOGIN_PURPOSE, email, now + LOGIN_TTL)
    if next_path != "/":  # where the confirmation form goes afterwards (a checked path)
        return composer.url(CONFIRM_PATH, token=token, next=next_path)
    return composer.url(CONFIRM_PATH, token=token)


def request_login(
    store: Store,
    settings: Settings,
    email: str,
    ip: str,
    now: datetime,
    *,
    next_path: str = "/",
    limits: Limits = LIMITS,
) -> None:
    """Mail a sign-in link to ``email`` unless a rate limit is reached (then only log).
    ``next_path`` (a path on this site, checked by the caller) rides along in the link.

    Raises InvalidParameter for an address that is not one; everything else (limits, a mail
    server that refuses) is logged, never told to the caller.
    """
    address = email_or_raise(email)
    if over := limits.hit(store, "login", address, ip, now):
        log.warning("sign-in link for %s from %s not sent: %s", redact_address(address), ip, over)
        return
    composer = Composer.from_settings(settings)
    link = _mint_link(store, composer, address, now, next_path)
    context = {"link": link, "email": address, "expires_minutes": LOGIN_MINUTES}
    message = composer.compose(address, SUBJECT, "login", context)
    for delivery in Mailer.from_settings(settings).send([message]):
        if not delivery.accepted:
            log.error(
                "sign-in link for %s not delivered: %s %s",
                redact_address(address), delivery.status.value, delivery.detail,
            )  # fmt: skip


def login_link(store: Store, settings: Settings, email: str, now: datetime | None = None) -> str:
    """A sign-in link for ``email``, printed instead of mailed (admins, instances without
    mail). Same token, same expiry, same single use as a mailed one."""
    when = now or datetime.now(UTC)
    return _mint_link(store, Composer.from_settings(settings), email_or_raise(email), when)


def link_state(store: Store, token: str, now: datetime) -> str:
    """``valid``, ``used``, ``expired`` or ``unknown``: what the confirmation page says.
    Reads only; spends nothing."""
    if not token:
        return "unknown"
    return store.users.token_state(token_hash(token), LOGIN_PURPOSE, now)


def confirm_login(store: Store, token: str, display_name: str | None, now: datetime) -> User:
    """Spend ``token`` and return its account, made now if this is its first sign-in.
    A used, expired or unknown token raises BadLink naming which; a banned account raises
    AccountSuspended (the token is spent all the same)."""
    name = clean_display_name(display_name)
    email = store.users.use_token(token_hash(token), LOGIN_PURPOSE, now) if token else None
    if email is None:
        raise BadLink(link_state(store, token, now))
    user, created = store.users.get_or_create(email, name)
    if not created and name and name != user.display_name:
        store.users.set_display_name(user.id, name)
        user = store.users.get_user(user.id) or user
    if user.banned:
        raise AccountSuspended("this account is suspended")
    return user
