"""The worker: runs each job under its lease, on the schedules from the settings, until told
to stop.

APScheduler (3.x) keeps the clock: a ``BackgroundScheduler`` in the worker's time zone with
one cron trigger per job that is on. ``max_instances=1`` keeps one copy of a job per process
and the store's lease one across processes; a run missed while the worker was busy or asleep
runs once when it can (coalesced) within ``MISFIRE_SECONDS``, and one missed while no worker
ran at all (a restart at 01:31) runs at start. ``serve`` returns when ``stop``
is set (SIGTERM): no new run starts, a running job stops at its next checkpoint or finishes,
and its lease is given back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from paperboy.config import Settings
from paperboy.models.job_lock import JobLock
from paperboy.store import Store
from paperboy.worker.jobs import Interrupted, Job, JobContext, default_jobs
from paperboy.worker.lease import LEASE_SECONDS, Lease, new_holder
from paperboy.worker.schedule import BadSchedule, time_zone, triggers

log = logging.getLogger("paperboy.worker")
NOTHING_ON = "every job is off (PAPERBOY_SCHEDULE_* = off): nothing to run"
THREADS = 2  # a digest run need not wait for a long harvest; more would fight for 2 cores
MISFIRE_SECONDS = 3600


@dataclass
class Outcome:
    """What one run did: ``done``, ``skipped`` (another holder), ``interrupted`` or ``failed``."""

    job: str
    status: str
    seconds: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    holder: str | None = None  # for ``skipped``: who holds the lease

    def line(self) -> str:
        took = f" in {self.seconds:.1f} s" if self.status != "skipped" else ""
        text = f"{self.job}: {self.status}{took}"
        if self.report:
            text += ": " + ", ".join(f"{k} {v}" for k, v in self.report.items())
        if self.error:
            text += f": {self.error}"
        return text


def state_key(job: str) -> str:
    return f"worker:{job}:last"


class Worker:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        jobs: Sequence[Job] | None = None,
        *,
        stop: threading.Event | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.store, self.settings = store, settings
        self.jobs = {j.name: j for j in (default_jobs() if jobs is None else jobs)}
        self.stop = stop or threading.Event()
        self.lease_seconds = lease_seconds
        self.holder = new_holder()

    def job(self, name: str) -> Job:
        try:
            return self.jobs[name]
        except KeyError:
            raise ValueError(f"no job {name!r}; the jobs are {', '.join(self.jobs)}") from None

    def schedules(self) -> dict[str, tuple[str, str]]:
        return {j.name: (j.env, getattr(self.settings, j.setting)) for j in self.jobs.values()}

    def triggers(self) -> dict:
        """The cron triggers of the jobs that are on; ``BadSchedule`` names a bad setting."""
        return triggers(self.schedules(), self.settings.worker_timezone)

    def run(self, name: str) -> Outcome:
        """Run one job now under its lease, log what it did and remember it in the store."""
        job = self.job(name)
        if self.stop.is_set():
            return Outcome(name, "interrupted")
        lease = Lease(self.store.job_locks, name, self.holder, self.lease_seconds)
        if not lease.acquire():
            held = self.held().get(name)
            outcome = Outcome(name, "skipped", holder=held.holder if held else None)
            log.warning("%s: skipped, already running in %s", name, outcome.holder or "another")
            return outcome
        started = time.monotonic()
        ctx = JobContext(self.store, self.settings, datetime.now(UTC), self.stop, lease.lost)
        log.info("%s: started", name)
        try:
            outcome = Outcome(name, "done", report=dict(job.run(ctx)))
        except Interrupted as exc:
            outcome = Outcome(name, "interrupted", error=str(exc) or None)
        except Exception as exc:  # one job's failure must not stop the others
            log.debug("%s failed", name, exc_info=True)
            outcome = Outcome(name, "failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            lease.release()
        outcome.seconds = time.monotonic() - started
        (log.info if outcome.status == "done" else log.warning)("%s", outcome.line())
        self._remember(outcome, ctx.now)
        return outcome

    def run_chain(self, name: str) -> list[Outcome]:
        """Run a job, then the jobs that follow it when it succeeded (what a schedule fires)."""
        outcomes = [self.run(name)]
        if outcomes[0].status == "done":
            for follower in self.job(name).then:
                if self.stop.is_set():
                    break
                outcomes.append(self.run(follower))
        return outcomes

    def _remember(self, outcome: Outcome, started: datetime) -> None:
        try:
            record = {**asdict(outcome), "started": started.isoformat()}
            self.store.state.set_state(state_key(outcome.job), json.dumps(record, default=str))
        except Exception:
            log.warning("%s: could not record the run", outcome.job, exc_info=True)

    def last(self, name: str) -> dict[str, Any] | None:
        text = self.store.state.get_state(state_key(name))
        return json.loads(text) if text else None

    def held(self) -> dict[str, JobLock]:
        return {lk.name: lk for lk in self.store.job_locks.current(datetime.now(UTC))}

    def _missed(self, name: str, trigger, now: datetime) -> datetime | None:
        """The scheduled time that passed since the job last ran, if one did (the worker was
        down or restarting then): such a job runs at start instead of waiting a day."""
        last = self.last(name)
        if not last or not last.get("started"):
            return None  # never ran here: a new instance waits for the first scheduled time
        due = trigger.get_next_fire_time(None, datetime.fromisoformat(last["started"]))
        return due if due is not None and due <= now else None

    def serve(self, on_start=None) -> None:
        """Run the schedules until ``stop`` is set; then let the running jobs end and return.

        ``on_start(scheduler)`` is called once the scheduler runs (tests wait for it).
        Raises ``BadSchedule`` before starting anything when a setting is wrong.
        """
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        found = self.triggers()
        if not found:
            raise BadSchedule(NOTHING_ON)
        scheduler = BackgroundScheduler(
            timezone=time_zone(self.settings.worker_timezone),
            executors={"default": ThreadPoolExecutor(THREADS)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_SECONDS,
            },
        )
        now = datetime.now(UTC)
        for name, trigger in found.items():
            missed = self._missed(name, trigger, now)
            if missed:
                log.info("%s: missed its run at %s while no worker ran; running now", name,
                         missed.isoformat())  # fmt: skip
            scheduler.add_job(
                self.run_chain,
                trigger,
                args=[name],
                id=name,
                name=name,
                **({"next_run_time": now} if missed else {}),
            )
        scheduler.start()
        try:
            for job in scheduler.get_jobs():
                log.info("%s: next run %s", job.id, job.next_run_time.isoformat())
            if on_start is not None:
                on_start(scheduler)
            while not self.stop.wait(0.5):
                pass
            log.info("stopping: no new runs; waiting for running jobs to reach a safe point")
        finally:
            self.stop.set()
            scheduler.shutdown(wait=True)
        log.info("stopped")
