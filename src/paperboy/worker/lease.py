"""A job's lease held for as long as the job runs: taken, renewed on a thread, given back.

The lease lives in the store (``store.job_locks``), so it holds across processes and hosts.
It expires ``seconds`` after its last renewal, so a worker killed with SIGKILL blocks the
job for at most that long; a live one renews it every quarter of that.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import UTC, datetime

from paperboy.store.job_locks import JobLockStore

log = logging.getLogger(__name__)
LEASE_SECONDS = 120.0


def new_holder() -> str:
    """host:pid:random, unique per worker process and readable in `paperboy worker --list`."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Lease:
    def __init__(
        self, locks: JobLockStore, name: str, holder: str, seconds: float = LEASE_SECONDS
    ) -> None:
        self.locks, self.name, self.holder, self.seconds = locks, name, holder, seconds
        self.lost = threading.Event()  # set when the lease expired and was taken meanwhile
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> bool:
        """Take the lease and start renewing it; False if another holder has it."""
        if not self.locks.acquire(self.name, self.holder, datetime.now(UTC), self.seconds):
            return False
        self._thread = threading.Thread(
            target=self._renew, name=f"paperboy-lease-{self.name}", daemon=True
        )
        self._thread.start()
        return True

    def _renew(self) -> None:
        while not self._done.wait(self.seconds / 4):
            try:
                kept = self.locks.renew(self.name, self.holder, datetime.now(UTC), self.seconds)
            except Exception:  # a database hiccup: try again at the next beat
                log.warning("%s: could not renew the lease", self.name, exc_info=True)
                continue
            if not kept:
                self.lost.set()
                log.warning("%s: the lease expired and another worker took it", self.name)
                return

    def release(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.locks.release(self.name, self.holder)
