"""The delivery log travels with `paperboy copy`, mapped onto the target's subscribers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from paperboy.core.copy import DeliveryStep
from paperboy.models.delivery import IN_DOUBT
from paperboy.models.subscription import CONFIRMED, Preferences
from paperboy.store import Store, open_store

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 27, tzinfo=UTC)
UNTIL = datetime(2026, 11, 28, tzinfo=UTC)


def test_deliveries_and_mailed_papers_are_copied_by_address(store: Store, tmp_path: Path) -> None:
    a, _ = store.subscribers.add("a@example.org", Preferences(), CONFIRMED, AT)
    b, _ = store.subscribers.add("b@example.org", Preferences(), CONFIRMED, AT)
    did = store.deliveries.claim(a.id, "2026-11-27", 1, SINCE, UNTIL, AT)
    store.deliveries.complete(did, "<m@x>", ["2611.00001", "2611.00002"], AT)  # type: ignore[arg-type]
    doubt = store.deliveries.claim(b.id, "2026-11-27", 1, SINCE, UNTIL, AT)
    store.deliveries.finish(doubt, IN_DOUBT, "no reply", AT)  # type: ignore[arg-type]

    target = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        target.subscribers.add("z@example.org", Preferences(), CONFIRMED, AT)  # ids differ
        ta, _ = target.subscribers.add("a@example.org", Preferences(), CONFIRMED, AT)
        target.subscribers.add("b@example.org", Preferences(), CONFIRMED, AT)
        step = DeliveryStep()
        assert sum(step.copy_batches(store, target, 1)) == 2
        assert step.verify(store, target, exact=True, tick=lambda n: None) is None
        assert target.deliveries.mailed([ta.id], SINCE) == {ta.id: {"2611.00001", "2611.00002"}}
        assert [r.email for r in target.deliveries.recent(IN_DOUBT)] == ["b@example.org"]
        assert sum(step.copy_batches(store, target, 10)) == 2  # again: nothing doubles
        assert target.deliveries.count() == 2
        target.deliveries.import_deliveries([])
    finally:
        target.close()
