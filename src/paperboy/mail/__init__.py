"""Outgoing mail, shared by sign-in links and digests: templates → messages → SMTP or files.

Imports no web framework: the CLI, the web app and the digest job all use it the same way::

    composer = Composer.from_settings(settings)
    msg = composer.compose(to, "Sign in to Paperboy", "login", {"link": composer.url(path)})
    deliveries = Mailer.from_settings(settings).send([msg])
"""

from paperboy.mail.compose import Composer
from paperboy.mail.send import (
    Delivery,
    FileMailer,
    Mailer,
    OnDelivery,
    Retry,
    SmtpMailer,
    Status,
    redact_address,
)
from paperboy.mail.url import MailTarget, mail_target, parse_mail_url, public_base

__all__ = [
    "Composer",
    "Delivery",
    "FileMailer",
    "MailTarget",
    "Mailer",
    "OnDelivery",
    "Retry",
    "SmtpMailer",
    "Status",
    "mail_target",
    "parse_mail_url",
    "public_base",
    "redact_address",
]
