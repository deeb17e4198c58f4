"""The digest's "Picked for you" section: the same personal picks as ``/for-you``.

A module-level function, so ``send_due_parallel`` can hand it to worker processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from paperboy.core.foryou import personal_picks
from paperboy.models.digest import DigestPaper
from paperboy.models.subscription import Subscriber
from paperboy.store import Store

PICKS_FETCH = 10  # asked of the model; the builder keeps the first few not already shown


def account_picks(
    store: Store, sub: Subscriber, candidate_ids: Sequence[str], at: datetime
) -> list[DigestPaper]:
    """Picks for the account behind ``sub`` among ``candidate_ids``, as of ``at``."""
    if sub.user_id is None:
        return []
    picked = personal_picks(store, sub.user_id, candidate_ids, PICKS_FETCH, at)
    papers = store.papers.get_papers(p.paper_id for p in picked)
    return [DigestPaper(papers[p.paper_id], p.reason) for p in picked if p.paper_id in papers]
