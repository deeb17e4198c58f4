"""Send every digest due at a moment, each exactly once, through the delivery log.

For each due (subscriber, period) the run builds and renders the digest, then claims the
log row (an atomic ``INSERT … ON CONFLICT``) just before the SMTP transaction: the mailer
pulls one message at a time and reports each outcome before pulling the next, so the claim
and the "sent" record (status and mailed papers, one transaction) bracket exactly one
transaction on each connection. Therefore:

- a rerun after a crash, ``kill -9`` or an SMTP outage skips what is recorded as sent and
  sends the rest; two concurrent runs never both win a claim;
- a row left claimed by a run that is gone (its process is dead, it finished, or it stopped
  beating) is *in doubt*: the server may have taken the message. There is at most one per open
  connection. It is not resent unless asked (``resend_in_doubt``), and keeps the same
  Message-ID when it is, so a client holding the first copy can drop the second;
- temporary failures (4xx, no server) are retried by the mailer, then left for the next run;
  permanent ones (5xx) are recorded and count towards suspending the address.

Empty digests are not sent; their period is settled as ``empty`` so later runs that day skip
them quickly.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from paperboy.core.accounts import instance_secret
from paperboy.core.digest.build import MAILED_LOOKBACK, DigestBuilder, Picks
from paperboy.core.digest.period import due_period, window
from paperboy.core.digest.picks import account_picks
from paperboy.core.subscriber_links import subscriber_links
from paperboy.mail.compose import Composer
from paperboy.mail.digest import render_digest
from paperboy.mail.send import Delivery, FileMailer, Mailer, Status
from paperboy.models.delivery import (
    EMPTY,
    IN_DOUBT,
    PERMANENT,
    TEMPORARY,
    DigestRun,
)
from paperboy.models.digest import Digest
from paperboy.models.subscription import Subscriber
from paperboy.store import Store

log = logging.getLogger(__name__)

SUSPEND_AFTER = 3  # permanent failures in a row before an address is suspended
STALE_AFTER = timedelta(minutes=10)  # a run that has not beaten for this long is gone
BEAT_EVERY = 30.0  # seconds between a run's heartbeats
BATCH = 500  # subscribers read (and their log rows looked up) at a time
RESEND_MOST = 10_000  # in-doubt digests of earlier periods one resend looks at
CONNECTIONS = 2  # SMTP connections at once: one renders while the other waits on the server


@dataclass
class SendReport:
    sent: int = 0
    empty: int = 0
    failed: int = 0
    in_doubt: int = 0

    def as_json(self) -> dict[str, int]:
        """Exactly ``{"sent", "empty", "failed", "in_doubt"}``."""
        return asdict(self)


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_is_gone(run: DigestRun | None, now: datetime) -> bool:
    """Whether the run that claimed a delivery can no longer complete it."""
    if run is None or run.finished_at is not None or now - run.beat_at > STALE_AFTER:
        return True
    host, _, pid = run.holder.rpartition(":")
    if host != holder().rpartition(":")[0] or not pid.isdigit():
        return False  # another machine's run: only its heartbeat can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def settle_orphans(store: Store, now: datetime) -> int:
    """Mark in doubt every delivery claimed by a run that is gone; how many."""
    settled = 0
    for rec, run in store.deliveries.claimed():
        if run_is_gone(run, now) and store.deliveries.finish(
            rec.id, IN_DOUBT, "the run that sent it stopped before recording the outcome", now
        ):
            log.warning("digest %s for subscriber %d is in doubt", rec.period, rec.subscriber_id)
            settled += 1
    return settled


@dataclass
class _Job:
    delivery_id: int | None
    digest: Digest


class _Run:
    """One ``send_due`` call: the generator the mailer pulls and the callback it reports to."""

    def __init__(
        self,
        store: Store,
        composer: Composer,
        secret: bytes,
        builder: DigestBuilder,
        at: datetime,
        run_id: int | None,
        resend_in_doubt: bool,
        progress: Callable[[int], None] | None,
        shard: tuple[int, int] | None = None,
    ) -> None:
        self.store = store
        self.composer = composer
        self.secret = secret
        self.builder = builder
        self.at = at
        self.run_id = run_id  # None: a dry run, which writes nothing to the log
        self.retake = (TEMPORARY, IN_DOUBT) if resend_in_doubt else (TEMPORARY,)
        self.progress = progress or (lambda n: None)
        self.report = SendReport()
        self.jobs: dict[str, _Job] = {}
        self.last_beat = time.monotonic()
        self.lock = threading.Lock()  # on_delivery runs on every connection's thread
        self.shard = shard  # (i, n): only subscribers whose id % n == i

    def _mine(self, subscriber_id: int) -> bool:
        """Whether this process's shard holds the subscriber (always, unsharded)."""
        return self.shard is None or subscriber_id % self.shard[1] == self.shard[0]

    def _batches(self) -> Iterator[list[tuple[Subscriber, str]]]:
        batch: list[tuple[Subscriber, str]] = []
        for sub in self.store.subscribers.iter_confirmed(BATCH):
            if not self._mine(sub.id):
                continue
            period = due_period(sub.prefs, self.at)
            if period is None:
                self.progress(1)
                continue
            batch.append((sub, period))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def messages(self) -> Iterator[EmailMessage]:
        deliveries = self.store.deliveries
        for batch in self._batches():
            ids = [s.id for s, _ in batch]
            rows = deliveries.for_periods(ids, {p for _, p in batch})
            previous = deliveries.last_until(ids)
            windows = {
                s.id: window(s.prefs, self.at, self.builder.newest_day, previous.get(s.id))
                for s, _ in batch
            }
            oldest = min(since for since, _ in windows.values())
            mailed = deliveries.mailed(ids, oldest - MAILED_LOOKBACK)
            for sub, period in batch:
                self.progress(1)
                self._beat()
                row = rows.get((sub.id, period))
                if row is not None and row.status not in self.retake:
                    if row.status == IN_DOUBT:
                        self._count("in_doubt")
                    continue  # done, or another run is sending it now
                since, until = windows[sub.id]
                if row is not None:  # taken again: the window it was claimed for, not after it
                    since = min(row.since, until)
                digest = self.builder.build(sub, period, since, until, mailed.get(sub.id, ()))
                if digest.empty:
                    if self.run_id is None or deliveries.claim(
                        sub.id, period, self.run_id, since, until, _now(), status=EMPTY
                    ):
                        self._count("empty")
                    continue
                msg = self._claimed(digest, since, until, self.retake)
                if msg is not None:  # None: another run took it between the lookup and now
                    yield msg  # the mailer sends it before asking for the next one
        if IN_DOUBT in self.retake:
            yield from self._older_in_doubt()

    def _older_in_doubt(self) -> Iterator[EmailMessage]:
        """Asked to resend: the in-doubt digests of earlier periods too (``digest status``
        lists them until someone acts, often a day later), each over its own window."""
        deliveries = self.store.deliveries
        for rec in deliveries.recent(IN_DOUBT, limit=RESEND_MOST):
            if not self._mine(rec.subscriber_id):
                continue
            sub = self.store.subscribers.get(rec.subscriber_id)
            if sub is None or not sub.active or rec.period == due_period(sub.prefs, self.at):
                continue  # gone, stopped, or already handled with this run's due digests
            mailed = deliveries.mailed([sub.id], rec.since - MAILED_LOOKBACK).get(sub.id, ())
            digest = self.builder.build(sub, rec.period, rec.since, rec.until, mailed)
            if digest.empty:
                continue
            msg = self._claimed(digest, rec.since, rec.until, (IN_DOUBT,))
            if msg is not None:
                yield msg

    def _claimed(
        self, digest: Digest, since: datetime, until: datetime, retake: tuple[str, ...]
    ) -> EmailMessage | None:
        """``digest`` rendered and its delivery claimed for this run (a dry run claims
        nothing); None when another run holds the claim."""
        now = _now()
        links = subscriber_links(self.composer, self.secret, digest.subscriber, now)
        msg = render_digest(self.composer, digest, links, now)
        delivery_id = None
        if self.run_id is not None:
            delivery_id = self.store.deliveries.claim(
                digest.subscriber.id, digest.period, self.run_id, since, until, now, retake=retake
            )
            if delivery_id is None:
                return None
        self.jobs[str(msg["Message-ID"])] = _Job(delivery_id, digest)
        return msg

    def _count(self, field: str) -> None:
        with self.lock:
            setattr(self.report, field, getattr(self.report, field) + 1)

    def on_delivery(self, msg: EmailMessage, delivery: Delivery) -> None:
        with self.lock:
            self._record(msg, delivery)

    def _record(self, msg: EmailMessage, delivery: Delivery) -> None:
        job = self.jobs.pop(str(msg["Message-ID"]))
        sub, did, now = job.digest.subscriber, job.delivery_id, _now()
        deliveries = self.store.deliveries
        if delivery.status is Status.SENT:
            if did is not None:
                deliveries.complete(did, delivery.message_id, job.digest.paper_ids, now)
                if sub.failures:
                    self.store.subscribers.clear_failures(sub.id)
            self.report.sent += 1
        elif delivery.status is Status.IN_DOUBT:
            if did is not None:
                deliveries.finish(did, IN_DOUBT, delivery.detail, now)
            self.report.in_doubt += 1
        else:
            self.report.failed += 1
            if did is not None:
                status = PERMANENT if delivery.status is Status.PERMANENT else TEMPORARY
                deliveries.finish(did, status, f"{delivery.code or ''} {delivery.detail}", now)
                if status == PERMANENT:
                    self.store.subscribers.record_failure(sub.id, now, SUSPEND_AFTER)
        self._beat()

    def _beat(self) -> None:
        """Tell concurrent runs this one is alive (``run_is_gone``), at most every
        ``BEAT_EVERY`` seconds: while it sends and while it only builds."""
        if self.run_id is not None and time.monotonic() - self.last_beat >= BEAT_EVERY:
            self.last_beat = time.monotonic()
            self.store.deliveries.beat(self.run_id, _now())


def _now() -> datetime:
    return datetime.now(UTC)


def _pump(run: _Run, mailers: list[Mailer]) -> None:
    """Send ``run``'s messages over every mailer at once, each on its own thread and
    connection, pulling from the one generator (claims stay one at a time per connection)."""
    source = run.messages()
    if len(mailers) == 1:
        mailers[0].send(source, on_delivery=run.on_delivery)
        return
    lock = threading.Lock()
    errors: list[BaseException] = []

    def pulled() -> Iterator[EmailMessage]:
        while True:
            with lock:
                msg = next(source, None)
            if msg is None:
                return
            yield msg

    def work(mailer: Mailer) -> None:
        try:
            mailer.send(pulled(), on_delivery=run.on_delivery)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(m,), daemon=True) for m in mailers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def send_due(
    store: Store,
    settings: Any,
    at: datetime | None = None,
    *,
    dry_run: Path | None = None,
    resend_in_doubt: bool = False,
    picks: Picks | None = account_picks,
    mailer: Mailer | None = None,
    connections: int = CONNECTIONS,
    builder: DigestBuilder | None = None,
    progress: Callable[[int], None] | None = None,
    shard: tuple[int, int] | None = None,
) -> SendReport:
    """Send every digest due at ``at`` (default: now) to confirmed subscribers, once.

    ``dry_run``: write the mails as .eml files into that folder instead, and record nothing
    (a later real run still sends them). ``resend_in_doubt``: send again the digests whose
    delivery is in doubt. ``progress(n)`` is told of every subscriber looked at;
    ``connections`` configured mailers send at once (each can leave one delivery in doubt);
    ``mailer`` (one connection) and ``builder`` (made for ``at``) replace the configured ones.
    ``shard=(i, n)``: only subscribers whose id is i modulo n (see ``send_due_parallel``)."""
    moment = at or _now()
    if moment.tzinfo is None:
        raise ValueError("at: give a moment with a time zone (UTC if unsure)")
    composer = Composer.from_settings(settings)
    secret = instance_secret(store, settings)
    builder = builder or DigestBuilder(store, moment, picks=picks)
    if dry_run is not None:
        run = _Run(store, composer, secret, builder, moment, None, resend_in_doubt, progress, shard)
        _pump(run, [FileMailer(Path(dry_run))])
        return run.report
    settle_orphans(store, _now())
    record = store.deliveries.start_run(holder(), moment, False, _now())
    run = _Run(
        store, composer, secret, builder, moment, record.id, resend_in_doubt, progress, shard
    )
    try:
        count = max(1, connections)
        _pump(run, [mailer] if mailer else [Mailer.from_settings(settings) for _ in range(count)])
    finally:
        r = run.report
        store.deliveries.finish_run(record.id, _now(), r.sent, r.empty, r.failed, r.in_doubt)
    log.info("digests at %s: %s", moment.isoformat(), r.as_json())
    return run.report


def send_due_parallel(
    url: str,
    settings: Any,
    at: datetime | None = None,
    *,
    workers: int = 2,
    dry_run: Path | None = None,
    resend_in_doubt: bool = False,
    connections: int = CONNECTIONS,
    picks: Picks | None = account_picks,
    progress: Callable[[int], None] | None = None,
) -> SendReport:
    """``send_due`` in ``workers`` processes, each over its share of the subscribers (by id)
    and its own connections, for machines where one process's rendering is the bottleneck.
    Exactly once still rests on the log: the shards never overlap, and even if they did
    only one claim would win. ``picks`` must be a module-level function (it is pickled).
    One worker is ``send_due`` on an open store, which the CLI calls itself."""
    moment = at or _now()
    if moment.tzinfo is None:
        raise ValueError("at: give a moment with a time zone (UTC if unsure)")
    ctx = multiprocessing.get_context("spawn")  # no forked SQLite or PostgreSQL connections
    done = ctx.Value("q", 0)
    results = ctx.Queue()
    jobs = [
        ctx.Process(
            target=_shard_main,
            args=(
                url,
                dict(settings.values),
                moment,
                (i, workers),
                dry_run,
                resend_in_doubt,
                connections,
                picks,
                done,
                results,
            ),
            daemon=True,
        )  # fmt: skip
        for i in range(workers)
    ]
    for job in jobs:
        job.start()
    reports: list[dict] = []
    seen = 0
    while len(reports) < workers:
        try:
            reports.append(results.get(timeout=0.2))
        except Exception:  # noqa: BLE001 - queue.Empty: report progress, check the workers
            if not any(j.is_alive() for j in jobs) and results.empty():
                break
        if progress is not None and done.value > seen:
            progress(done.value - seen)
            seen = done.value
    for job in jobs:
        job.join()
    errors = [r["error"] for r in reports if "error" in r]
    if errors or len(reports) < workers:
        raise RuntimeError(f"a digest worker failed: {errors[0] if errors else 'it died'}")
    total = SendReport()
    for r in reports:
        total.sent += r["sent"]
        total.empty += r["empty"]
        total.failed += r["failed"]
        total.in_doubt += r["in_doubt"]
    return total


def _shard_main(
    url: str,
    values: dict,
    at: datetime,
    shard: tuple[int, int],
    dry_run: Path | None,
    resend_in_doubt: bool,
    connections: int,
    picks: Picks | None,
    done: Any,
    results: Any,
) -> None:
    from paperboy.config import Settings
    from paperboy.store import open_store

    def tick(n: int) -> None:
        with done.get_lock():
            done.value += n

    try:
        with open_store(url) as store:
            report = send_due(
                store, Settings(values), at, dry_run=dry_run, resend_in_doubt=resend_in_doubt,
                connections=connections, picks=picks, progress=tick, shard=shard,
            )  # fmt: skip
        results.put(report.as_json())
    except BaseException as exc:  # noqa: BLE001 - told to the parent, which raises
        results.put({"error": f"{type(exc).__name__}: {exc}"})
