"""The worker in process: a real arXiv ingest chain over the replay server, leases, failures,
stopping, and a scheduled run fired through APScheduler."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

from ingest.test_ingest_cmd import env_for
from ingest.test_oaipmh import serve_pages
from paperboy.config import load_settings
from paperboy.ingest.harvest.oaipmh import state_keys
from paperboy.store import open_store
from paperboy.worker.jobs import Job, JobContext
from paperboy.worker.runner import Worker, state_key

QUIET = {f"PAPERBOY_SCHEDULE_{j}": "off" for j in ("INGEST", "EMBED", "TRENDING", "DIGEST")}


def test_the_ingest_chain_harvests_embeds_and_refreshes_trending(tmp_path, replay_server):
    serve_pages(replay_server)
    settings = load_settings(env_for(replay_server))
    with open_store(str(tmp_path / "w.db")) as store:
        refreshed = store.trending.version()
        outcomes = Worker(store, settings).run_chain("ingest")
        assert [(o.job, o.status) for o in outcomes] == [
            ("ingest", "done"),
            ("embed", "done"),
            ("trending", "done"),
        ], [o.line() for o in outcomes]
        assert outcomes[0].report == {
            "added": 4,
            "updated": 1,
            "unchanged": 0,
            "rejected": 0,
            "pages": 3,
            "deleted": 1,
        }
        assert outcomes[1].report["embedded"] == store.papers.count_papers() == 4
        assert store.vectors.count(outcomes[1].report["model"]) == 4
        assert store.trending.version() == refreshed + 1  # no votes yet: no rows, but refreshed
        # a first scheduled harvest asks for the last week, never for all of arXiv
        first = replay_server.requests_to("/oai")[0]
        assert first["metadataPrefix"] == "arXiv" and first["from"] >= "2026-01-01"
        assert store.job_locks.current(datetime.now(UTC)) == []
        last = Worker(store, settings).last("ingest")
        assert last and last["status"] == "done" and last["report"]["added"] == 4

        harvested_until = store.state.get_state(state_keys("arXiv", None)[1])
        assert harvested_until
        replay_server.requests.clear()
        again = Worker(store, settings).run_chain("ingest")  # the next day: the delta only
        assert again[0].status == "done" and again[1].report["embedded"] == 0
        assert replay_server.requests_to("/oai")[0]["from"] == harvested_until


def recording(calls: list[str], effect=None) -> Job:
    def run(ctx: JobContext) -> dict:
        calls.append("ran")
        if effect:
            return effect(ctx)
        return {"n": len(calls)}

    return Job("probe", "schedule_trending", run, "a test job", then=("after",))


def test_a_job_held_elsewhere_is_skipped_and_not_run(tmp_path):
    calls: list[str] = []
    with open_store(str(tmp_path / "w.db")) as store:
        store.job_locks.acquire("probe", "otherhost:42:abc", datetime.now(UTC), 60)
        w = Worker(store, load_settings({}), [recording(calls)])
        outcome = w.run("probe")
        assert (outcome.status, outcome.holder, calls) == ("skipped", "otherhost:42:abc", [])
        store.job_locks.release("probe", "otherhost:42:abc")
        assert w.run("probe").status == "done" and calls == ["ran"]


def test_a_failure_is_reported_releases_the_lease_and_stops_the_chain(tmp_path):
    calls: list[str] = []
    after: list[str] = []

    def boom(ctx: JobContext) -> dict:
        raise RuntimeError("upstream said no")

    jobs = [
        recording(calls, boom),
        Job("after", "schedule_embed", lambda ctx: after.append("x") or {}, "follows"),
    ]
    with open_store(str(tmp_path / "w.db")) as store:
        w = Worker(store, load_settings({}), jobs)
        (outcome,) = w.run_chain("probe")
        assert outcome.status == "failed"
        assert outcome.error == "RuntimeError: upstream said no"
        assert store.job_locks.current(datetime.now(UTC)) == [] and after == []
        assert w.last("probe")["error"] == "RuntimeError: upstream said no"  # type: ignore[index]
        assert [o.status for o in Worker(store, load_settings({}), [jobs[1]]).run_chain("after")]


def test_stop_interrupts_a_job_at_its_next_checkpoint(tmp_path):
    stop = threading.Event()
    reached = []

    def long(ctx: JobContext) -> dict:
        for step in range(1000):
            ctx.checkpoint()
            reached.append(step)
            if step == 3:
                stop.set()  # SIGTERM arrives while step 3 runs
        return {}

    with open_store(str(tmp_path / "w.db")) as store:
        w = Worker(store, load_settings({}), [recording([], long)], stop=stop)
        outcome = w.run("probe")
        assert outcome.status == "interrupted" and reached == [0, 1, 2, 3]
        assert store.job_locks.current(datetime.now(UTC)) == []
        assert w.run("probe").status == "interrupted"  # nothing new starts once stopping


def test_serve_fires_scheduled_runs_and_returns_when_stopped(tmp_path):
    calls: list[str] = []
    ran = threading.Event()
    stop = threading.Event()

    def note(ctx: JobContext) -> dict:
        ran.set()
        return {}

    settings = load_settings({**QUIET, "PAPERBOY_SCHEDULE_TRENDING": "0 3 1 1 *"})
    with open_store(str(tmp_path / "w.db")) as store:
        jobs = [recording(calls, note), Job("after", "schedule_embed", note, "follows")]
        w = Worker(store, settings, jobs, stop=stop)

        def fire_now(scheduler) -> None:  # the test cannot wait for 1 January at 03:00
            scheduler.modify_job("probe", next_run_time=datetime.now(UTC))

        server = threading.Thread(target=w.serve, kwargs={"on_start": fire_now})
        server.start()
        assert ran.wait(30), "the scheduled job never ran"
        deadline = time.monotonic() + 30
        while (w.last("after") or {}).get("status") != "done":
            assert time.monotonic() < deadline, "the follower never ran"
            time.sleep(0.05)
        stop.set()
        server.join(30)
        assert not server.is_alive()
        assert calls == ["ran"] and w.last("probe")["status"] == "done"  # type: ignore[index]


def test_hugging_face_papers_come_in_and_trending_follows(tmp_path, replay_server):
    from ingest.helpers import HF

    body = (HF / "daily_papers-2025-10-29.json").read_bytes()
    replay_server.route("/api/daily_papers", replay_server.Reply(body=body))
    settings = load_settings(env_for(replay_server))
    with open_store(str(tmp_path / "w.db")) as store:
        outcomes = Worker(store, settings).run_chain("hf")
        assert [(o.job, o.status) for o in outcomes] == [("hf", "done"), ("trending", "done")]
        assert outcomes[0].report["added"] == 3
        assert outcomes[1].report["rows"] == store.trending.count() > 0  # upvotes are signals


def test_the_digest_job_mails_the_digests_due_once(tmp_path):
    """The real ``send_due`` through the worker, to a real SMTP server: a weekly subscriber
    due today (any weekday the test runs), then the same job again sends nothing."""
    from paperboy.models.paper import Paper
    from paperboy.models.subscription import CONFIRMED, WEEKLY, Preferences
    from smtpserver import SmtpServer

    today = datetime.now(UTC).date()
    smtp = SmtpServer().start()
    try:
        settings = load_settings({"PAPERBOY_SMTP_URL": smtp.url})
        with open_store(str(tmp_path / "w.db")) as store:
            store.papers.upsert_papers([
                Paper(id="2611.00001", title="Speech recognition in noisy rooms",
                      abstract="We recognise speech.", categories=["cs.CL"], listing_date=today),
            ])  # fmt: skip
            prefs = Preferences(cadence=WEEKLY, weekday=today.weekday(), send_hour=0,
                                searches=("speech recognition",))  # fmt: skip
            store.subscribers.add("ada@example.org", prefs, CONFIRMED, datetime.now(UTC))
            worker = Worker(store, settings)
            outcome = worker.run("digest")
            assert outcome.status == "done", outcome.line()
            assert outcome.report == {"sent": 1, "empty": 0, "failed": 0, "in_doubt": 0}
            assert [m.rcpt_tos for m in smtp.received] == [["ada@example.org"]]
            assert worker.run("digest").report["sent"] == 0
    finally:
        smtp.stop()


def test_a_job_whose_lease_was_taken_stops_at_its_next_checkpoint(tmp_path):
    """A worker stalled past its lease (a frozen VM) must not go on beside the new holder."""
    reached = []

    def long(ctx: JobContext) -> dict:
        for step in range(100):
            ctx.checkpoint()
            reached.append(step)
            if step == 1:  # stalled: the lease expires and another worker takes the job
                later = datetime.now(UTC) + timedelta(seconds=5)
                assert ctx.store.job_locks.acquire("probe", "other:1:x", later, 60)
                deadline = time.monotonic() + 10
                while not ctx.lost.is_set():  # the renewal notices within a beat
                    assert time.monotonic() < deadline
                    time.sleep(0.01)
        return {}

    with open_store(str(tmp_path / "w.db")) as store:
        w = Worker(store, load_settings({}), [recording([], long)], lease_seconds=1)
        outcome = w.run("probe")
        assert outcome.status == "interrupted" and reached == [0, 1]
        assert outcome.error == "the lease expired and another worker took the job"
        assert [lk.holder for lk in store.job_locks.current(datetime.now(UTC))] == ["other:1:x"]


def test_a_run_missed_while_no_worker_ran_happens_at_start(tmp_path):
    """Last run two days ago, daily at 03:00: the worker (restarted since) runs it at once;
    a job that never ran waits for its time."""
    ran = threading.Event()
    stop = threading.Event()
    never: list[str] = []
    settings = load_settings(
        {**QUIET, "PAPERBOY_SCHEDULE_TRENDING": "0 3 * * *", "PAPERBOY_SCHEDULE_EMBED": "0 3 * * *"}
    )
    jobs = [
        Job("probe", "schedule_trending", lambda ctx: ran.set() or {}, "daily"),
        Job("fresh", "schedule_embed", lambda ctx: never.append("x") or {}, "daily too"),
    ]
    with open_store(str(tmp_path / "w.db")) as store:
        two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat()
        store.state.set_state(state_key("probe"), json.dumps({"started": two_days_ago}))
        w = Worker(store, settings, jobs, stop=stop)
        server = threading.Thread(target=w.serve)
        server.start()
        try:
            assert ran.wait(30), "the missed run did not happen at start"
        finally:
            stop.set()
            server.join(30)
        assert never == []
