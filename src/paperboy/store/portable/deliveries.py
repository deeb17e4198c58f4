"""The digest delivery log in portable SQL (both backends)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime

from paperboy.models.delivery import CLAIMED, IN_DOUBT, SENT, DeliveryRecord, DigestRun
from paperboy.store.deliveries import DeliveryStore
from paperboy.store.portable.executor import Executor, Writer, as_datetime

_D_COLUMNS = (
    "d.id, d.subscriber_id, d.period, d.status, d.run_id, d.since, d.until, d.claimed_at,"
    " d.finished_at, d.attempts, d.message_id, d.detail"
)
_R_COLUMNS = (
    "id, holder, at, dry_run, started_at, beat_at, finished_at, sent, empty, failed, in_doubt"
)
_BATCH = 500  # ids per IN (...) list
_PAPER_ROWS = 200  # mailed papers per INSERT


def _moment(value: object) -> datetime:
    moment = as_datetime(value)
    assert moment is not None
    return moment


def _record(row: Sequence, email: str | None = None) -> DeliveryRecord:
    return DeliveryRecord(
        id=int(row[0]),
        subscriber_id=int(row[1]),
        period=row[2],
        status=row[3],
        run_id=int(row[4]),
        since=_moment(row[5]),
        until=_moment(row[6]),
        claimed_at=_moment(row[7]),
        finished_at=as_datetime(row[8]),
        attempts=int(row[9]),
        message_id=row[10],
        detail=row[11],
        email=email,
    )


def _run(row: Sequence) -> DigestRun:
    return DigestRun(
        id=int(row[0]),
        holder=row[1],
        at=_moment(row[2]),
        dry_run=bool(row[3]),
        started_at=_moment(row[4]),
        beat_at=_moment(row[5]),
        finished_at=as_datetime(row[6]),
        sent=int(row[7]),
        empty=int(row[8]),
        failed=int(row[9]),
        in_doubt=int(row[10]),
    )


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    items = list(dict.fromkeys(ids))
    return [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]


class SQLDeliveries(DeliveryStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    # --- runs ---------------------------------------------------------------------------
    def start_run(self, holder: str, at: datetime, dry_run: bool, now: datetime) -> DigestRun:
        with self.sql.write() as w:
            rows = w.execute(
                "INSERT INTO digest_runs (holder, at, dry_run, started_at, beat_at)"
                f" VALUES (%s, %s, %s, %s, %s) RETURNING {_R_COLUMNS}",
                (holder, at, bool(dry_run), now, now),
            )
        return _run(rows[0])

    def beat(self, run_id: int, now: datetime) -> None:
        with self.sql.write() as w:
            w.execute("UPDATE digest_runs SET beat_at = %s WHERE id = %s", (now, run_id))

    def finish_run(
        self, run_id: int, now: datetime, sent: int, empty: int, failed: int, in_doubt: int
    ) -> None:
        with self.sql.write() as w:
            w.execute(
                "UPDATE digest_runs SET finished_at = %s, beat_at = %s, sent = %s, empty = %s,"
                " failed = %s, in_doubt = %s WHERE id = %s",
                (now, now, sent, empty, failed, in_doubt, run_id),
            )

    def get_run(self, run_id: int) -> DigestRun | None:
        rows = self.sql.read(f"SELECT {_R_COLUMNS} FROM digest_runs WHERE id = %s", (run_id,))
        return _run(rows[0]) if rows else None

    def runs(self, limit: int = 10) -> list[DigestRun]:
        rows = self.sql.read(
            f"SELECT {_R_COLUMNS} FROM digest_runs ORDER BY id DESC LIMIT %s", (limit,)
        )
        return [_run(r) for r in rows]

    # --- deliveries ---------------------------------------------------------------------
    def claim(
        self,
        subscriber_id: int,
        period: str,
        run_id: int,
        since: datetime,
        until: datetime,
        now: datetime,
        *,
        status: str = CLAIMED,
        retake: Collection[str] = ("temporary",),
    ) -> int | None:
        retake = list(retake)
        conflict = (
            "DO UPDATE SET status = excluded.status, run_id = excluded.run_id,"
            " since = excluded.since, until = excluded.until, claimed_at = excluded.claimed_at,"
            " finished_at = excluded.finished_at, message_id = NULL, detail = NULL,"
            " attempts = deliveries.attempts + 1"
            f" WHERE deliveries.status IN ({_marks(len(retake))})"
            if retake
            else "DO NOTHING"
        )
        finished = now if status != CLAIMED else None
        with self.sql.write() as w:
            rows = w.execute(
                "INSERT INTO deliveries (subscriber_id, period, status, run_id, since, until,"
                " claimed_at, finished_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                f" ON CONFLICT (subscriber_id, period) {conflict} RETURNING id",
                (subscriber_id, period, status, run_id, since, until, now, finished, *retake),
            )
        return int(rows[0][0]) if rows else None

    def complete(
        self, delivery_id: int, message_id: str, paper_ids: Sequence[str], now: datetime
    ) -> bool:
        with self.sql.write() as w:
            rows = w.execute(
                "UPDATE deliveries SET status = %s, finished_at = %s, message_id = %s,"
                " detail = NULL WHERE id = %s AND status = %s RETURNING subscriber_id",
                (SENT, now, message_id, delivery_id, CLAIMED),
            )
            if not rows:
                return False
            _insert_mailed(w, int(rows[0][0]), delivery_id, paper_ids, now)
        return True

    def finish(self, delivery_id: int, status: str, detail: str, now: datetime) -> bool:
        with self.sql.write() as w:
            w.execute(
                "UPDATE deliveries SET status = %s, detail = %s, finished_at = %s"
                " WHERE id = %s AND status = %s",
                (status, detail[:1000], now, delivery_id, CLAIMED),
            )
            return w.rowcount() > 0

    def get(self, delivery_id: int) -> DeliveryRecord | None:
        rows = self.sql.read(
            f"SELECT {_D_COLUMNS} FROM deliveries d WHERE d.id = %s", (delivery_id,)
        )
        return _record(rows[0]) if rows else None

    def for_periods(
        self, subscriber_ids: Sequence[int], periods: Collection[str]
    ) -> dict[tuple[int, str], DeliveryRecord]:
        out: dict[tuple[int, str], DeliveryRecord] = {}
        keys = list(dict.fromkeys(periods))
        if not keys:
            return out
        for part in _chunks(subscriber_ids):
            rows = self.sql.read(
                f"SELECT {_D_COLUMNS} FROM deliveries d WHERE d.subscriber_id IN"
                f" ({_marks(len(part))}) AND d.period IN ({_marks(len(keys))})",
                [*part, *keys],
            )
            for row in rows:
                rec = _record(row)
                out[(rec.subscriber_id, rec.period)] = rec
        return out

    def last_until(self, subscriber_ids: Sequence[int]) -> dict[int, datetime]:
        out: dict[int, datetime] = {}
        for part in _chunks(subscriber_ids):
            rows = self.sql.read(
                "SELECT subscriber_id, max(until) FROM deliveries WHERE subscriber_id IN"
                f" ({_marks(len(part))}) AND status IN (%s, %s, %s) GROUP BY subscriber_id",
                [*part, SENT, IN_DOUBT, CLAIMED],
            )
            out.update((int(r[0]), _moment(r[1])) for r in rows)
        return out

    def mailed(self, subscriber_ids: Sequence[int], since: datetime) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for part in _chunks(subscriber_ids):
            rows = self.sql.read(
                "SELECT subscriber_id, paper_id FROM mailed_papers WHERE subscriber_id IN"
                f" ({_marks(len(part))}) AND mailed_at >= %s",
                [*part, since],
            )
            for sid, pid in rows:
                out.setdefault(int(sid), set()).add(pid)
        return out

    def claimed(self) -> list[tuple[DeliveryRecord, DigestRun | None]]:
        rows = self.sql.read(
            f"SELECT {_D_COLUMNS}, {', '.join('r.' + c.strip() for c in _R_COLUMNS.split(','))}"
            " FROM deliveries d LEFT JOIN digest_runs r ON r.id = d.run_id"
            " WHERE d.status = %s ORDER BY d.id",
            (CLAIMED,),
        )
        return [(_record(r[:12]), _run(r[12:]) if r[12] is not None else None) for r in rows]

    def recent(self, status: str | None = None, limit: int = 100) -> list[DeliveryRecord]:
        where, params = ("WHERE d.status = %s", [status]) if status else ("", [])
        rows = self.sql.read(
            f"SELECT {_D_COLUMNS}, s.email FROM deliveries d"
            f" LEFT JOIN subscribers s ON s.id = d.subscriber_id {where}"
            " ORDER BY d.id DESC LIMIT %s",
            [*params, limit],
        )
        return [_record(r[:12], r[12]) for r in rows]

    def count(self, status: str | None = None) -> int:
        where, params = ("WHERE status = %s", [status]) if status else ("", [])
        return int(self.sql.read(f"SELECT count(*) FROM deliveries {where}", params)[0][0])

    # --- moving an instance -------------------------------------------------------------
    def export(self, batch_size: int = 1000) -> Iterator[list[tuple[DeliveryRecord, list[str]]]]:
        last = 0
        while True:
            rows = self.sql.read(
                f"SELECT {_D_COLUMNS}, s.email FROM deliveries d"
                " JOIN subscribers s ON s.id = d.subscriber_id"
                " WHERE d.id > %s ORDER BY d.id LIMIT %s",
                (last, batch_size),
            )
            if not rows:
                return
            records = [_record(r[:12], r[12]) for r in rows]
            papers: dict[int, list[str]] = {rec.id: [] for rec in records}
            ids = list(papers)
            for did, pid in self.sql.read(
                f"SELECT delivery_id, paper_id FROM mailed_papers WHERE delivery_id IN"
                f" ({_marks(len(ids))}) ORDER BY delivery_id, paper_id",
                ids,
            ):
                papers[int(did)].append(pid)
            yield [(rec, papers[rec.id]) for rec in records]
            last = records[-1].id

    def import_deliveries(self, rows: Sequence[tuple[int, DeliveryRecord, Sequence[str]]]) -> int:
        made = 0
        with self.sql.write() as w:
            for subscriber_id, rec, paper_ids in rows:
                new = w.execute(
                    "INSERT INTO deliveries (subscriber_id, period, status, run_id, since, until,"
                    " claimed_at, finished_at, attempts, message_id, detail)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (subscriber_id, period) DO NOTHING RETURNING id",
                    (subscriber_id, rec.period, rec.status, 0, rec.since, rec.until,
                     rec.claimed_at, rec.finished_at, rec.attempts, rec.message_id, rec.detail),
                )  # fmt: skip
                if not new:
                    continue
                made += 1
                when = rec.finished_at or rec.claimed_at
                _insert_mailed(w, subscriber_id, int(new[0][0]), paper_ids, when)
        return made


def _insert_mailed(
    w: Writer, subscriber_id: int, delivery_id: int, paper_ids: Sequence[str], when: datetime
) -> None:
    """Record the papers a delivery mailed, ``_PAPER_ROWS`` to a statement; a paper already
    recorded for that subscriber keeps its first delivery."""
    ids = list(dict.fromkeys(paper_ids))
    for i in range(0, len(ids), _PAPER_ROWS):
        part = ids[i : i + _PAPER_ROWS]
        w.execute(
            "INSERT INTO mailed_papers (subscriber_id, paper_id, delivery_id, mailed_at)"
            f" VALUES {', '.join(['(%s, %s, %s, %s)'] * len(part))}"
            " ON CONFLICT (subscriber_id, paper_id) DO NOTHING",
            [v for pid in part for v in (subscriber_id, pid, delivery_id, when)],
        )
