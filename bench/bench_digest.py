"""Build and send 10,000 digests over a day's 2,000 new papers to a local SMTP server.

Setup (not timed): the newest 12,000 papers of the shared arXiv cs file go into a fresh
SQLite file; the newest 2,000 of them are listed on one day (2026-07-02), the rest stay on
their own earlier days, so saved searches run against a real index. 10,000 confirmed
subscribers each save 3 searches drawn (Zipf-like) from the 400 most common title bigrams,
with the default 10 trending papers (some papers get votes first); a tenth narrow to a few
categories. The SMTP server is aiosmtpd in its own process (a sink that counts).

Timed: ``send_due`` at 2026-07-02 09:00 UTC, the real path (build, render, claim, SMTP,
complete), then, over the same number of connections to the same server, the in-run
baseline: 10,000 fixed messages (one composed login mail, re-addressed) through the same
``SmtpMailer``. Prints the total, and per digest the build, render, SMTP and log times.

    .venv/bin/python bench/bench_digest.py [--subscribers 10000] [--papers 12000] [--db URL]
"""

from __future__ import annotations

import argparse
import collections
import copy
import cProfile
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ARXIV_CS, free_port, load_jsonl, print_table, require, timer  # noqa: E402
from paperboy.config import load_settings  # noqa: E402
from paperboy.core import trending  # noqa: E402
from paperboy.core.digest import send as send_mod  # noqa: E402
from paperboy.core.digest.build import DigestBuilder  # noqa: E402
from paperboy.core.digest.period import window  # noqa: E402
from paperboy.core.digest.send import CONNECTIONS, send_due, send_due_parallel  # noqa: E402
from paperboy.core.subscriber_links import subscriber_links  # noqa: E402
from paperboy.core.trending import newest_listing_day  # noqa: E402
from paperboy.mail import Composer, Retry, SmtpMailer, parse_mail_url  # noqa: E402
from paperboy.mail.digest import render_digest  # noqa: E402
from paperboy.models.delivery import SENT  # noqa: E402
from paperboy.models.paper import Paper  # noqa: E402
from paperboy.models.subscription import CONFIRMED, Preferences  # noqa: E402
from paperboy.search.query import STOPWORDS  # noqa: E402
from paperboy.store import open_store  # noqa: E402

DAY = date(2026, 7, 2)  # a Thursday after the corpus's last listing day
AT = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
NEW = 2_000
QUERIES = 400

SERVER = r"""
import sys, threading
from aiosmtpd.controller import Controller
class Sink:
    count = 0
    lock = threading.Lock()
    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            Sink.count += 1
        return "250 2.0.0 Accepted"
import time
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
for line in sys.stdin:  # "cpu": the server's CPU seconds so far
    print(time.process_time(), flush=True)
c.stop()
print(Sink.count, flush=True)
"""


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _sender_cpu() -> float:
    """CPU seconds of this process and of the worker processes it has joined."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def server_cpu(proc: subprocess.Popen) -> float:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("cpu\n")
    proc.stdin.flush()
    return float(proc.stdout.readline())


def stop_server(proc: subprocess.Popen) -> int:
    out, _ = proc.communicate("", timeout=60)
    return int(out.split()[-1])


def papers(limit: int) -> list[Paper]:
    records = load_jsonl(require(ARXIV_CS))
    records.sort(key=lambda r: (r["listing_date"], r["id"]))
    records = records[-limit:]
    out = []
    for i, r in enumerate(records):
        listed = DAY if i >= len(records) - NEW else date.fromisoformat(r["listing_date"])
        out.append(
            Paper(
                id=r["id"], title=r["title"], abstract=r.get("summary") or "",
                authors=r.get("authors") or [], categories=r.get("categories") or [],
                published=listed, listing_date=listed, comment=r.get("comment"),
            )
        )  # fmt: skip
    return out


def saved_queries(corpus: list[Paper]) -> list[str]:
    """The most common content-word bigrams of titles: what people would save."""
    counts: collections.Counter[str] = collections.Counter()
    for p in corpus:
        words = [w for w in re.findall(r"[a-z][a-z-]+", p.title.lower()) if w not in STOPWORDS]
        counts.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return [q for q, _ in counts.most_common(QUERIES)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=12_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="per worker")
    parser.add_argument("--workers", type=int, default=1, help="sending processes")
    parser.add_argument("--profile", help="write a cProfile of the digest run to this file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-digest-"))
    store = open_store(args.db or f"sqlite:///{tmp / 'digest.db'}")
    rng = random.Random(11)

    with timer() as setup:
        corpus = papers(args.papers)
        for i in range(0, len(corpus), 5_000):
            store.papers.upsert_papers(corpus[i : i + 5_000])
        new_ids = [p.id for p in corpus[-NEW:]]
        for u in range(60):  # some votes, so the trending section has something to rank
            user, _ = store.users.get_or_create(f"voter{u}@example.org")
            for pid in rng.sample(new_ids[:300], 5):
                store.votes.vote(user.id, pid)
        trending.refresh(store, AT)
        queries = saved_queries(corpus)
        weights = [1 / (rank + 1) for rank in range(len(queries))]
        cats = ["cs.CL", "cs.CV", "cs.LG", "cs.AI", "cs.RO", "stat.ML"]
        for n in range(args.subscribers):
            picked: list[str] = []
            while len(picked) < 3:
                q = rng.choices(queries, weights)[0]
                if q not in picked:
                    picked.append(q)
            prefs = Preferences(
                searches=tuple(picked),
                categories=tuple(rng.sample(cats, 2)) if n % 10 == 0 else (),
                send_hour=rng.randrange(0, 9),
            )
            store.subscribers.add(f"reader{n}@example.org", prefs, CONFIRMED, AT)
    distinct = len({q for s in store.subscribers.list(limit=10**9) for q in s.prefs.searches})

    port = free_port()
    server = start_server(port)
    settings = load_settings(
        {
            "PAPERBOY_SMTP_URL": f"smtp://127.0.0.1:{port}",
            "PAPERBOY_PUBLIC_URL": "https://papers.example.org",
            "PAPERBOY_SECRET_KEY": "bench-key-bench-key-bench-key-0123",
            "PAPERBOY_MAIL_FROM": "Paperboy <digest@papers.example.org>",
        }
    )
    spent = collections.Counter()

    def timed(name, fn):  # noqa: ANN001, ANN202
        def wrapper(*a, **k):  # noqa: ANN002, ANN003, ANN202
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - start
                spent[name + " cpu"] += time.thread_time() - cpu

        return wrapper

    # The baseline's message: the first subscriber's digest, rendered before the run.
    sample = next(store.subscribers.iter_confirmed(1))
    since, until = window(sample.prefs, AT, newest_listing_day(store), None)
    composer = Composer.from_settings(settings)
    links = subscriber_links(composer, b"k" * 32, sample, AT)
    fixed = render_digest(
        composer, DigestBuilder(store, AT).build(sample, "x", since, until), links
    )

    builder = DigestBuilder(store, AT)
    builder.build = timed("build", builder.build)  # type: ignore[method-assign]
    send_mod.render_digest = timed("render", send_mod.render_digest)  # type: ignore[assignment]
    deliver = SmtpMailer._deliver
    SmtpMailer._deliver = timed("smtp", deliver)  # type: ignore[method-assign]
    cpu0, server0 = _sender_cpu(), server_cpu(server)
    profile = cProfile.Profile() if args.profile else None
    with timer() as run:
        if args.workers > 1:
            report = send_due_parallel(
                store.url, settings, AT, workers=args.workers, connections=args.connections
            )
        else:
            if profile:
                profile.enable()
            report = send_due(store, settings, AT, builder=builder, connections=args.connections)
            if profile:
                profile.disable()
                profile.dump_stats(args.profile)
    SmtpMailer._deliver = deliver  # type: ignore[method-assign]
    cpu1, server1 = _sender_cpu(), server_cpu(server)
    sent_rows = store.deliveries.count(SENT)

    # The baseline: that digest, re-addressed, over as many connections.
    connections = args.connections * args.workers
    size = len(fixed.as_bytes())
    lock = threading.Lock()
    numbers = iter(range(report.sent))

    def fixed_messages():  # noqa: ANN202
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            msg = copy.copy(fixed)
            msg.replace_header("To", f"reader{n}@example.org")
            yield msg

    mailers = [
        SmtpMailer(parse_mail_url(settings.smtp_url), retry=Retry()) for _ in range(connections)
    ]
    threads = [threading.Thread(target=m.send, args=(fixed_messages(),)) for m in mailers]
    with timer() as base:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    cpu2, server2 = _sender_cpu(), server_cpu(server)
    received = stop_server(server)
    store.close()

    n = max(report.sent, 1)
    print(
        f"{args.subscribers:,} subscribers, {distinct} distinct saved searches, {NEW:,} new"
        f" papers on {DAY} among {len(corpus):,}; setup {setup.seconds:.1f} s (not timed)"
    )
    print(f"report {report.as_json()}; log rows sent {sent_rows:,}; server received {received:,}")
    print_table(
        "digest run vs fixed messages over the same connections",
        ["run", "messages", "wall s", "ms/message", "sender CPU ms/msg", "server CPU ms/msg"],
        [
            ["send_due (build + render + log + SMTP)", report.sent, round(run.seconds, 2),
             round(1000 * run.seconds / n, 3), round(1000 * (cpu1 - cpu0) / n, 3),
             round(1000 * (server1 - server0) / n, 3)],
            [f"baseline: one {size // 1000} kB digest re-addressed", report.sent,
             round(base.seconds, 2), round(1000 * base.seconds / n, 3),
             round(1000 * (cpu2 - cpu1) / n, 3), round(1000 * (server2 - server1) / n, 3)],
        ],
    )  # fmt: skip
    if args.workers == 1:  # the parts are timed in this process only
        print_table(
            "per digest",
            ["part", "wall ms/digest", "CPU ms/digest"],
            [
                [part, round(1000 * spent[key] / n, 3), round(1000 * spent[key + " cpu"] / n, 3)]
                for part, key in [
                    ("build (sections, shared searches)", "build"),
                    ("render (HTML + text, MIME)", "render"),
                    ("SMTP transaction (flatten, send, reply)", "smtp"),
                ]
            ]
            + [
                [
                    "all of send_due (CPU: every thread)",
                    round(1000 * run.seconds / n, 3),
                    round(1000 * (cpu1 - cpu0) / n, 3),
                ]
            ],
        )
    per_10k = run.seconds * 10_000 / n
    verdict = "met" if per_10k <= 60 else "NOT met"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.workers} worker(s) x {args.connections} SMTP connections;"
        f" load average now {load} (on {os.cpu_count()} cores)"
    )
    print(f"target: 10,000 digests in <= 60 s: {verdict} ({per_10k:.1f} s per 10,000)")


if __name__ == "__main__":
    main()
