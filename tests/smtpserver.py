"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in its own thread.

It records what it receives and the connections it gets, and can misbehave on request:
answer 4xx to the next N messages, 5xx to given recipients, drop the connection after N
messages, or take a message and drop the connection before replying (the in-doubt case).
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    connection: int  # which connection (1-based) brought it

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    """aiosmtpd handler hooks, plus the knobs a test turns."""

    received: list[Received] = field(default_factory=list)
    connections: int = 0
    data_commands: int = 0  # every DATA that reached the handler, accepted or not
    fail_next: int = 0  # answer the next N messages' DATA with fail_reply
    fail_reply: str = "451 4.3.0 Try again later"
    reject: set[str] = field(default_factory=set)  # RCPT answered 550
    drop_after: int | None = None  # after N more accepted messages, drop at the next MAIL
    swallow: set[str] = field(default_factory=set)  # keep the message, drop before replying
    sender_reply: str | None = None  # answer every MAIL FROM with this (e.g. a 550)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        with self.lock:
            drop = self.drop_after is not None and self.drop_after <= 0
            if drop:
                self.drop_after = None
        if drop:
            server.transport.abort()  # no reply at all: a crash or a cut cable
            return "421 4.3.2 gone"
        if self.sender_reply is not None:
            return self.sender_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.data_commands += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_reply
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content or envelope.content),
                    session.connection_number,
                )
            )
            if self.drop_after is not None:
                self.drop_after -= 1
        if set(envelope.rcpt_tos) & self.swallow:
            server.transport.abort()
        return "250 2.0.0 Accepted"


class _Server(Controller):
    """Counts connections (each one builds a fresh SMTP protocol object)."""

    def __init__(self, handler: Handler, port: int, **kwargs: Any) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=port, **kwargs)

    def factory(self) -> SMTP:
        smtp = super().factory()
        with self.handler.lock:
            self.handler.connections += 1
            number = self.handler.connections
        original = smtp._create_session

        def session():  # the session knows which connection it belongs to
            s = original()
            s.connection_number = number
            return s

        smtp._create_session = session
        return smtp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """Start with ``start()``; ``url`` is what PAPERBOY_SMTP_URL would say."""

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        logins: dict[str, str] | None = None,
    ) -> None:
        self.handler = Handler()
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if tls is not None and implicit_tls:
            kwargs["ssl_context"] = tls
        elif tls is not None:
            kwargs["tls_context"] = tls
        if logins is not None:
            # aiosmtpd cannot tell an implicit-TLS connection is secure: offer AUTH there
            # without requiring it (requiring AUTH without TLS makes it warn).
            kwargs["auth_required"] = not implicit_tls
            kwargs["auth_require_tls"] = not implicit_tls
            kwargs["authenticator"] = self._authenticator(logins)
        self.scheme = "smtps" if implicit_tls else ("smtp+starttls" if tls else "smtp")
        self._controller = _Server(self.handler, self.port, **kwargs)

    @staticmethod
    def _authenticator(logins: dict[str, str]):
        def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
            ok = (
                isinstance(auth_data, LoginPassword)
                and logins.get(auth_data.login.decode()) == auth_data.password.decode()
            )
            return AuthResult(success=ok, handled=False)

        return check

    def start(self) -> SmtpServer:
        self._controller.start()
        with self.handler.lock:  # start() makes one connection of its own to check itself
            self.handler.connections = 0
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received
