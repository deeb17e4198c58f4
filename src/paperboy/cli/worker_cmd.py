"""`paperboy worker`: run the scheduled jobs until SIGTERM, or `--once JOB` now and exit."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from paperboy.cli.app import Context, err, fail, print_json
from paperboy.config import redact_url

if TYPE_CHECKING:
    from paperboy.worker.runner import Worker


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def _log_what_it_does() -> None:
    """Jobs log at INFO; a log file or journal (not a terminal) gets times and levels too."""
    logging.getLogger("paperboy").setLevel(logging.INFO)
    if not err.is_terminal:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd, docker stop) and Ctrl-C ask the jobs to stop at a safe point; a
    second signal ends the process at once (safe too: every job resumes after a crash).
    The previous handlers come back afterwards (the command may run inside a test)."""
    signals = (signal.SIGTERM, signal.SIGINT)
    before = {sig: signal.getsignal(sig) for sig in signals}

    def handler(signum: int, _frame: object) -> None:
        stop.set()
        for sig in signals:
            signal.signal(sig, signal.SIG_DFL)
        logging.getLogger("paperboy.worker").info(
            "%s: stopping after the current step", signal.Signals(signum).name
        )

    for sig in signals:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, previous in before.items():
            signal.signal(sig, previous)


def worker(
    ctx: typer.Context,
    once: Annotated[
        list[str] | None,
        typer.Option(
            "--once",
            help="Run this job now and exit (repeatable, in order): ingest, hf, embed, "
            "trending or digest.",
        ),
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="Show each job's schedule, next and last run.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --once or --list: JSON.")] = False,
) -> None:
    """Run ingest, embedding, trending and digests on their schedules (PAPERBOY_SCHEDULE_*)."""
    from paperboy.worker.runner import NOTHING_ON, Worker
    from paperboy.worker.schedule import BadSchedule

    c: Context = ctx.obj
    _log_what_it_does()
    stop = threading.Event()
    with c.store() as store:
        w = Worker(store, c.settings, stop=stop)
        try:
            for name in once or []:
                w.job(name)
            if list_:
                _list(w, as_json)
                return
            if not once and not w.triggers():  # a bad schedule fails here, variable named
                raise BadSchedule(NOTHING_ON)
        except (ValueError, BadSchedule) as exc:
            fail(str(exc))
        if once:
            with _stop_on_signals(stop):
                outcomes = [w.run(name) for name in once]
            if as_json:
                print_json([asdict(o) for o in outcomes])
            bad = [o for o in outcomes if o.status in ("failed", "skipped")]
            if bad:
                fail("; ".join(o.line() for o in bad))
            return
        err.print(
            f"paperboy worker: {redact_url(store.url)} in {c.settings.worker_timezone};"
            " SIGTERM or Ctrl-C stops it",
            markup=False,
            highlight=False,
        )
        with _stop_on_signals(stop):
            w.serve()


def _list(w: Worker, as_json: bool) -> None:
    found = w.triggers()
    held = w.held()
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    schedules = w.schedules()
    for job in w.jobs.values():
        trigger = found.get(job.name)
        setting, schedule = schedules[job.name]
        upcoming = trigger.get_next_fire_time(None, now) if trigger else None
        last = w.last(job.name) or {}
        rows.append(
            {
                "job": job.name,
                "schedule": schedule,
                "setting": setting,
                "then": list(job.then),
                "next": upcoming.isoformat() if upcoming else None,
                "last": {k: last.get(k) for k in ("started", "status", "report", "error")}
                if last
                else None,
                "running_in": held[job.name].holder if job.name in held else None,
            }
        )
    if as_json:
        print_json(rows)
        return
    for r in rows:
        ran = r["last"]
        err.print(
            f"{r['job']:<9} {r['schedule']:<16} next {r['next'] or '-'}"
            + (f"; then {', '.join(r['then'])}" if r["then"] else "")
            + (f"; last {ran['status']} at {ran['started']}" if ran else "")
            + (f"; running in {r['running_in']}" if r["running_in"] else ""),
            markup=False,
            highlight=False,
        )
