"""Messages from templates: an HTML body and a plain-text alternative, with correct headers.

Two Jinja environments over one folder: ``.html`` autoescapes everything it prints (imported
titles and display names are hostile text), ``.txt`` prints text as it is, since a text body
is never parsed as markup. Build one ``Composer`` and reuse it: templates compile once.
"""

from __future__ import annotations

import binascii
import uuid
from collections.abc import Callable, Mapping
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.filters import do_wordwrap

_TEMPLATES = PackageLoader("paperboy.mail", "templates")
# How headers are written out. The default policy folds at 78 columns and turns a longer word
# (a signed List-Unsubscribe URL is ~130 characters) into RFC 2047 encoded-words, which no
# client reads as a URL. RFC 5322 allows lines of 998: long headers stay verbatim.
HEADER_POLICY = default_policy.clone(max_line_length=998)


class Composer:
    """Renders and addresses mail; ``base_url`` (PAPERBOY_PUBLIC_URL) anchors every link."""

    def __init__(self, mail_from: str, base_url: str) -> None:
        self.mail_from = mail_from
        self.base_url = base_url.rstrip("/")
        # The Message-ID names the public host, so replies and bounces point back to it.
        self.domain = urlsplit(self.base_url).hostname or "localhost"
        common: dict[str, Any] = {
            "loader": _TEMPLATES,
            "undefined": StrictUndefined,  # a missing variable is a bug, not a blank in a mail
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
        }
        self._html = Environment(autoescape=True, **common)
        self._text = Environment(autoescape=False, **common)
        for env in (self._html, self._text):
            env.globals.update(base_url=self.base_url, url=self.url)
        self._text.filters["wordwrap"] = _cached_wordwrap(self._text)
        # Header values repeat across a batch (From, List-Id, part headers): parse each once.
        self._policy = default_policy.clone(header_factory=_RememberedHeaders())

    @classmethod
    def from_settings(cls, settings: Any) -> Composer:
        from paperboy.mail.url import public_base

        return cls(settings.mail_from, public_base(settings))

    def url(self, path: str, **query: Any) -> str:
        """An absolute link under the public base: ``url("/login/confirm", token=t)``."""
        link = f"{self.base_url}/{path.lstrip('/')}"
        return f"{link}?{urlencode(query)}" if query else link

    def render(self, template_name: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """(html, text) bodies of ``template_name`` (without extension)."""
        html = self._html.get_template(f"{template_name}.html").render(context)
        text = self._text.get_template(f"{template_name}.txt").render(context)
        return html, text

    def compose(
        self,
        to: str | Address,
        subject: str,
        template_name: str,
        context: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> EmailMessage:
        """A multipart/alternative message (text first, HTML preferred by clients) with
        From, To, Subject, Date, Message-ID and any ``headers`` (List-Unsubscribe, …).
        Header values with line breaks are refused by the email package (no injection)."""
        html, text = self.render(template_name, {"subject": subject, **context})
        msg = EmailMessage(policy=self._policy)
        msg["From"] = self.mail_from
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(domain=self.domain)
        for name, value in (headers or {}).items():
            del msg[name]
            msg[name] = value
        msg["MIME-Version"] = "1.0"
        # A boundary of "=" runs cannot occur in quoted-printable bodies ("=" is always an
        # escape there), so the generator need not search the bodies for a free one.
        msg["Content-Type"] = f'multipart/alternative; boundary="==={uuid.uuid4().hex}=="'
        parts: list[Any] = [
            _text_part(text, "plain", self._policy),
            _text_part(html, "html", self._policy),
        ]
        msg.set_payload(parts)
        msg.policy = HEADER_POLICY  # after the bodies: they keep their 78-column encoding
        return msg


def _text_part(body: str, subtype: str, policy: Any) -> MIMEPart:
    """A quoted-printable UTF-8 part, encoded by ``binascii`` (C): the email package's own
    encoder is pure Python and tried both encodings on every body, most of a digest's cost."""
    part = MIMEPart(policy=policy)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    lines = body.replace("\r\n", "\n").encode("utf-8")
    part.set_payload(binascii.b2a_qp(lines, istext=True).decode("ascii"))
    return part


def _cached_wordwrap(env: Environment) -> Callable[..., str]:
    """Jinja's ``wordwrap``, remembered: a digest run wraps the same titles, author lists and
    abstracts thousands of times, and textwrap is slow."""

    @lru_cache(maxsize=16_384)
    def wordwrap(
        s: str,
        width: int = 79,
        break_long_words: bool = True,
        wrapstring: str | None = None,
        break_on_hyphens: bool = True,
    ) -> str:
        return do_wordwrap(env, s, width, break_long_words, wrapstring, break_on_hyphens)

    return wordwrap


class _RememberedHeaders(HeaderRegistry):
    """The standard header registry, remembering what it parsed: header objects are
    immutable strings, so one parse serves every message carrying the same value."""

    def __init__(self) -> None:
        super().__init__()
        self._parse = lru_cache(maxsize=4_096)(super().__call__)

    def __call__(self, name: str, value: str) -> BaseHeader:
        return self._parse(name, value)
