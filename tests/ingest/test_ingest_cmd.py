"""`paperboy ingest` end to end: the CLI in process, and a harvest killed with SIGKILL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from typer.testing import CliRunner

from paperboy.cli import app
from paperboy.ingest.harvest.http import Fetcher
from paperboy.ingest.harvest.oaipmh import harvest, state_keys

from .helpers import HF, OAI, new_store, recorded, snapshot
from .test_oaipmh import TOKENS, WINDOW, serve_pages

ARGS = ["ingest", "arxiv", "--from", "2024-01-01", "--until", "2024-01-19", "--set", "cs"]


def env_for(server) -> dict[str, str]:
    return {
        "PAPERBOY_ARXIV_OAI_URL": server.url + "/oai",
        "PAPERBOY_ARXIV_API_URL": server.url + "/api/query",
        "PAPERBOY_HF_URL": server.url,
        "PAPERBOY_REQUEST_DELAY": "0",
        "PAPERBOY_MAX_RETRIES": "0",
    }


def cli(tmp_path, server, *args: str):
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "cli.db"), *args], env=env_for(server), catch_exceptions=False
    )
    return result.exit_code, result.output


def counts(output: str) -> dict:
    return json.loads(next(line for line in output.splitlines() if line.startswith("{")))


def test_ingest_hf_prints_counts_and_exits_0(tmp_path, replay_server):
    body = (HF / "daily_papers-2025-10-29.json").read_bytes()
    replay_server.route("/api/daily_papers", replay_server.Reply(body=body))
    code, out = cli(tmp_path, replay_server, "ingest", "hf", "--date", "2025-10-29", "--json")
    assert code == 0, out
    assert counts(out) == {
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    code, out = cli(tmp_path, replay_server, "ingest", "hf", "--week", "44")
    assert code == 1 and "expected the form 2025-W09" in out


def test_ingest_arxiv_harvest_and_unknown_ids(tmp_path, replay_server):
    serve_pages(replay_server)
    code, out = cli(tmp_path, replay_server, *ARGS)
    assert code == 0, out
    assert "added 4, updated 1, unchanged 0, rejected 0" in out
    empty = recorded("id_0000.0000")["body"]
    replay_server.route("/api/query", replay_server.Reply(body=empty))
    code, out = cli(tmp_path, replay_server, "ingest", "arxiv", "--id", "2101.99999", "--json")
    assert code == 1
    assert counts(out)["rejected"] == 1
    assert "2101.99999: unknown id" in out


def test_ingest_arxiv_stopped_upstream_exits_1(tmp_path, replay_server):
    replay_server.route("/oai", replay_server.Reply(503, "maintenance"))
    code, out = cli(tmp_path, replay_server, *ARGS)
    assert code == 1 and "HTTP 503" in out and "rerun to continue" in out


@pytest.mark.sqlite_only  # a SQLite file shared with a subprocess, or its in-process index
def test_killed_harvest_resumes_to_the_same_database(tmp_path, replay_server):
    gate = threading.Event()  # page 2 hangs until the test has killed the harvester
    Reply = replay_server.Reply
    serve_pages(
        replay_server,
        page2=Reply(body=(OAI / "listrecords-arxiv-page2.xml").read_bytes(), gate=gate),
    )
    db = tmp_path / "killed.db"
    command = [sys.executable, "-m", "paperboy", "--db", str(db), *ARGS, "--json"]
    env = {**os.environ, **env_for(replay_server)}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not any(
            q.get("resumptionToken") == TOKENS[0] for q in replay_server.requests_to("/oai")
        ):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the harvester never asked for page 2"
            time.sleep(0.05)
        proc.kill()  # SIGKILL: no cleanup, no finally blocks
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -9
    cursor_key, hwm_key = state_keys("arXiv", "cs")
    with new_store(tmp_path, "killed.db") as store:
        assert store.papers.count_papers() == 2  # page 1 committed
        assert TOKENS[0] in store.state.get_state(cursor_key)
        assert store.state.get_state(hwm_key) is None

    replay_server.requests.clear()
    serve_pages(replay_server)  # page 2 answers at once now
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert replay_server.requests_to("/oai")[0] == {
        "verb": "ListRecords",
        "resumptionToken": TOKENS[0],
    }
    assert json.loads(rerun.stdout.splitlines()[0])["added"] == 2

    with new_store(tmp_path, "clean.db") as clean, Fetcher(delay=0, max_retries=0) as f:
        harvest(clean, f, replay_server.url + "/oai", **WINDOW)
        expected = snapshot(clean)
    with new_store(tmp_path, "killed.db") as store:
        assert snapshot(store) == expected
        assert store.state.get_state(cursor_key) is None
        assert store.state.get_state(hwm_key) == "2024-01-19"
