"""The digest delivery log part of the store contract, on every backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from paperboy.models.delivery import CLAIMED, EMPTY, IN_DOUBT, PERMANENT, SENT, TEMPORARY
from paperboy.models.subscription import CONFIRMED, Preferences
from paperboy.store import Store

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 26, tzinfo=UTC)
UNTIL = datetime(2026, 11, 27, tzinfo=UTC)


def _sub(store: Store, email: str = "ada@example.org") -> int:
    sub, _ = store.subscribers.add(email, Preferences(), CONFIRMED, NOW)
    return sub.id


def test_one_claim_wins_and_completion_records_the_papers(store: Store) -> None:
    sid = _sub(store)
    run = store.deliveries.start_run("host:1", NOW, False, NOW)
    did = store.deliveries.claim(sid, "2026-11-27", run.id, SINCE, UNTIL, NOW)
    assert did is not None
    assert store.deliveries.claim(sid, "2026-11-27", run.id, SINCE, UNTIL, NOW) is None
    rec = store.deliveries.get(did)
    assert rec is not None and rec.status == CLAIMED and rec.since == SINCE and rec.until == UNTIL
    assert store.deliveries.complete(did, "<m1@x>", ["2611.00001", "2611.00002"], NOW)
    assert not store.deliveries.complete(did, "<m1@x>", ["2611.00003"], NOW)  # not claimed now
    rec = store.deliveries.get(did)
    assert rec is not None and rec.status == SENT and rec.message_id == "<m1@x>"
    assert store.deliveries.mailed([sid], SINCE) == {sid: {"2611.00001", "2611.00002"}}
    assert store.deliveries.mailed([sid], NOW + timedelta(seconds=1)) == {}
    assert store.deliveries.last_until([sid]) == {sid: UNTIL}
    # a sent period is never taken again, even when resending in-doubt ones
    assert (
        store.deliveries.claim(sid, "2026-11-27", 2, SINCE, UNTIL, NOW, retake=(IN_DOUBT,)) is None
    )


def test_temporary_failures_are_retaken_permanent_and_in_doubt_are_not(store: Store) -> None:
    a, b, c = _sub(store, "a@example.org"), _sub(store, "b@example.org"), _sub(store, "c@x.org")
    ids = {s: store.deliveries.claim(s, "2026-W48", 1, SINCE, UNTIL, NOW) for s in (a, b, c)}
    assert store.deliveries.finish(ids[a], TEMPORARY, "451 later", NOW)  # type: ignore[arg-type]
    assert store.deliveries.finish(ids[b], PERMANENT, "550 no such user", NOW)  # type: ignore[arg-type]
    assert store.deliveries.finish(ids[c], IN_DOUBT, "no reply", NOW)  # type: ignore[arg-type]
    assert not store.deliveries.finish(ids[c], TEMPORARY, "again", NOW)  # type: ignore[arg-type]
    again = store.deliveries.claim(a, "2026-W48", 2, SINCE, UNTIL, NOW)
    assert again == ids[a] and store.deliveries.get(again).attempts == 2  # type: ignore[union-attr]
    assert store.deliveries.claim(b, "2026-W48", 2, SINCE, UNTIL, NOW) is None
    assert store.deliveries.claim(c, "2026-W48", 2, SINCE, UNTIL, NOW) is None
    assert store.deliveries.claim(c, "2026-W48", 2, SINCE, UNTIL, NOW, retake=(IN_DOUBT,))
    assert [r.email for r in store.deliveries.recent(PERMANENT)] == ["b@example.org"]
    assert store.deliveries.count(CLAIMED) == 2 and store.deliveries.count() == 3
    # claimed (maybe mailed) windows count as covered; a refused one does not
    assert store.deliveries.last_until([a, b, c]) == {a: UNTIL, c: UNTIL}


def test_empty_periods_are_settled_and_claims_list_their_runs(store: Store) -> None:
    a, b = _sub(store, "a@example.org"), _sub(store, "b@example.org")
    run = store.deliveries.start_run("host:42", NOW, False, NOW)
    assert store.deliveries.claim(a, "2026-11-27", run.id, SINCE, UNTIL, NOW, status=EMPTY)
    assert store.deliveries.claim(a, "2026-11-27", run.id, SINCE, UNTIL, NOW) is None
    did = store.deliveries.claim(b, "2026-11-27", run.id, SINCE, UNTIL, NOW)
    got = store.deliveries.for_periods([a, b, 999], ["2026-11-27", "2026-11-26"])
    assert {k: r.status for k, r in got.items()} == {
        (a, "2026-11-27"): EMPTY,
        (b, "2026-11-27"): CLAIMED,
    }
    [(rec, holder)] = store.deliveries.claimed()
    assert rec.id == did and holder is not None and holder.holder == "host:42"
    store.deliveries.beat(run.id, NOW + timedelta(seconds=5))
    store.deliveries.finish_run(run.id, NOW + timedelta(seconds=9), 1, 1, 0, 0)
    [last] = store.deliveries.runs()
    assert last.finished_at == NOW + timedelta(seconds=9) and (last.sent, last.empty) == (1, 1)
    assert store.deliveries.get_run(run.id) == last and not last.dry_run


def test_removing_a_subscriber_forgets_its_deliveries(store: Store) -> None:
    sid = _sub(store)
    did = store.deliveries.claim(sid, "2026-11-27", 1, SINCE, UNTIL, NOW)
    store.deliveries.complete(did, "<m@x>", ["2611.00001"], NOW)  # type: ignore[arg-type]
    assert store.subscribers.remove(sid)
    assert store.deliveries.count() == 0 and store.deliveries.mailed([sid], SINCE) == {}


def test_concurrent_claims_have_exactly_one_winner(store: Store) -> None:
    sids = [_sub(store, f"r{i}@example.org") for i in range(20)]
    won: list[tuple[int, int]] = []
    lock = threading.Lock()

    def claimer(run_id: int) -> None:
        for sid in sids:
            if store.deliveries.claim(sid, "2026-11-27", run_id, SINCE, UNTIL, NOW):
                with lock:
                    won.append((run_id, sid))

    threads = [threading.Thread(target=claimer, args=(r,)) for r in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sid for _, sid in won) == sids
