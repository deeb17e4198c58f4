"""The one storage door: a store is its per-entity parts, opened and migrated together.

Nothing outside ``paperboy.store`` runs SQL or knows which backend it has: callers use
``store.papers``, ``store.vectors`` and ``store.state``, each an interface of its own
(``papers.py``, ``vectors.py``, ``state.py``) that every backend implements.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from paperboy.store.comments import CommentStore
from paperboy.store.deliveries import DeliveryStore
from paperboy.store.dismissals import DismissalStore
from paperboy.store.feed_tokens import FeedTokenStore
from paperboy.store.job_locks import JobLockStore
from paperboy.store.limits import RateLimitStore
from paperboy.store.papers import PaperStore
from paperboy.store.state import StateStore
from paperboy.store.submissions import SubmissionStore
from paperboy.store.subscribers import SubscriberStore
from paperboy.store.trending import TrendingStore
from paperboy.store.users import UserStore
from paperboy.store.vectors import VectorStore
from paperboy.store.votes import VoteStore

MIGRATE_MODES = ("auto", "apply", "check")


class StoreError(RuntimeError):
    """A storage problem a user can act on (bad URL, newer schema, unreadable file)."""


class SchemaBehind(StoreError):
    """The database needs migrations this Paperboy has: ``paperboy migrate`` applies them."""


class Database(Protocol):
    """What the shared store methods need of a backend's connection holder."""

    def read(self, sql: str) -> list[tuple]: ...

    def close(self) -> None: ...


class Store(ABC):
    """Papers, vectors, importer state and the community's accounts, votes and limits.

    Opening takes ``migrate``: ``auto`` migrates a new, empty database and refuses one whose
    schema is behind (so N web workers never race to alter a live schema), ``apply`` applies
    whatever is pending (``paperboy migrate``, the demo), ``check`` only refuses.
    """

    url: str
    migrated: list[int]  # versions applied when this store was opened
    papers: PaperStore
    vectors: VectorStore
    state: StateStore
    users: UserStore
    votes: VoteStore
    limits: RateLimitStore
    submissions: SubmissionStore
    comments: CommentStore
    trending: TrendingStore
    feed_tokens: FeedTokenStore
    subscribers: SubscriberStore
    deliveries: DeliveryStore
    job_locks: JobLockStore
    dismissals: DismissalStore

    db: Database

    def content_version(self) -> str:
        """A token that moves with every committed write of papers, vectors or related
        lists, in any process, and with nothing else: response caches key on it."""
        rows = self.db.read(
            "SELECT value FROM counters WHERE name IN ('papers', 'related', 'vectors')"
            " ORDER BY name"
        )
        return f"{id(self):x}:" + ".".join(str(r[0]) for r in rows)

    def schema_version(self) -> int:
        return int(self.db.read("SELECT max(version) FROM schema_migrations")[0][0] or 0)

    def stats(self) -> dict:
        """At least {"papers": N}; each backend adds where and how big its database is."""
        vectors = dict(self.db.read("SELECT model, count(*) FROM vectors GROUP BY model"))
        return {
            **self.papers.stats(),
            "vectors": vectors,
            "schema_version": self.schema_version(),
            **self.storage_stats(),
        }

    @abstractmethod
    def storage_stats(self) -> dict:
        """The database's address (no password) and its size."""

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def behind_message(url: str, current: int, newest: int) -> str:
    return (
        f"{url}: the database schema is at version {current} and this Paperboy needs "
        f"{newest}; run 'paperboy migrate' first"
    )
