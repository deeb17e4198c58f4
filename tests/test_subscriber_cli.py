"""`paperboy subscriber add|list|remove` as admins run them, over a real SQLite file; the
confirmation mails go through a real SMTP server and their links confirm in the real app."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from paperboy.cli import app as cli
from paperboy.config import load_settings
from paperboy.models.subscription import CONFIRMED, PENDING, UNSUBSCRIBED, Preferences
from paperboy.store import open_store
from paperboy.web.app import create_app
from signin_flow import PUBLIC, csrf, field


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "subs.db")
    open_store(path).close()
    return path


def run(smtp_url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    env = {"PAPERBOY_PUBLIC_URL": PUBLIC, "PAPERBOY_SMTP_URL": smtp_url}
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def listed(smtp_server, db: str, *args: str) -> list[dict]:
    code, out, err = run(smtp_server.url, "--db", db, "subscriber", "list", "--json", *args)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_add_confirmed_from_arguments_and_a_file(smtp_server, db, tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text(
        "email,name\n# moved from the old newsletter\nbob@example.org,Bob\n\n"
        "not an address,Nobody\nAda@Example.org,Ada again\n",
        encoding="utf-8",
    )
    code, out, err = run(
        smtp_server.url, "--db", db, "subscriber", "add", "ada@example.org", "cy@example.org",
        "--file", str(listing), "--confirmed", "--weekly",
    )  # fmt: skip
    assert code == 1  # one bad line, named; the rest are in
    assert f"{listing}: line 5" in err and "not an address" in err
    assert "added 3 (confirmed)" in out
    rows = listed(smtp_server, db)
    assert [r["email"] for r in rows] == ["ada@example.org", "cy@example.org", "bob@example.org"]
    assert {r["status"] for r in rows} == {CONFIRMED}
    assert {r["preferences"]["cadence"] for r in rows} == {"weekly"}
    assert set(rows[0]) == {
        "id", "email", "status", "user_id", "created_at", "confirmed_at", "failures",
        "preferences",
    }  # fmt: skip
    assert smtp_server.handler.received == []  # they opted in elsewhere: no mail

    # Again: nothing changes for confirmed addresses, and stdin works.
    code, out, _ = run(
        smtp_server.url, "--db", db, "subscriber", "add", "--file", "-", "--confirmed", "--daily",
        stdin="ada@example.org\n",
    )  # fmt: skip
    assert code == 0 and "left as they were 1" in out
    assert listed(smtp_server, db)[0]["preferences"]["cadence"] == "weekly"

    code, out, _ = run(smtp_server.url, "--db", db, "subscriber", "list")
    assert code == 0 and "ada@example.org  confirmed  weekly (Mon)" in out
    assert listed(smtp_server, db, "--status", "pending") == []
    code, _, err = run(smtp_server.url, "--db", db, "subscriber", "list", "--status", "happy")
    assert code == 1 and "--status 'happy'" in err


def test_add_without_confirmed_mails_a_link_that_confirms(smtp_server, db):
    code, out, err = run(smtp_server.url, "--db", db, "subscriber", "add", "ada@example.org")
    assert code == 0, err
    assert "added 1 (pending, confirmation mailed)" in out and "mails accepted: 1" in out
    assert listed(smtp_server, db)[0]["status"] == PENDING
    mail = smtp_server.handler.received[-1]
    text = mail.message.get_body(("plain",)).get_content()
    link = re.search(r"http://testserver/subscribe/confirm\?\S+", text).group(0)
    store = open_store(db)
    try:
        with TestClient(create_app(load_settings({"PAPERBOY_PUBLIC_URL": PUBLIC}), store)) as c:
            page = c.get(link.removeprefix(PUBLIC))
            data = {"csrf_token": csrf(page.text), "token": field(page.text, "token")}
            assert c.post("/subscribe/confirm", data=data).status_code == 200
    finally:
        store.close()
    assert listed(smtp_server, db)[0]["status"] == CONFIRMED


def test_an_import_never_resubscribes_someone_who_left(smtp_server, db):
    store = open_store(db)
    try:
        sub, _ = store.subscribers.add("ada@example.org", Preferences(), CONFIRMED, _now())
        store.subscribers.set_status(sub.id, UNSUBSCRIBED, _now())
    finally:
        store.close()
    code, out, _ = run(
        smtp_server.url, "--db", db, "subscriber", "add", "ada@example.org", "--confirmed"
    )
    assert code == 0 and "kept unsubscribed 1" in out
    assert listed(smtp_server, db)[0]["status"] == UNSUBSCRIBED


def test_remove_and_bad_input(smtp_server, db):
    run(
        smtp_server.url,
        "--db",
        db,
        "subscriber",
        "add",
        "a@example.org",
        "b@example.org",
        "--confirmed",
    )
    code, out, err = run(
        smtp_server.url, "--db", db, "subscriber", "remove", "A@example.org", "nobody@example.org"
    )
    assert code == 1 and "removed a@example.org" in out
    assert "nobody@example.org: not a subscriber" in err
    assert [r["email"] for r in listed(smtp_server, db)] == ["b@example.org"]
    code, _, err = run(smtp_server.url, "--db", db, "subscriber", "add")
    assert code == 1 and "no addresses" in err
    code, _, err = run(smtp_server.url, "--db", db, "subscriber", "add", "--file", "/no/such/file")
    assert code == 1 and "/no/such/file: cannot read" in err


def _now() -> datetime:
    return datetime.now(UTC)


def test_unsubscribe_mail_applies_the_mailto_request(smtp_server, db, tmp_path):
    """Clients that use the List-Unsubscribe mailto (Apple Mail's banner among them) send
    ``Subject: unsubscribe TOKEN`` to the sender's address: an MTA pipe or an admin hands
    the mail to ``paperboy subscriber unsubscribe-mail``, which unsubscribes that address."""
    from email.message import EmailMessage

    from paperboy.core.accounts import instance_secret
    from paperboy.core.subscriber_links import UNSUBSCRIBE, manage_token

    with open_store(db) as store:
        sub, _ = store.subscribers.add(
            "ada@example.org", Preferences(), CONFIRMED, datetime.now(UTC)
        )
        secret = instance_secret(store, load_settings({"PAPERBOY_PUBLIC_URL": PUBLIC}))
        token = manage_token(secret, sub, UNSUBSCRIBE, datetime.now(UTC))

    def request(subject: str) -> str:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "ada@example.org", "digest@example.org", subject
        msg.set_content("This is an unsubscribe request sent from Mail.\n")
        return msg.as_string()

    code, out, err = run(
        smtp_server.url, "--db", db, "subscriber", "unsubscribe-mail", stdin=request("hello")
    )
    assert code == 1 and "no unsubscribe token" in err
    forged = request("unsubscribe " + token[:-4] + "0000")
    code, out, err = run(
        smtp_server.url, "--db", db, "subscriber", "unsubscribe-mail", stdin=forged
    )
    assert code == 1 and "not valid" in err
    assert listed(smtp_server, db)[0]["status"] == CONFIRMED
    path = tmp_path / "request.eml"
    path.write_text(request("unsubscribe " + token), encoding="utf-8")
    code, out, err = run(smtp_server.url, "--db", db, "subscriber", "unsubscribe-mail", str(path))
    assert code == 0, err
    assert "unsubscribed ada@example.org" in out
    assert listed(smtp_server, db)[0]["status"] == UNSUBSCRIBED
