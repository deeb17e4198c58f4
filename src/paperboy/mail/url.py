"""Where mail goes (PAPERBOY_SMTP_URL) and which base its links use (PAPERBOY_PUBLIC_URL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from paperboy.config import MAIL_SCHEMES, redact_url

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
_ENV = "PAPERBOY_SMTP_URL"


@dataclass(frozen=True)
class MailTarget:
    """A parsed PAPERBOY_SMTP_URL: an SMTP server (with its TLS mode) or a folder of .eml files."""

    scheme: str  # one of MAIL_SCHEMES
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = field(default="", repr=False)  # never in a repr, hence never in a log
    directory: Path | None = None

    @property
    def is_file(self) -> bool:
        return self.scheme == "file"

    def describe(self) -> str:
        """Where mail goes, for logs and the demo: no password."""
        if self.directory is not None:
            return str(self.directory)
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def parse_mail_url(url: str, *, user: str = "", password: str = "") -> MailTarget:
    """Parse ``url``; ``user``/``password`` (their own settings) apply when the URL has none.
    Errors name PAPERBOY_SMTP_URL and never echo a password."""

    def bad(why: str) -> ValueError:
        return ValueError(f"{_ENV}={redact_url(url)!r}: {why}")

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise bad(str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in MAIL_SCHEMES or "://" not in url:
        raise bad("expected smtp://HOST[:PORT], smtp+starttls://…, smtps://… or file:///DIR")
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.strip("/"):
            raise bad("expected file:///ABSOLUTE/FOLDER (three slashes)")
        return MailTarget("file", directory=Path(url2pathname(unquote(parts.path))))
    if not parts.hostname:
        raise bad(f"{scheme}:// needs a host")
    return MailTarget(
        scheme,
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[scheme],
        user=unquote(parts.username) if parts.username else user,
        password=unquote(parts.password) if parts.password is not None else password,
    )


def mail_target(settings: Any) -> MailTarget:
    """The target named by the settings (smtp_url, smtp_user, smtp_password)."""
    return parse_mail_url(
        settings.smtp_url, user=settings.smtp_user or "", password=settings.smtp_password or ""
    )


def public_base(settings: Any) -> str:
    """The absolute base of every link in a mail: PAPERBOY_PUBLIC_URL, else the address
    `paperboy serve` listens on (a wildcard address becomes localhost)."""
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    host = str(settings.host)
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    elif ":" in host:  # a bare IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"
