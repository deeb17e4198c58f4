"""Rate limits on mail that anyone can ask for (sign-in links, subscription confirmations).

Counted in the database, so every worker process sees the same counts; bucket names are
hashed, so the limits table never becomes a list of addresses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from paperboy.store import Store


@dataclass(frozen=True)
class Limits:
    per_address: int  # mails per address per window: a mailbox is never flooded
    per_ip: int  # requests per client address per window: nobody mails the world from one host
    window_seconds: int

    def hit(self, store: Store, kind: str, address: str, ip: str, now: datetime) -> str | None:
        """Count one request for ``address`` from ``ip``; why it is over a limit, or None."""
        by_address = store.limits.hit(_bucket(kind, "email", address), self.window_seconds, now)
        by_ip = store.limits.hit(_bucket(kind, "ip", ip), self.window_seconds, now)
        if by_address > self.per_address or by_ip > self.per_ip:
            return f"rate limit ({by_address} for the address, {by_ip} for the IP)"
        return None


def _bucket(kind: str, what: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]
    return f"{kind}:{what}:{digest}"
