"""Settings: one typed table, read once from the environment and passed in.

Each setting has a name, an environment variable, a type, a default and help text; secrets
are redacted when dumped (``paperboy config``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from platformdirs import user_data_dir


@dataclass(frozen=True)
class Setting:
    name: str
    default: Callable[[], Any] | Any
    help: str
    cast: Callable[[str], Any] = str
    secret: bool = False

    @property
    def env(self) -> str:
        return f"PAPERBOY_{self.name.upper()}"


def _default_db() -> str:
    return f"sqlite:///{Path(user_data_dir('paperboy')) / 'paperboy.db'}"


def _default_mail_url() -> str:
    """Mail goes to a folder until a server is configured, so sign-in works on a fresh clone."""
    return (Path(user_data_dir("paperboy")) / "mail").as_uri()


MAIL_SCHEMES = ("smtp", "smtp+starttls", "smtps", "file")


def _mail_url(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in MAIL_SCHEMES:
        raise ValueError(
            "expected smtp://HOST[:PORT], smtp+starttls://…, smtps://… or file:///DIR, "
            f"not {scheme.lower() + '://' if sep else 'a URL without a scheme'}"
        )
    if not rest.strip("/"):
        raise ValueError(f"{scheme}:// needs a {'folder' if scheme == 'file' else 'host'}")
    return text


def _mail_from(text: str) -> str:
    if "@" not in parseaddr(text)[1]:
        raise ValueError('expected an address such as "Paperboy <papers@example.org>"')
    return text


def _public_url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise ValueError("expected an http(s) URL such as https://papers.example.org")
    return text.rstrip("/")


def _host_list(text: str) -> tuple[str, ...]:
    return tuple(h.strip() for h in text.split(",") if h.strip())


def _positive_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must be ≥ 0")
    return value


def _timezone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone; expected an IANA name such as Europe/Paris") from None
    return text


_CRON_FIELD = re.compile(r"^[0-9A-Za-z*,/-]+$")


def _schedule(text: str) -> str:
    """A five-field crontab line or ``off``; the worker checks each field's values."""
    text = " ".join(text.split())
    if text.lower() == "off":
        return "off"
    fields = text.split(" ")
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(
            "expected five crontab fields (minute hour day-of-month month day-of-week),"
            " such as '30 1 * * 1-5', or 'off'"
        )
    return text


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        _default_db,
        "Database URL: sqlite:///PATH (default: a file in the user data directory).",
    ),
    Setting(
        "embed_model",
        "all-MiniLM-L6-v2",
        "Sentence-embedding model: the packaged default or any sentence-transformers name or path.",
    ),
    Setting("arxiv_oai_url", "https://oaipmh.arxiv.org/oai", "arXiv OAI-PMH endpoint."),
    Setting("arxiv_api_url", "https://export.arxiv.org/api/query", "arXiv Atom API endpoint."),
    Setting("hf_url", "https://huggingface.co", "Hugging Face base URL for daily papers."),
    Setting(
        "request_delay",
        3.0,
        "Seconds between requests to arXiv (arXiv asks for at least 3).",
        _positive_float,
    ),
    Setting("max_retries", 5, "Retries for a failed upstream request, with bounded backoff.", int),
    Setting(
        "arxiv_set",
        "",
        "OAI set the worker and `paperboy ingest arxiv` harvest when none is given (empty: all).",
    ),
    Setting(
        "worker_timezone",
        "UTC",
        "Time zone of the worker's schedules (an IANA name such as Europe/Paris).",
        _timezone,
    ),
    Setting(
        "schedule_ingest",
        "30 1 * * 1-5",
        "When the worker harvests arXiv (crontab; embedding and trending follow), or off.",
        _schedule,
    ),
    Setting(
        "schedule_hf",
        "off",
        "When the worker imports Hugging Face daily papers, or off.",
        _schedule,
    ),
    Setting(
        "schedule_embed",
        "0 4 * * *",
        "When the worker embeds new papers besides after each ingest (crontab), or off.",
        _schedule,
    ),
    Setting(
        "schedule_trending",
        "15 * * * *",
        "When the worker recomputes trending scores, so they age without votes, or off.",
        _schedule,
    ),
    Setting(
        "schedule_digest",
        "0 * * * *",
        "When the worker sends the digests due (hourly: each subscriber picks an hour), or off.",
        _schedule,
    ),
    Setting("host", "127.0.0.1", "Address `paperboy serve` listens on."),
    Setting("port", 8000, "Port `paperboy serve` listens on.", int),
    Setting(
        "public_url",
        "",
        "Public base URL (https://papers.example.org); absolute links never come from Host.",
        _public_url,
    ),
    Setting(
        "allowed_hosts",
        (),
        "Comma-separated Host names the server answers (*.example.org allowed); empty: any.",
        _host_list,
    ),
    Setting(
        "smtp_url",
        _default_mail_url,
        "Outgoing mail: smtp://HOST:PORT, smtp+starttls://…, smtps://… (user:password@ allowed)"
        " or file:///DIR for .eml files (default: a folder in the user data directory).",
        _mail_url,
    ),
    Setting("smtp_user", "", "SMTP user name, when it is not in PAPERBOY_SMTP_URL."),
    Setting(
        "smtp_password",
        "",
        "SMTP password, when it is not in PAPERBOY_SMTP_URL.",
        secret=True,
    ),
    Setting(
        "mail_from",
        "Paperboy <paperboy@localhost>",
        "Sender of every mail (From:).",
        _mail_from,
    ),
    Setting(
        "secret_key",
        "",
        "Key that signs CSRF tokens (default: one made on first start and kept in the database,"
        " so every worker shares it).",
        secret=True,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def dump(self) -> dict[str, Any]:
        """All values, with secrets and credentials inside URLs redacted, for `paperboy config`
        (whose output ends up in bug reports and CI logs)."""
        out: dict[str, Any] = {}
        for s in SETTINGS:
            value = self.values[s.name]
            if s.secret and value:
                value = REDACTED
            elif isinstance(value, str):
                value = redact_url(value)
            out[s.name] = value
        return out

    def with_overrides(self, **overrides: Any) -> Settings:
        unknown = set(overrides) - set(_BY_NAME)
        if unknown:
            raise KeyError(f"unknown settings: {sorted(unknown)}")
        return Settings({**self.values, **{k: v for k, v in overrides.items() if v is not None}})


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from PAPERBOY_* variables over the defaults; a bad value names its variable."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for s in SETTINGS:
        raw = environ.get(s.env)
        if raw is None or raw == "":
            values[s.name] = s.default() if callable(s.default) else s.default
            continue
        try:
            values[s.name] = s.cast(raw)
        except ValueError as exc:
            raise ValueError(f"{s.env}={raw!r}: {exc}") from None
    return Settings(values)


REDACTED = "<redacted>"
_SECRET_PARAM = re.compile(r"(?i)((?:^|[?&;])[^=&;]*(?:pass|secret|token|key)[^=&;]*=)[^&;]*")


def redact_url(text: str) -> str:
    """``text`` with the credentials of a URL replaced: the password (or a lone user part,
    which is often a token) and query parameters named like passwords, tokens or keys."""
    if "://" not in text:
        return text
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:  # unparseable: show nothing that could be a secret
        return f"{text.partition('://')[0]}://{REDACTED}"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = (
            f"{user}:{REDACTED}@{hostport}" if password is not None else f"{REDACTED}@{hostport}"
        )
    query = _SECRET_PARAM.sub(rf"\1{REDACTED}", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return text  # unchanged, and urlunsplit would respell sqlite:////abs/path
    return urlunsplit(parts._replace(netloc=netloc, query=query))
