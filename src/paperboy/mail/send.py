"""Sending: SMTP through the standard library's smtplib, or .eml files in a folder.

Made for exactly-once delivery on top (the digests' delivery log):

- ``send`` pulls messages from its iterable one at a time, so a generator can claim each
  message in the log just before it goes out;
- ``on_delivery`` runs right after each message's outcome is final, before the next message
  is pulled, so the log can record "accepted" at once;
- a message whose body reached the server but whose reply was lost (the connection dropped)
  is IN_DOUBT and is never retried here: the server may have accepted it. There is at most
  one such message per connection.

Temporary failures (4xx, connection errors) are retried with bounded exponential backoff on
a fresh connection when the old one is gone; permanent ones (5xx) are reported, not retried.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import Any

from paperboy.mail.url import MailTarget, mail_target

log = logging.getLogger("paperboy.mail")


class Status(StrEnum):
    SENT = "sent"  # the server accepted it (or the .eml file is written)
    TEMPORARY = "temporary"  # 4xx or no connection, still so after the retries: try later
    PERMANENT = "permanent"  # 5xx: do not try again
    IN_DOUBT = "in_doubt"  # the body went out and the reply never came: maybe delivered


@dataclass(frozen=True)
class Delivery:
    """What became of one message."""

    message_id: str
    recipients: tuple[str, ...]
    status: Status
    code: int | None = None  # the SMTP reply code, when there was one
    detail: str = ""  # the server's text, the error, or the .eml path
    attempts: int = 0
    refused: Mapping[str, tuple[int, str]] = field(default_factory=dict)  # some recipients only

    @property
    def accepted(self) -> bool:
        return self.status is Status.SENT


OnDelivery = Callable[[EmailMessage, Delivery], None]


@dataclass(frozen=True)
class Retry:
    """Bounded exponential backoff: ``retries`` more tries after the first, waiting
    ``delay``, 2×``delay``, … up to ``max_delay`` seconds (0.5, 1, 2 by default)."""

    retries: int = 3
    delay: float = 0.5
    max_delay: float = 2.0

    def wait(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.delay * 2 ** (attempt - 1), self.max_delay)


def _recipients(msg: EmailMessage) -> tuple[str, ...]:
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in msg.get_all(name, [])]
    return tuple(addr for _, addr in getaddresses(fields) if addr)


def redact_address(address: str) -> str:
    """``ada@example.org`` → ``…@example.org``: enough for logs, not a mailing list."""
    return f"…@{address.rpartition('@')[2]}" if "@" in address else "…"


class Mailer:
    """Sends batches of messages; one instance per thread. Open with ``from_settings``."""

    destination: str = ""

    @staticmethod
    def from_settings(
        settings: Any,
        *,
        retry: Retry | None = None,
        max_per_connection: int | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> Mailer:
        """The mailer PAPERBOY_SMTP_URL names (a file:// folder or an SMTP server)."""
        target = mail_target(settings)
        if target.directory is not None:
            return FileMailer(target.directory)
        return SmtpMailer(
            target,
            retry=retry or Retry(),
            max_per_connection=max_per_connection,
            timeout=timeout,
            ssl_context=ssl_context,
        )

    def send(
        self, messages: Iterable[EmailMessage], *, on_delivery: OnDelivery | None = None
    ) -> list[Delivery]:
        """Deliver ``messages`` in order, pulled one at a time; one Delivery each, in the
        same order. ``on_delivery(message, delivery)`` runs as soon as each outcome is final;
        if it raises, sending stops there (the exception propagates, connections close)."""
        out: list[Delivery] = []
        try:
            for msg in messages:
                delivery = self._deliver(msg)
                log.info(
                    "mail %s to %s: %s%s after %d attempt(s)",
                    delivery.message_id or "(no Message-ID)",
                    ", ".join(redact_address(r) for r in delivery.recipients) or "nobody",
                    delivery.status.value,
                    f" {delivery.code}" if delivery.code else "",
                    delivery.attempts,
                )
                if on_delivery is not None:
                    on_delivery(msg, delivery)
                out.append(delivery)
        finally:
            self.close()
        return out

    def _deliver(self, msg: EmailMessage) -> Delivery:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (``send`` does it when it returns)."""


class FileMailer(Mailer):
    """Writes each message as an .eml file, atomically (a temp file, then a rename), named by
    time and Message-ID: for instances without a mail server, the demo and ``--dry-run``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.destination = str(self.directory)

    def _deliver(self, msg: EmailMessage) -> Delivery:
        msgid = str(msg.get("Message-ID", ""))
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", msgid.strip("<> ")) or uuid.uuid4().hex
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time() % 1:.6f}"[1:]
        path = self.directory / f"{stamp}-{slug[:120]}.eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, msg.as_bytes())  # LF line ends: files, not the wire
        except OSError as exc:
            return Delivery(msgid, _recipients(msg), Status.TEMPORARY, None, str(exc), 1)
        return Delivery(msgid, _recipients(msg), Status.SENT, None, str(path), 1)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _ends_body(data: Any) -> bool:
    """Whether ``data`` wrote a message's final ``CRLF.CRLF``: a connection lost after that
    point is told apart (in doubt) from one lost before (safe to resend)."""
    return isinstance(data, bytes) and data.endswith(b"\r\n.\r\n")


class _SMTP(smtplib.SMTP):
    body_sent = False

    def send(self, s: Any) -> None:
        super().send(s)
        self.body_sent = self.body_sent or _ends_body(s)


class _SMTPS(smtplib.SMTP_SSL):
    body_sent = False

    def send(self, s: Any) -> None:
        super().send(s)
        self.body_sent = self.body_sent or _ends_body(s)


_NEWLINE = re.compile(r"\r\n|\r|\n")  # the generator's own definition of a line end


class _WholeBodies(BytesGenerator):
    """Writes each body in one piece (line ends turned into CRLF with one regex) instead of
    the standard generator's two writes per line: a 60 kB digest is ~2,500 writes otherwise,
    the largest share of flattening it. The bytes are the same."""

    def _write_lines(self, lines: str) -> None:
        if "\r" not in lines:  # the usual case: one C-level replace
            self.write(lines.replace("\n", self._NL))  # type: ignore[attr-defined]
        elif lines:
            self.write(_NEWLINE.sub(self._NL, lines))  # type: ignore[attr-defined]


def _send_message(conn: smtplib.SMTP, msg: EmailMessage) -> dict:
    """``conn.send_message(msg)``, flattened faster. Messages that need what only
    ``send_message`` does (Resent-*, Bcc, non-ASCII addresses) go through it."""
    sender = msg.get("From", "")
    rcpts = _recipients(msg)
    plain = not any(
        name.lower().startswith("resent-") or name.lower() == "bcc" for name in msg.keys()
    )
    addresses = [a for _, a in getaddresses([str(sender)])] + list(rcpts)
    if not (plain and all(a.isascii() for a in addresses) and len(addresses) > 1):
        return conn.send_message(msg)
    out = BytesIO()
    policy = msg.policy.clone(linesep="\r\n")
    _WholeBodies(out, policy=policy).flatten(msg, linesep="\r\n")
    return conn.sendmail(addresses[0], list(rcpts), out.getvalue())


class _SetupFailed(Exception):
    def __init__(self, detail: str, code: int | None, retryable: bool) -> None:
        super().__init__(detail)
        self.detail, self.code, self.retryable = detail, code, retryable


def _text(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


class SmtpMailer(Mailer):
    """One connection reused across a ``send`` call, reopened when it drops (and after
    ``max_per_connection`` messages, if set). TLS checks the server with the system CAs."""

    def __init__(
        self,
        target: MailTarget,
        *,
        retry: Retry = Retry(),
        max_per_connection: int | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if target.is_file:
            raise ValueError("SmtpMailer needs an smtp://, smtp+starttls:// or smtps:// URL")
        self.target = target
        self.retry = retry
        self.max_per_connection = max_per_connection
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.sleep = sleep
        self.destination = target.describe()
        self.connections_opened = 0
        self._conn: _SMTP | _SMTPS | None = None
        self._on_conn = 0
        self._down: _SetupFailed | None = None  # the server is unreachable for this batch

    # -- connections ------------------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def _open(self) -> _SMTP | _SMTPS:
        t = self.target
        conn: _SMTP | _SMTPS | None = None
        try:
            if t.scheme == "smtps":
                conn = _SMTPS(t.host, t.port, timeout=self.timeout, context=self._context())
            else:
                conn = _SMTP(t.host, t.port, timeout=self.timeout)
            conn.ehlo_or_helo_if_needed()
            if t.scheme == "smtp+starttls":
                conn.starttls(context=self._context())
                conn.ehlo()
            if t.user:
                conn.login(t.user, t.password)
        except smtplib.SMTPAuthenticationError as exc:
            self._drop(conn)
            raise _SetupFailed(
                f"login refused: {_text(exc.smtp_error)}", exc.smtp_code, False
            ) from None
        except smtplib.SMTPResponseException as exc:  # greeting, EHLO or STARTTLS refused
            self._drop(conn)
            raise _SetupFailed(
                _text(exc.smtp_error), exc.smtp_code, 400 <= exc.smtp_code < 500
            ) from None
        except smtplib.SMTPNotSupportedError as exc:  # e.g. no STARTTLS, no AUTH
            self._drop(conn)
            raise _SetupFailed(str(exc), None, False) from None
        except ssl.SSLError as exc:  # a certificate that does not verify will not start to
            self._drop(conn)
            raise _SetupFailed(f"TLS: {exc}", None, False) from None
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out
            self._drop(conn)
            raise _SetupFailed(f"cannot reach {self.destination}: {exc}", None, True) from None
        self.connections_opened += 1
        self._on_conn = 0
        return conn

    def _connection(self) -> _SMTP | _SMTPS:
        if self._conn is not None and self._conn.sock is None:  # smtplib closed it (421)
            self._conn = None
        if (
            self._conn is not None
            and self.max_per_connection
            and self._on_conn >= self.max_per_connection
        ):
            self.close()
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    @staticmethod
    def _drop(conn: smtplib.SMTP | None) -> None:
        if conn is not None:
            conn.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and conn.sock is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
        self._down = None

    # -- one message --------------------------------------------------------------------

    def _deliver(self, msg: EmailMessage) -> Delivery:
        msgid = str(msg.get("Message-ID", ""))
        rcpts = _recipients(msg)
        if self._down is not None:  # no use knocking again for every message of the batch
            return Delivery(
                msgid,
                rcpts,
                Status.TEMPORARY,
                self._down.code,
                f"not attempted: {self._down.detail}",
                0,
            )
        attempt = 0
        while True:
            attempt += 1
            status, code, detail, refused = self._attempt(msg)
            again = (
                status is Status.TEMPORARY
                and attempt <= self.retry.retries
                and (self._down is None or self._down.retryable)
            )
            if not again:
                return Delivery(msgid, rcpts, status, code, detail, attempt, refused)
            self._down = None
            self.sleep(self.retry.wait(attempt))

    def _attempt(
        self, msg: EmailMessage
    ) -> tuple[Status, int | None, str, dict[str, tuple[int, str]]]:
        try:
            conn = self._connection()
        except _SetupFailed as exc:
            self._down = exc
            return Status.TEMPORARY, exc.code, exc.detail, {}
        conn.body_sent = False
        try:
            refused = _send_message(conn, msg)
        except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
            codes = [code for code, _ in exc.recipients.values()]
            status = Status.TEMPORARY if any(400 <= c < 500 for c in codes) else Status.PERMANENT
            first = next(iter(exc.recipients.values()))
            return status, first[0], _text(first[1]), {}
        except smtplib.SMTPSenderRefused as exc:
            # Our own MAIL FROM refused: the instance's fault, not the recipient's, and the
            # same for every message of the batch. Like a failed login: temporary for each
            # message (never a bounce against the address), and no more knocking this batch.
            detail = f"sender refused: {_text(exc.smtp_error)}"
            self._down = _SetupFailed(detail, exc.smtp_code, 400 <= exc.smtp_code < 500)
            return Status.TEMPORARY, exc.smtp_code, detail, {}
        except smtplib.SMTPDataError as exc:
            status = Status.TEMPORARY if 400 <= exc.smtp_code < 500 else Status.PERMANENT
            return status, exc.smtp_code, _text(exc.smtp_error), {}
        except smtplib.SMTPNotSupportedError as exc:  # e.g. SMTPUTF8 needed, not offered
            return Status.PERMANENT, None, str(exc), {}
        except (smtplib.SMTPException, OSError) as exc:  # the connection is gone or stuck
            in_doubt = conn.body_sent
            self._conn = None
            conn.close()
            if in_doubt:
                return Status.IN_DOUBT, None, f"no reply after the message was sent: {exc}", {}
            return Status.TEMPORARY, None, f"connection lost: {exc}", {}
        except ValueError as exc:  # no recipients, or headers smtplib cannot use
            return Status.PERMANENT, None, str(exc), {}
        self._on_conn += 1
        return Status.SENT, 250, "", {k: (c, _text(t)) for k, (c, t) in refused.items()}
