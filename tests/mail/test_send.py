"""Sending to a real SMTP server (aiosmtpd on 127.0.0.1): reuse, retries, failures, files."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import ssl
import subprocess
from pathlib import Path

import pytest

from paperboy.config import load_settings
from paperboy.mail import (
    Composer,
    Delivery,
    FileMailer,
    Mailer,
    Retry,
    SmtpMailer,
    Status,
    parse_mail_url,
)
from smtpserver import SmtpServer

COMPOSER = Composer("Paperboy <papers@example.org>", "https://papers.example.org")
FAST = Retry(retries=3, delay=0.001, max_delay=0.004)


def mails(n: int, *, to: str = "reader{i}@example.org") -> list:
    return [
        COMPOSER.compose(to.format(i=i), f"Mail {i}", "login", {"link": COMPOSER.url("/l", n=i)})
        for i in range(n)
    ]


def mailer(server: SmtpServer, **options) -> SmtpMailer:
    options.setdefault("retry", FAST)
    return SmtpMailer(parse_mail_url(server.url), timeout=5, **options)


def test_a_mail_arrives_with_both_parts_and_its_link(smtp_server: SmtpServer) -> None:
    settings = load_settings(
        {"PAPERBOY_SMTP_URL": smtp_server.url, "PAPERBOY_MAIL_FROM": "PB <pb@example.org>"}
    )
    composer = Composer.from_settings(settings)
    msg = composer.compose(
        "ada@example.org", "Sign in to Paperboy", "login", {"link": composer.url("/l/tok")}
    )
    out = Mailer.from_settings(settings).send([msg])
    assert [d.status for d in out] == [Status.SENT] and out[0].accepted
    assert out[0].code == 250 and out[0].message_id == msg["Message-ID"]
    [got] = smtp_server.received
    assert got.mail_from == "pb@example.org" and got.rcpt_tos == ["ada@example.org"]
    m = got.message
    assert m["Message-ID"] == msg["Message-ID"] and m["Subject"] == "Sign in to Paperboy"
    assert m.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        assert "http://127.0.0.1:8000/l/tok" in m.get_body(preferencelist=(kind,)).get_content()


def test_one_connection_carries_a_batch(smtp_server: SmtpServer) -> None:
    m = mailer(smtp_server)
    out = m.send(mails(25))
    assert all(d.accepted for d in out) and len(smtp_server.received) == 25
    assert smtp_server.handler.connections == 1 and m.connections_opened == 1
    # max_per_connection opens a fresh one every N messages.
    out = mailer(smtp_server, max_per_connection=10).send(mails(25))
    assert all(d.accepted for d in out)
    assert smtp_server.handler.connections == 1 + 3


def test_a_temporary_failure_is_retried_with_backoff_then_delivered(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.handler.fail_next = 2  # 451 twice
    waits: list[float] = []
    m = mailer(smtp_server, retry=Retry(retries=3, delay=0.5, max_delay=2.0), sleep=waits.append)
    [d] = m.send(mails(1))
    assert d.status is Status.SENT and d.attempts == 3
    assert waits == [0.5, 1.0]
    assert smtp_server.handler.data_commands == 3 and len(smtp_server.received) == 1
    assert smtp_server.handler.connections == 1  # a 4xx reply leaves the connection usable


def test_retries_are_bounded(smtp_server: SmtpServer) -> None:
    smtp_server.handler.fail_next = 100
    waits: list[float] = []
    m = mailer(smtp_server, retry=Retry(retries=3, delay=0.5, max_delay=2.0), sleep=waits.append)
    [d] = m.send(mails(1))
    assert d.status is Status.TEMPORARY and d.code == 451 and "Try again later" in d.detail
    assert d.attempts == 4 and waits == [0.5, 1.0, 2.0]
    assert smtp_server.received == []


def test_a_permanent_failure_is_reported_and_not_retried(smtp_server: SmtpServer) -> None:
    smtp_server.handler.reject = {"reader1@example.org"}
    waits: list[float] = []
    out = mailer(smtp_server, sleep=waits.append).send(mails(3))
    assert [d.status for d in out] == [Status.SENT, Status.PERMANENT, Status.SENT]
    assert out[1].code == 550 and "No such user" in out[1].detail and out[1].attempts == 1
    assert waits == []
    assert [r.rcpt_tos for r in smtp_server.received] == [
        ["reader0@example.org"],
        ["reader2@example.org"],
    ]
    assert smtp_server.handler.connections == 1


def test_a_dropped_connection_reconnects_and_the_caller_learns_what_was_accepted(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.handler.drop_after = 3  # the 4th MAIL FROM finds the line cut
    seen: list[tuple[str, Delivery]] = []
    m = mailer(smtp_server)
    out = m.send(mails(8), on_delivery=lambda msg, d: seen.append((msg["Message-ID"], d)))
    assert all(d.accepted for d in out) and [d.attempts for d in out] == [1, 1, 1, 2, 1, 1, 1, 1]
    assert smtp_server.handler.connections == 2 and m.connections_opened == 2
    got = [r.message["Subject"] for r in smtp_server.received]
    assert got == [f"Mail {i}" for i in range(8)]  # each exactly once, in order
    assert [r.connection for r in smtp_server.received] == [1, 1, 1, 2, 2, 2, 2, 2]
    assert [mid for mid, _ in seen] == [d.message_id for d in out]


def test_a_lost_reply_after_the_body_is_in_doubt_and_not_resent(smtp_server: SmtpServer) -> None:
    """The server took mail 1 and the connection died before its 250: it may be delivered,
    so it is reported in doubt, never sent twice, and the rest go on a new connection."""
    smtp_server.handler.swallow = {"reader1@example.org"}
    out = mailer(smtp_server).send(mails(3))
    assert [d.status for d in out] == [Status.SENT, Status.IN_DOUBT, Status.SENT]
    assert out[1].attempts == 1 and not out[1].accepted
    assert [r.rcpt_tos[0] for r in smtp_server.received] == [
        f"reader{i}@example.org" for i in range(3)
    ]
    assert smtp_server.handler.connections == 2


def test_the_callback_runs_before_the_next_message_is_pulled(smtp_server: SmtpServer) -> None:
    """What a delivery log needs: claim a message as it is pulled, complete it in the
    callback, and never have two claimed-but-unfinished messages on one connection."""
    events: list[str] = []

    def claimed():
        for i, msg in enumerate(mails(3)):
            events.append(f"claim {i}")
            yield msg

    def done(msg, delivery):
        events.append(f"done {msg['Subject'][-1]} {delivery.status}")
        # The server already has it when the callback runs.
        assert any(r.message["Subject"] == msg["Subject"] for r in smtp_server.received)

    mailer(smtp_server).send(claimed(), on_delivery=done)
    assert events == ["claim 0", "done 0 sent", "claim 1", "done 1 sent", "claim 2", "done 2 sent"]


def test_a_callback_that_fails_stops_the_batch(smtp_server: SmtpServer) -> None:
    def boom(msg, delivery):
        raise RuntimeError("log is down")

    with pytest.raises(RuntimeError, match="log is down"):
        mailer(smtp_server).send(mails(3), on_delivery=boom)
    assert len(smtp_server.received) == 1


def test_an_unreachable_server_fails_the_batch_quickly_as_temporary() -> None:
    server = SmtpServer()  # never started: nothing listens on its port
    waits: list[float] = []
    out = mailer(server, sleep=waits.append).send(mails(3))
    assert [d.status for d in out] == [Status.TEMPORARY] * 3
    assert out[0].attempts == 4 and len(waits) == 3
    assert [d.attempts for d in out[1:]] == [0, 0] and "not attempted" in out[1].detail


def test_log_lines_name_the_domain_not_the_address_nor_the_password(
    smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = smtp_server.url.replace("smtp://", "smtp://bob:hunter2@")
    with caplog.at_level(logging.INFO, logger="paperboy.mail"):
        # The server offers no AUTH on plain text: the login fails, and says so.
        [d] = SmtpMailer(parse_mail_url(url), retry=FAST).send(mails(1, to="ada@secret.org"))
    assert d.status is Status.TEMPORARY and d.attempts == 1
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "@secret.org" in lines[0]
    assert "ada@" not in caplog.text and "hunter2" not in caplog.text
    assert "hunter2" not in repr(parse_mail_url(url))


# -- TLS and login -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtps"])
def test_tls_with_a_login_from_the_settings(certificate, implicit: bool) -> None:
    cert, key = certificate
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    server = SmtpServer(tls=server_ctx, implicit_tls=implicit, logins={"bob": "p@ss:w/rd"})
    server.start()
    try:
        settings = load_settings(
            {
                "PAPERBOY_SMTP_URL": server.url,
                "PAPERBOY_SMTP_USER": "bob",
                "PAPERBOY_SMTP_PASSWORD": "p@ss:w/rd",
            }
        )
        client_ctx = ssl.create_default_context(cafile=str(cert))
        out = Mailer.from_settings(settings, retry=FAST, ssl_context=client_ctx).send(mails(2))
        assert [d.status for d in out] == [Status.SENT, Status.SENT], out
        assert len(server.received) == 2 and server.handler.connections == 1
        # The system's CAs do not know this certificate: refused, and not retried.
        [d] = Mailer.from_settings(settings, retry=FAST).send(mails(1))
        assert d.status is Status.TEMPORARY and "TLS" in d.detail and d.attempts == 1
        # A wrong password is refused at login, for the whole batch, without retries.
        bad = settings.with_overrides(smtp_password="nope")
        out = Mailer.from_settings(bad, retry=FAST, ssl_context=client_ctx).send(mails(2))
        assert [(d.status, d.code, d.attempts) for d in out] == [
            (Status.TEMPORARY, 535, 1),
            (Status.TEMPORARY, 535, 0),
        ]
    finally:
        server.stop()


# -- the file:// backend -------------------------------------------------------------------


def test_the_file_backend_writes_parseable_eml_files(tmp_path: Path) -> None:
    folder = tmp_path / "mail box"
    settings = load_settings({"PAPERBOY_SMTP_URL": folder.as_uri()})
    m = Mailer.from_settings(settings)
    assert isinstance(m, FileMailer) and m.destination == str(folder)
    batch = mails(3)
    out = m.send(batch)
    assert all(d.accepted for d in out)
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".eml"] * 3  # no temp file left behind
    assert {Path(d.detail) for d in out} == set(files)
    for d, msg in zip(out, batch, strict=True):
        parsed = email.message_from_bytes(Path(d.detail).read_bytes(), policy=email.policy.default)
        assert parsed["Message-ID"] == msg["Message-ID"] == d.message_id
        assert msg["Message-ID"].strip("<>").partition("@")[0] in Path(d.detail).name
        assert (
            parsed.get_body(preferencelist=("html",)).get_content()
            == msg.get_body(preferencelist=("html",)).get_content()
        )


def test_the_default_is_a_mail_folder_in_the_user_data_dir() -> None:
    target = parse_mail_url(load_settings({}).smtp_url)
    assert target.is_file and target.directory is not None
    assert target.directory.name == "mail" and target.directory.parent.name == "paperboy"


# -- PAPERBOY_SMTP_URL ---------------------------------------------------------------------


def test_smtp_urls_parse_with_credentials_in_the_url_or_the_settings() -> None:
    t = parse_mail_url("smtp+starttls://bob%40corp:p%40ss@mail.example.org")
    assert (t.scheme, t.host, t.port, t.user, t.password) == (
        "smtp+starttls", "mail.example.org", 587, "bob@corp", "p@ss"
    )  # fmt: skip
    assert parse_mail_url("smtps://mail.example.org").port == 465
    assert parse_mail_url("smtp://127.0.0.1:2525").port == 2525
    assert parse_mail_url("smtp://mail.example.org").port == 25
    t = parse_mail_url("smtp://mail.example.org", user="bob", password="pw")
    assert (t.user, t.password) == ("bob", "pw")
    t = parse_mail_url("smtp://amy:url-pw@mail.example.org", user="bob", password="pw")
    assert (t.user, t.password) == ("amy", "url-pw")  # the URL wins
    assert parse_mail_url("file:///var/mail/paperboy").directory == Path("/var/mail/paperboy")


@pytest.mark.parametrize(
    "url",
    ["http://mail.example.org", "mail.example.org:25", "smtp://", "file://relative/dir",
     "smtp://h:notaport"],
)  # fmt: skip
def test_a_bad_smtp_url_names_its_variable(url: str) -> None:
    with pytest.raises(ValueError, match="PAPERBOY_SMTP_URL"):
        parse_mail_url(url)
    with pytest.raises(ValueError, match="PAPERBOY_SMTP_URL"):
        Mailer.from_settings(load_settings({}).with_overrides(smtp_url=url))


def test_bad_mail_settings_are_refused_when_loaded() -> None:
    with pytest.raises(ValueError, match="PAPERBOY_SMTP_URL.*expected smtp://"):
        load_settings({"PAPERBOY_SMTP_URL": "imap://mail.example.org"})
    with pytest.raises(ValueError, match="PAPERBOY_MAIL_FROM"):
        load_settings({"PAPERBOY_MAIL_FROM": "Paperboy"})


def test_paperboy_config_redacts_smtp_passwords() -> None:
    from typer.testing import CliRunner

    from paperboy.cli import app

    env = {
        "PAPERBOY_SMTP_URL": "smtps://bob:hunter2@mail.example.org",
        "PAPERBOY_SMTP_PASSWORD": "swordfish",
    }
    result = CliRunner().invoke(app, ["config"], env=env)
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output and "swordfish" not in result.output
    shown = json.loads(result.stdout)
    assert shown["smtp_url"] == "smtps://bob:<redacted>@mail.example.org"
    assert shown["smtp_password"] == "<redacted>"
