"""Messages from templates: an HTML body and a plain-text alternative, with correct headers.

Two Jinja environments over one folder: ``.html`` autoescapes everything it prints (imported
titles and display names are hostile text), ``.txt`` prints text as it is, since a text body
is never parsed as markup. Build one ``Composer`` and reuse it: templates compile once.
"""

from __future__ import annotations

import binascii
import re
import uuid
from collections.abc import Mapping
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from paperboy.mail.wrap import wrap

_TEMPLATES = PackageLoader("paperboy.mail", "templates")
_FROM_LINE = re.compile(r"^From ", re.MULTILINE)


class _LinkListHeader(UnstructuredHeader, BaseHeader):
    """``List-Unsubscribe: <https://…>, <mailto:…>`` written as given, one link a line.
    The stock folding turns a word longer than 78 columns (a signed URL is ~130) into
    RFC 2047 encoded-words, which no client reads as a link; RFC 5322 allows 998."""

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        if not value.isascii():
            raise ValueError(f"List-* header links must be ASCII (percent-encode them): {value!r}")
        super().parse(value, kwds)

    def fold(self, *, policy: Any) -> str:
        links = [link.strip() for link in str(self).split(",")]
        return f"{self.name}: " + f",{policy.linesep} ".join(links) + policy.linesep


class _Headers(HeaderRegistry):
    """The standard header classes, each made once (the stock registry builds a new class
    for every header set: a tenth of the time of a whole digest mail), and link lists
    written verbatim."""

    def __init__(self) -> None:
        super().__init__()
        for name in ("list-unsubscribe", "list-help", "list-archive"):  # RFC 2369 link lists
            self.map_to_type(name, _LinkListHeader)
        self._made: dict[str, type] = {}
        # Header objects are immutable strings: a value repeated across a batch (From,
        # List-Id, the parts' headers) is parsed once.
        self._parsed = lru_cache(maxsize=4096)(super().__call__)

    def __call__(self, name: str, value: str) -> BaseHeader:
        return self._parsed(name, value)

    def __getitem__(self, name: str) -> type:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made


def mail_policy() -> EmailPolicy[EmailMessage]:
    """How our messages are written out: the default policy with the header classes above."""
    return default_policy.clone(header_factory=_Headers())


class Composer:
    """Renders and addresses mail; ``base_url`` (PAPERBOY_PUBLIC_URL) anchors every link."""

    def __init__(self, mail_from: str, base_url: str) -> None:
        self.mail_from = mail_from
        self.base_url = base_url.rstrip("/")
        # The Message-ID names the public host, so replies and bounces point back to it.
        self.domain = urlsplit(self.base_url).hostname or "localhost"
        self.policy = mail_policy()
        common: dict[str, Any] = {
            "loader": _TEMPLATES,
            "undefined": StrictUndefined,  # a missing variable is a bug, not a blank in a mail
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
        }
        self._html = Environment(autoescape=True, **common)
        self._text = Environment(autoescape=False, **common)
        # Digests to thousands of readers wrap the same trending abstracts: once per Composer.
        wrapped = lru_cache(maxsize=8192)(wrap)
        for env in (self._html, self._text):
            env.globals.update(base_url=self.base_url, url=self.url)
            env.filters["wrap"] = wrapped

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
        return self.render_html(template_name, context), self.render_text(template_name, context)

    def render_html(self, template_name: str, context: Mapping[str, Any]) -> str:
        return self._html.get_template(f"{template_name}.html").render(context)

    def render_text(self, template_name: str, context: Mapping[str, Any]) -> str:
        return self._text.get_template(f"{template_name}.txt").render(context)

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
        return self.message(to, subject, html, text, headers=headers)

    def message(
        self,
        to: str | Address,
        subject: str,
        html: str,
        text: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> EmailMessage:
        """``compose`` for bodies already rendered: headers given here replace the
        defaults (a ``Date`` or ``Message-ID`` of the caller's)."""
        extra = {name.lower(): (name, value) for name, value in (headers or {}).items()}
        date = extra.pop("date", ("", ""))[1] or formatdate(localtime=False, usegmt=True)
        msgid = extra.pop("message-id", ("", ""))[1] or make_msgid(domain=self.domain)
        msg = EmailMessage(policy=self.policy)
        msg["From"] = self.mail_from
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = date
        msg["Message-ID"] = msgid
        for name, value in extra.values():
            del msg[name]
            msg[name] = value
        msg["MIME-Version"] = "1.0"
        msg.make_alternative()
        # "=" runs cannot occur in quoted-printable bodies ("=" is always an escape there):
        # with the boundary set here, the generator need not search the bodies for a free one.
        msg.set_boundary(f"==={uuid.uuid4().hex}==")
        msg.attach(self._text_part(text, "plain"))
        msg.attach(self._text_part(html, "html"))
        return msg

    def _text_part(self, body: str, subtype: str) -> EmailMessage:
        """A UTF-8 text part in quoted-printable. ``set_content`` would pick the same
        encoding, through the email package's pure-Python encoder: half the time of a whole
        digest. binascii's (C) keeps line ends, soft-breaks at 76 columns and escapes
        trailing spaces. A line starting "From " is written "=46rom ": smtplib's generator
        would otherwise turn it into ">From " (mbox quoting), and abstracts wrap there."""
        if not body.endswith("\n"):
            body += "\n"
        part = EmailMessage(policy=self.policy)  # no set_content: no MIME-Version
        part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
        part["Content-Transfer-Encoding"] = "quoted-printable"
        encoded = binascii.b2a_qp(body.encode("utf-8"), istext=True).decode("ascii")
        part.set_payload(_FROM_LINE.sub("=46rom ", encoded))
        return part
