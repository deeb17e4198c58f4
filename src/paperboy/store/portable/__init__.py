"""Stores written once in SQL that both backends speak, run through a small executor.

The community tables (accounts, sessions, tokens, votes, saves, rate limits) use only
portable SQL (``INSERT … ON CONFLICT``, ``RETURNING``), so one implementation serves SQLite
and PostgreSQL; each backend supplies an executor that translates placeholders and
timestamps. The store contract suite runs them on both.
"""

from __future__ import annotations

from paperboy.store.base import Store
from paperboy.store.portable.comments import SQLComments
from paperboy.store.portable.deliveries import SQLDeliveries
from paperboy.store.portable.dismissals import SQLDismissals
from paperboy.store.portable.executor import Executor
from paperboy.store.portable.job_locks import SQLJobLocks
from paperboy.store.portable.limits import SQLRateLimits
from paperboy.store.portable.submissions import SQLSubmissions
from paperboy.store.portable.subscribers import SQLSubscribers
from paperboy.store.portable.trending import SQLFeedTokens, SQLTrending
from paperboy.store.portable.users import SQLUsers
from paperboy.store.portable.votes import SQLVotes


def attach(store: Store, sql: Executor) -> None:
    """Give ``store`` every portable part, run through its backend's executor ``sql``."""
    store.users = SQLUsers(sql)
    store.votes = SQLVotes(sql)
    store.limits = SQLRateLimits(sql)
    store.submissions = SQLSubmissions(sql)
    store.comments = SQLComments(sql)
    store.trending = SQLTrending(sql)
    store.feed_tokens = SQLFeedTokens(sql)
    store.subscribers = SQLSubscribers(sql)
    store.deliveries = SQLDeliveries(sql)
    store.job_locks = SQLJobLocks(sql)
    store.dismissals = SQLDismissals(sql)
