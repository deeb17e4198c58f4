"""`paperboy digest …` as operators run it: --json, status, preview, and kill -9 mid-run."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from paperboy.cli import app as cli
from paperboy.core.digest.send import CONNECTIONS
from paperboy.models.delivery import IN_DOUBT, SENT
from paperboy.store import Store
from smtpserver import SmtpServer

from .test_send import AT, PUBLIC, recipients, subscribers

KEY = "digest-test-key-digest-test-key-1234"


def env(server: SmtpServer | None = None) -> dict[str, str]:
    out = {"PAPERBOY_PUBLIC_URL": PUBLIC, "PAPERBOY_SECRET_KEY": KEY}
    if server is not None:
        out["PAPERBOY_SMTP_URL"] = server.url
    return out


def run(store: Store, *args: str, server: SmtpServer | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", store.url, *args], env=env(server))
    return result.exit_code, result.stdout, result.stderr


def test_send_json_prints_exactly_the_four_counts_and_status_lists_runs(
    store: Store, smtp_server
) -> None:
    subscribers(store, 2)
    code, out, err = run(store, "digest", "send", "--at", AT.isoformat(), "--json",
                         server=smtp_server)  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {"sent": 2, "empty": 0, "failed": 0, "in_doubt": 0}
    code, out, err = run(store, "digest", "status", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["in_doubt"] == [] and status["runs"][0]["sent"] == 2
    code, out, _ = run(store, "digest", "status")
    assert code == 0 and "In doubt (0)" in out and "2 sent" in out


def test_bad_at_and_unknown_addresses_are_named(store: Store, tmp_path: Path) -> None:
    code, _, err = run(store, "digest", "send", "--at", "friday morning")
    assert code == 1 and "--at 'friday morning'" in err
    code, _, err = run(store, "digest", "preview", "nobody@example.org", "--out", str(tmp_path))
    assert code == 1 and "nobody@example.org: no such subscriber" in err


def test_preview_writes_the_eml_and_html_and_records_nothing(store: Store, tmp_path: Path) -> None:
    subscribers(store, 1)
    code, _, err = run(store, "digest", "preview", "Reader0@Example.org", "--out", str(tmp_path),
                       "--at", AT.isoformat())  # fmt: skip
    assert code == 0, err
    [eml] = tmp_path.glob("*.eml")
    [html] = tmp_path.glob("*.html")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "reader0@example.org"
    assert "Speech recognition with tiny transformers" in html.read_text()
    assert store.deliveries.count() == 0


def test_dry_run_dir_from_the_command_line(store: Store, tmp_path: Path) -> None:
    subscribers(store, 2)
    code, out, err = run(store, "digest", "send", "--at", AT.isoformat(), "--json",
                         "--dry-run", str(tmp_path / "out"))  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["sent"] == 2
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2 and store.deliveries.count() == 0


def _slow(server: SmtpServer, seconds: float) -> None:
    """Each DATA takes ``seconds``: time to kill the sender mid-run."""
    original = server.handler.handle_DATA

    async def slow(srv, session, envelope):  # noqa: ANN001
        await asyncio.sleep(seconds)
        return await original(srv, session, envelope)

    server.handler.handle_DATA = slow  # type: ignore[method-assign]


def test_kill_9_mid_run_then_a_rerun_sends_each_exactly_once(store: Store, tmp_path) -> None:
    emails = subscribers(store, 40)
    server = SmtpServer()
    _slow(server, 0.02)
    server.start()
    try:
        cmd = [sys.executable, "-m", "paperboy", "--db", store.url, "digest", "send",
               "--at", AT.isoformat(), "--json"]  # fmt: skip
        src = str(Path(__file__).resolve().parents[2] / "src")
        proc_env = {**os.environ, **env(server), "PYTHONPATH": src}
        proc = subprocess.Popen(cmd, env=proc_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(server.received) < 8 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        before = len(server.received)
        assert 8 <= before < 40, "the run was not killed mid-way"
        code, out, err = run(store, "digest", "status", "--json")
        assert code == 0, err
        listed = json.loads(out)["in_doubt"]  # the dead run's open claims, one per connection
        assert len(listed) <= CONNECTIONS and all(d["period"] == "2026-11-27" for d in listed)
        rerun = subprocess.run(cmd, env=proc_env, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        report = json.loads(rerun.stdout)
        doubt = store.deliveries.count(IN_DOUBT)
        assert doubt == len(listed) and report["in_doubt"] == doubt and report["failed"] == 0
        got = recipients(server)
        assert set(got.values()) == {1}, "a digest went out twice"
        assert store.deliveries.count(SENT) == 40 - doubt
        in_doubt = {r.email for r in store.deliveries.recent(IN_DOUBT)}
        assert set(emails) - set(got) <= in_doubt  # only an in-doubt one may be missing
        assert report["sent"] == 40 - doubt - (before - len(in_doubt & set(got)))
    finally:
        server.stop()


def test_send_from_two_worker_processes(store: Store, smtp_server) -> None:
    emails = subscribers(store, 6)
    code, out, err = run(store, "digest", "send", "--at", AT.isoformat(), "--json",
                         "--workers", "2", server=smtp_server)  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {"sent": 6, "empty": 0, "failed": 0, "in_doubt": 0}
    assert sorted(recipients(smtp_server)) == sorted(emails)
