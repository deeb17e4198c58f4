"""`paperboy worker` as real processes: SIGTERM stops it cleanly (exit 0), and one job's
lease holds across two processes sharing a database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from ingest.helpers import OAI
from ingest.test_ingest_cmd import env_for
from ingest.test_oaipmh import TOKENS, serve_pages
from paperboy.cli import app
from paperboy.ingest.harvest.oaipmh import state_keys
from paperboy.store import open_store

from .test_worker import QUIET

pytestmark = pytest.mark.sqlite_only  # a SQLite file shared with subprocesses


class Proc:
    """A `paperboy` subprocess whose stderr lines are collected as they come."""

    def __init__(self, db, *args: str, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "paperboy", "--db", str(db), *args]
        self.p = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.p.stderr is not None
        for line in self.p.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.p.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, f"never logged {text!r}: {''.join(self.lines)}"
            time.sleep(0.05)

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        out = self.p.stdout.read() if self.p.stdout else ""  # type: ignore[union-attr]
        code = self.p.wait(timeout)
        self._reader.join(5)
        return code, out, "".join(self.lines)

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(10)


def test_sigterm_stops_an_idle_worker_with_exit_0(tmp_path):
    env = {**QUIET, "PAPERBOY_SCHEDULE_INGEST": "0 3 1 1 *"}
    worker = Proc(tmp_path / "w.db", "worker", env=env)
    try:
        worker.wait_for("ingest: next run")
        worker.p.send_signal(signal.SIGTERM)
        code, _, log = worker.finish()
    finally:
        worker.kill()
    assert code == 0, log
    assert "SIGTERM: stopping" in log and "stopped" in log.splitlines()[-1]


def test_a_bad_schedule_refuses_to_start(tmp_path):
    result = CliRunner().invoke(
        app,
        ["--db", str(tmp_path / "w.db"), "worker"],
        env={"PAPERBOY_SCHEDULE_TRENDING": "0 9 * * 9"},
    )
    assert result.exit_code == 1
    assert "PAPERBOY_SCHEDULE_TRENDING='0 9 * * 9': day of week 9" in result.output


def test_every_job_off_refuses_to_start_with_one_line(tmp_path):
    off = {f"PAPERBOY_SCHEDULE_{j}": "off" for j in ("INGEST", "HF", "EMBED", "TRENDING", "DIGEST")}
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "w.db"), "worker"], env=off)
    assert result.exit_code == 1
    assert "every job is off (PAPERBOY_SCHEDULE_* = off): nothing to run" in result.output


def test_one_job_runs_in_one_process_and_sigterm_interrupts_it_safely(tmp_path, replay_server):
    """Process A harvests, stuck on page 2; B is refused the same job while A holds it.
    SIGTERM makes A stop after page 2 (committed), exit 0 and free the lease; B then
    resumes where A stopped."""
    gate = threading.Event()
    serve_pages(
        replay_server,
        page2=replay_server.Reply(
            body=(OAI / "listrecords-arxiv-page2.xml").read_bytes(), gate=gate
        ),
    )
    db = tmp_path / "w.db"
    env = env_for(replay_server)
    a = Proc(db, "worker", "--once", "ingest", "--json", env=env)
    try:
        deadline = time.monotonic() + 60
        while not any(
            q.get("resumptionToken") == TOKENS[0] for q in replay_server.requests_to("/oai")
        ):
            assert a.p.poll() is None, "".join(a.lines)
            assert time.monotonic() < deadline, "A never asked for page 2"
            time.sleep(0.05)
        with open_store(str(db)) as store:
            (lease,) = store.job_locks.current(datetime.now(UTC))
        assert lease.name == "ingest" and f":{a.p.pid}:" in lease.holder

        b = subprocess.run(
            [sys.executable, "-m", "paperboy", "--db", str(db), "worker", "--once", "ingest"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert b.returncode == 1, b.stderr
        assert "ingest: skipped" in b.stderr and f":{a.p.pid}:" in b.stderr

        a.p.send_signal(signal.SIGTERM)
        a.wait_for("SIGTERM: stopping")
        gate.set()  # page 2 arrives; A stops at the checkpoint after importing it
        code, out, log = a.finish()
    finally:
        gate.set()
        a.kill()
    assert code == 0, log
    assert json.loads(out)[0]["status"] == "interrupted"
    cursor_key, _ = state_keys("arXiv", None)
    with open_store(str(db)) as store:
        assert store.job_locks.current(datetime.now(UTC)) == []
        assert store.papers.count_papers() == 3  # pages 1 and 2 committed; page 3 adds one
        assert TOKENS[0] in (store.state.get_state(cursor_key) or "")

    replay_server.requests.clear()
    rerun = subprocess.run(
        [sys.executable, "-m", "paperboy", "--db", str(db), "worker", "--once", "ingest"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert replay_server.requests_to("/oai")[0] == {
        "verb": "ListRecords",
        "resumptionToken": TOKENS[0],
    }
    assert "ingest: done" in rerun.stderr
    with open_store(str(db)) as store:
        assert store.papers.count_papers() == 4


def test_once_and_list_in_process(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    db = ["--db", str(tmp_path / "w.db")]
    env = {"PAPERBOY_SCHEDULE_HF": "0 */6 * * *", "PAPERBOY_WORKER_TIMEZONE": "Asia/Tokyo"}
    done = CliRunner().invoke(app, [*db, "worker", "--once", "trending", "--json"], env=env)
    assert done.exit_code == 0, done.output
    (outcome,) = json.loads(next(ln for ln in done.output.splitlines() if ln.startswith("[")))
    assert (outcome["job"], outcome["status"], outcome["report"]["rows"]) == ("trending", "done", 0)
    assert signal.getsignal(signal.SIGTERM) is before  # handlers given back

    listed = CliRunner().invoke(app, [*db, "worker", "--list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    rows = {r["job"]: r for r in json.loads(listed.output[listed.output.index("[") :])}
    assert rows["hf"]["schedule"] == "0 */6 * * *" and rows["hf"]["next"].endswith("+09:00")
    assert rows["ingest"]["then"] == ["embed", "trending"]
    assert rows["trending"]["last"]["status"] == "done" and rows["embed"]["last"] is None

    unknown = CliRunner().invoke(app, [*db, "worker", "--once", "harvest"])
    assert unknown.exit_code == 1
    assert "no job 'harvest'; the jobs are ingest, hf, embed, trending, digest" in unknown.output
