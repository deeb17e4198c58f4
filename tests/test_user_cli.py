"""`paperboy user …` and `paperboy paper hide|unhide` as admins run them, checked through the
real app: a printed link signs in, a ban ends sessions, a hidden paper leaves every surface."""

from __future__ import annotations

import json
from datetime import date

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from paperboy.cli import app as cli
from paperboy.config import load_settings
from paperboy.models.paper import Paper
from paperboy.store import open_store
from paperboy.web.app import create_app
from signin_flow import PUBLIC, confirm

DAY = date(2026, 1, 5)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"PAPERBOY_PUBLIC_URL": PUBLIC})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "admin.db")
    store = open_store(path)
    store.papers.upsert_papers([
        Paper(id=f"2601.0000{i}", title=f"Wombat burrows {i}", abstract="Wombats dig.",
              authors=["A. Author"], categories=["cs.CV"], listing_date=DAY, published=DAY)
        for i in (1, 2)
    ])  # fmt: skip
    store.close()
    return path


@pytest.fixture
def site(db):
    store = open_store(db)
    with TestClient(create_app(load_settings({"PAPERBOY_PUBLIC_URL": PUBLIC}), store)) as c:
        yield c
    store.close()


def _link(db: str, email: str) -> str:
    code, out, err = run("--db", db, "user", "link", email)
    assert code == 0, err
    return out.strip()


def test_user_link_prints_a_link_that_signs_in(db, site):
    link = _link(db, "Ada@Example.org")
    assert link.startswith(f"{PUBLIC}/login/confirm?token=") and "\n" not in link
    assert confirm(site, link, "Ada").status_code == 303
    assert site.get("/api/paperboy/me").json()["name"] == "Ada"
    with TestClient(site.app) as other:  # single use
        assert other.get(link.removeprefix(PUBLIC)).status_code == 410


def test_user_list_admin_and_unknown_addresses(db, site):
    code, out, _ = run("--db", db, "user", "list", "--json")
    assert code == 0 and out == ""
    confirm(site, _link(db, "ada@example.org"), "Ada")
    code, out, _ = run("--db", db, "user", "admin", "ada@example.org")
    assert code == 0 and "is an admin" in out
    code, out, _ = run("--db", db, "user", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["email"], r["display_name"], r["admin"]) for r in rows] == [
        ("ada@example.org", "Ada", True)
    ]
    code, out, _ = run("--db", db, "user", "admin", "ada@example.org", "--revoke")
    assert code == 0 and "not an admin" in out
    code, out, _ = run("--db", db, "user", "list")
    assert "ada@example.org" in out and "admin" not in out

    for command in ("ban", "unban", "admin"):
        code, out, err = run("--db", db, "user", command, "nobody@example.org")
        assert code == 1 and err.strip() == "error: no account for nobody@example.org"
    code, _, err = run("--db", db, "user", "link", "not an address")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "email" in err


def test_ban_ends_sessions_and_unban_lets_the_account_back(db, site):
    confirm(site, _link(db, "eve@example.org"))
    assert site.get("/api/paperboy/me").status_code == 200
    code, out, _ = run("--db", db, "user", "ban", "eve@example.org")
    assert code == 0 and "banned eve@example.org" in out
    assert site.get("/api/paperboy/me").status_code == 401
    code, out, _ = run("--db", db, "user", "list", "--json")
    assert json.loads(out)["banned_at"] is not None
    code, out, _ = run("--db", db, "user", "unban", "eve@example.org")
    assert code == 0
    with TestClient(site.app) as again:
        assert confirm(again, _link(db, "eve@example.org")).status_code == 303
        assert again.get("/api/paperboy/me").status_code == 200


def _surfaces(site) -> dict[str, bool]:
    """Whether 2601.00001 shows on each surface."""
    pid = "2601.00001"
    search = site.get("/api/paperboy/search", params={"q": "wombat burrows"}).json()
    return {
        "page": site.get(f"/papers/{pid}").status_code == 200,
        "api paper": site.get(f"/api/papers/{pid}").status_code == 200,
        "front": pid in site.get("/").text,
        "daily json": pid in site.get("/api/daily_papers").text,
        "atom": pid in site.get("/feeds/daily.atom").text,
        "search": pid in json.dumps(search),
    }


def test_hide_and_unhide_a_paper(db, site):
    everywhere = _surfaces(site)
    assert all(everywhere.values()), everywhere
    code, out, _ = run("--db", db, "paper", "hide", "arXiv:2601.00001v2")
    assert code == 0 and out.strip() == "hid 2601.00001"
    hidden = _surfaces(site)
    assert not any(hidden.values()), hidden
    assert site.get("/papers/2601.00001").status_code == 404
    assert "2601.00002" in site.get("/").text  # the other paper stays

    code, out, _ = run("--db", db, "paper", "unhide", "2601.00001")
    assert code == 0 and out.strip() == "unhid 2601.00001"
    back = _surfaces(site)
    assert all(back.values()), back

    code, _, err = run("--db", db, "paper", "hide", "2601.99999")
    assert code == 1 and err.strip() == "error: no paper '2601.99999'"


def test_the_demo_says_where_to_sign_in_and_where_mail_goes(tmp_path):
    from paperboy.cli.data import sign_in_note

    folder = load_settings({"PAPERBOY_SMTP_URL": f"file://{tmp_path}/mail"})
    assert sign_in_note(folder) == (
        f"sign in at http://127.0.0.1:8000/login — mail is written to {tmp_path}/mail"
    )
    server = load_settings({
        "PAPERBOY_SMTP_URL": "smtp://me:hunter2@mail.example.org:2525",
        "PAPERBOY_PUBLIC_URL": "https://papers.example.org",
    })  # fmt: skip
    note = sign_in_note(server)
    assert note == (
        "sign in at https://papers.example.org/login — mail is sent through "
        "smtp://me@mail.example.org:2525"
    )
    assert "hunter2" not in note


def test_the_demo_says_where_to_subscribe_and_how_digests_go_out(tmp_path):
    from paperboy.cli.data import digest_note

    note = digest_note(load_settings({}), "postgresql://me:hunter2@db.example.org/papers")
    assert note.startswith("subscribe at http://127.0.0.1:8000/subscribe — then mail the digests")
    assert note.endswith(" .venv/bin/paperboy digest send") and "hunter2" not in note
