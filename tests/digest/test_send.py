"""Sending digests exactly once to a real SMTP server (aiosmtpd), on both backends."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from digest.conftest import paper
from paperboy.config import load_settings
from paperboy.core.digest.send import SUSPEND_AFTER, send_due
from paperboy.mail import Retry, SmtpMailer, parse_mail_url
from paperboy.models.delivery import EMPTY, IN_DOUBT, PERMANENT, SENT
from paperboy.models.subscription import CONFIRMED, SUSPENDED, Preferences
from paperboy.store import Store, open_store
from smtpserver import SmtpServer

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday, after everyone's 7:00 UTC send hour
FAST = Retry(retries=3, delay=0.001, max_delay=0.004)
PUBLIC = "https://papers.example.org"


def settings(server: SmtpServer | None = None, **more: str):
    env = {
        "PAPERBOY_PUBLIC_URL": PUBLIC,
        "PAPERBOY_SECRET_KEY": "digest-test-key-digest-test-key-1234",
        "PAPERBOY_MAIL_FROM": "Paperboy <digest@example.org>",
        **more,
    }
    if server is not None:
        env["PAPERBOY_SMTP_URL"] = server.url
    return load_settings(env)


def mailer(server: SmtpServer) -> SmtpMailer:
    return SmtpMailer(parse_mail_url(server.url), retry=FAST, timeout=5)


def subscribers(store: Store, n: int, *, searches=("speech recognition",), **prefs) -> list[str]:
    emails = [f"reader{i}@example.org" for i in range(n)]
    for email in emails:
        store.subscribers.add(
            email, Preferences(searches=searches, trending_count=0, **prefs), CONFIRMED, AT
        )
    return emails


def recipients(server: SmtpServer) -> Counter[str]:
    return Counter(r for m in server.received for r in m.rcpt_tos)


def test_due_digests_go_out_once_with_their_headers(store: Store, smtp_server) -> None:
    due = subscribers(store, 3)
    store.subscribers.add("later@example.org", Preferences(send_hour=20), CONFIRMED, AT)
    store.subscribers.add(
        "nothing@example.org", Preferences(searches=("quantum gravity",), trending_count=0),
        CONFIRMED, AT,
    )  # fmt: skip
    store.subscribers.add("pending@example.org", Preferences(), "pending", AT)
    report = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert report.as_json() == {"sent": 3, "empty": 1, "failed": 0, "in_doubt": 0}
    assert recipients(smtp_server) == Counter(due)
    msg = smtp_server.received[0].message
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{PUBLIC}/unsubscribe/one-click?token=" in msg["List-Unsubscribe"]
    assert "Speech recognition with tiny transformers" in msg.get_body(("plain",)).get_content()
    sub = store.subscribers.find("reader0@example.org")
    assert sub is not None
    assert store.deliveries.mailed([sub.id], AT.replace(year=2000))[sub.id] == {
        "2611.00001",
        "2611.00003",
    }
    assert store.deliveries.count(SENT) == 3 and store.deliveries.count(EMPTY) == 1
    again = send_due(store, settings(smtp_server), AT.replace(hour=15), mailer=mailer(smtp_server))
    assert again.as_json() == {"sent": 0, "empty": 0, "failed": 0, "in_doubt": 0}
    assert len(smtp_server.received) == 3
    [last, first] = store.deliveries.runs()
    assert (first.sent, first.empty, last.sent) == (3, 1, 0) and last.finished_at is not None


def test_a_server_that_drops_after_n_messages_still_gets_each_once(
    store: Store, smtp_server
) -> None:
    emails = subscribers(store, 7)
    smtp_server.handler.drop_after = 3
    report = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert report.sent == 7 and report.failed == report.in_doubt == 0
    assert recipients(smtp_server) == Counter(emails)
    assert smtp_server.handler.connections >= 2


def test_in_doubt_is_counted_listed_and_resent_only_when_asked(store: Store, smtp_server) -> None:
    emails = subscribers(store, 4)
    smtp_server.handler.swallow = {"reader1@example.org"}  # taken, then no reply
    first = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert (first.sent, first.in_doubt) == (3, 1)
    assert recipients(smtp_server) == Counter(emails)  # it did arrive, once
    smtp_server.handler.swallow = set()
    rerun = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert rerun.as_json() == {"sent": 0, "empty": 0, "failed": 0, "in_doubt": 1}
    [doubt] = store.deliveries.recent(IN_DOUBT)
    assert doubt.email == "reader1@example.org" and doubt.period == "2026-11-27"
    resent = send_due(
        store, settings(smtp_server), AT, mailer=mailer(smtp_server), resend_in_doubt=True
    )
    assert (resent.sent, resent.in_doubt) == (1, 0)
    copies = [m.message for m in smtp_server.received if m.rcpt_tos == ["reader1@example.org"]]
    assert len(copies) == 2 and copies[0]["Message-ID"] == copies[1]["Message-ID"]
    assert store.deliveries.count(IN_DOUBT) == 0


def test_temporary_failures_are_left_for_the_next_run(store: Store, smtp_server) -> None:
    emails = subscribers(store, 3)
    smtp_server.handler.fail_next = 1_000  # 451 to every message
    down = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert down.as_json() == {"sent": 0, "empty": 0, "failed": 3, "in_doubt": 0}
    smtp_server.handler.fail_next = 0
    up = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert up.sent == 3 and recipients(smtp_server) == Counter(emails)
    assert all(s.failures == 0 for s in store.subscribers.list())


def test_repeated_permanent_failures_suspend_the_address(store: Store, smtp_server) -> None:
    subscribers(store, 2)
    smtp_server.handler.reject = {"reader0@example.org"}
    days = [AT, AT.replace(day=30), AT.replace(month=12, day=1)]  # Fri, Mon, Tue
    for day in days[:SUSPEND_AFTER]:
        report = send_due(store, settings(smtp_server), day, mailer=mailer(smtp_server))
        assert report.failed == 1
    bad = store.subscribers.find("reader0@example.org")
    assert bad is not None and bad.status == SUSPENDED and bad.failures == SUSPEND_AFTER
    assert store.deliveries.count(PERMANENT) == SUSPEND_AFTER
    assert recipients(smtp_server) == Counter({"reader1@example.org": 1})  # once: nothing new


def test_two_concurrent_runs_never_both_send_one(store: Store, smtp_server) -> None:
    emails = subscribers(store, 30)
    other = open_store(store.url)
    reports = []

    def run(s: Store) -> None:
        reports.append(send_due(s, settings(smtp_server), AT, mailer=mailer(smtp_server)))

    try:
        threads = [threading.Thread(target=run, args=(s,)) for s in (store, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    assert sum(r.sent for r in reports) == 30 and all(r.failed == 0 for r in reports)
    assert recipients(smtp_server) == Counter(emails)


def test_a_dry_run_writes_files_and_records_nothing(
    store: Store, smtp_server, tmp_path: Path
) -> None:
    subscribers(store, 2)
    report = send_due(store, settings(smtp_server), AT, dry_run=tmp_path / "dry")
    assert report.sent == 2 and len(list((tmp_path / "dry").glob("*.eml"))) == 2
    assert store.deliveries.count() == 0 and not smtp_server.received
    assert send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server)).sent == 2


def test_several_connections_share_the_run_and_each_digest_goes_once(
    store: Store, smtp_server
) -> None:
    emails = subscribers(store, 20)
    report = send_due(store, settings(smtp_server), AT, connections=3)
    assert report.sent == 20 and recipients(smtp_server) == Counter(emails)
    assert len({m.connection for m in smtp_server.received}) == 3


def test_worker_processes_split_the_subscribers_and_send_each_once(
    store: Store, smtp_server
) -> None:
    from paperboy.core.digest.send import send_due_parallel

    emails = subscribers(store, 12)
    report = send_due_parallel(store.url, settings(smtp_server), AT, workers=3, connections=1)
    assert report.as_json() == {"sent": 12, "empty": 0, "failed": 0, "in_doubt": 0}
    assert recipients(smtp_server) == Counter(emails)
    assert len(store.deliveries.runs()) == 3


def test_a_digest_in_doubt_is_not_mailed_again_inside_the_next_one(
    store: Store, smtp_server
) -> None:
    """In doubt means "maybe delivered": like the message, its papers are not sent again by
    default, so the next digest starts where the in-doubt one ended."""
    subscribers(store, 2)
    thursday, friday = AT.replace(day=26), AT
    monday = AT.replace(day=30)
    send_due(store, settings(smtp_server), thursday, mailer=mailer(smtp_server))
    smtp_server.handler.swallow = {"reader1@example.org"}
    assert send_due(store, settings(smtp_server), friday, mailer=mailer(smtp_server)).in_doubt == 1
    smtp_server.handler.swallow = set()
    store.papers.upsert_papers(
        [paper("2611.00007", "Speech recognition on Mondays", day=monday.date())]
    )
    send_due(store, settings(smtp_server), monday, mailer=mailer(smtp_server))
    [last] = [m.message for m in smtp_server.received if m.rcpt_tos == ["reader1@example.org"]][-1:]
    text = last.get_body(("plain",)).get_content()
    assert "Speech recognition on Mondays" in text
    assert "tiny transformers" not in text and "noisy rooms" not in text
    resent = send_due(
        store, settings(smtp_server), friday, mailer=mailer(smtp_server), resend_in_doubt=True
    )
    assert resent.sent == 1  # asked for: the Friday digest itself, with Friday's papers
    copy = smtp_server.received[-1].message.get_body(("plain",)).get_content()
    assert "tiny transformers" in copy and "Mondays" not in copy


def test_resend_in_doubt_on_a_later_day_resends_the_older_digest(store: Store, smtp_server) -> None:
    """``digest status`` lists an in-doubt digest until someone acts, often the next day:
    ``--resend-in-doubt`` then still sends that digest (its own period and papers)."""
    subscribers(store, 2)
    smtp_server.handler.swallow = {"reader1@example.org"}
    assert send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server)).in_doubt == 1
    smtp_server.handler.swallow = set()
    monday = AT.replace(day=30)
    store.papers.upsert_papers(
        [paper("2611.00007", "Speech recognition on Mondays", day=monday.date())]
    )
    report = send_due(
        store, settings(smtp_server), monday, mailer=mailer(smtp_server), resend_in_doubt=True
    )
    assert report.sent == 3 and report.in_doubt == 0  # two Monday digests and the resend
    mine = [m.message for m in smtp_server.received if m.rcpt_tos == ["reader1@example.org"]]
    ids = [str(m["Message-ID"]) for m in mine]
    assert len(mine) == 3 and ids.count(ids[0]) == 2  # Friday's twice (same id), Monday's once
    assert store.deliveries.count(IN_DOUBT) == 0
    again = send_due(
        store, settings(smtp_server), monday, mailer=mailer(smtp_server), resend_in_doubt=True
    )
    assert again.sent == 0 and len(smtp_server.received) == 5


def test_a_refused_sender_is_the_instance_s_fault_and_suspends_nobody(
    store: Store, smtp_server
) -> None:
    """A 5xx to MAIL FROM (a misconfigured PAPERBOY_MAIL_FROM) says nothing about the
    subscribers: no address is counted as failing, and the digests wait for the next run."""
    emails = subscribers(store, 3)
    smtp_server.handler.sender_reply = "553 5.7.1 Sender address rejected: not owned by user"
    days = [AT, AT.replace(day=30), AT.replace(month=12, day=1)]  # Fri, Mon, Tue
    for day in days:
        report = send_due(store, settings(smtp_server), day, mailer=mailer(smtp_server))
        assert report.sent == 0 and report.failed == 3
    assert all(s.status == CONFIRMED and s.failures == 0 for s in store.subscribers.list())
    assert store.deliveries.count(PERMANENT) == 0
    smtp_server.handler.sender_reply = None
    fixed = send_due(store, settings(smtp_server), days[-1], mailer=mailer(smtp_server))
    assert fixed.sent == 3 and recipients(smtp_server) == Counter(emails)


def test_a_failing_personal_model_costs_its_section_not_the_run(store: Store, smtp_server) -> None:
    """Personal picks are the one per-person model in a digest: if it fails for one reader,
    that digest goes without its picks, and every other digest still goes."""
    user, _ = store.users.get_or_create("ada@example.org")
    emails = subscribers(store, 3, more_like_mine=True)
    store.subscribers.link_user(store.subscribers.find(emails[1]).id, user.id)  # type: ignore[union-attr]

    def picks(_store: Store, sub, candidates, at):
        raise RuntimeError("the model broke")

    report = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server), picks=picks)
    assert report.sent == 3 and recipients(smtp_server) == Counter(emails)


def test_a_run_beats_while_it_only_builds(store: Store, smtp_server, monkeypatch) -> None:
    """A run that builds for a long while without sending (many empty digests, a slow
    model) still beats, so a concurrent run never takes its live claims for a dead run's."""
    import paperboy.core.digest.send as send_module

    subscribers(store, 4, searches=("quantum gravity",))  # all empty
    monkeypatch.setattr(send_module, "BEAT_EVERY", 0.0)
    beats: list[int] = []
    real = store.deliveries.beat
    monkeypatch.setattr(
        store.deliveries, "beat", lambda rid, now: (beats.append(rid), real(rid, now))
    )
    report = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert report.empty == 4 and len(beats) >= 4


def test_the_worker_s_digest_job_stops_between_messages_on_sigterm(
    store: Store, smtp_server
) -> None:
    """SIGTERM sets the worker's stop event: the digest job stops at the next message (a safe
    point: nothing claimed and unsent), and the next run sends the rest, each once."""
    from paperboy.worker.jobs import Interrupted, JobContext, digest

    emails = subscribers(store, 6)

    class StopAfterFirst(threading.Event):
        def is_set(self) -> bool:
            return bool(smtp_server.received)

    ctx = JobContext(store, settings(smtp_server), AT, StopAfterFirst())
    try:
        digest(ctx)
    except Interrupted:
        pass
    else:
        raise AssertionError("the job ran to the end after stop was set")
    assert 1 <= len(smtp_server.received) < len(emails)
    assert store.deliveries.count(IN_DOUBT) == 0 and store.deliveries.count("claimed") == 0
    report = send_due(store, settings(smtp_server), AT, mailer=mailer(smtp_server))
    assert report.in_doubt == 0 and recipients(smtp_server) == Counter(emails)
