"""Holes in cached pages: live vote and save counts filled in at response time.

A cached page or JSON answer is the same for every anonymous visitor and keyed on the
papers-changed counter, which votes do not move. So that a vote still shows on the very next
request, without emptying the cache or making every page a miss, a render writes a *marker*
wherever a live value goes (``Holes.html``/``Holes.json``) and lists the papers it shows
(``Rendered.counts``). At response time ``fill`` replaces the markers with values from one
indexed query (``store.votes.counts(ids)``), plus, for a signed-in visitor, their own vote
and save marks and CSRF token.

Markers carry a random per-process nonce: imported text cannot know it, so no title can
forge one, and a marker names its paper by index into ``Rendered.counts``, never by text.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from paperboy.models.community import PaperCounts

# Kinds: u = imported + local votes (``base`` is the imported count), v = local votes,
# s = saves, V/S = "true"/"false" for the visitor's vote/save, A/B = the form's next action
# (vote|unvote, save|unsave), c = CSRF token, n = this page's own path (a form's ``next``).
KINDS = "uvsVSABcn"


@dataclass
class Live:
    """What fills the holes of one response."""

    counts: Mapping[str, PaperCounts] = field(default_factory=dict)
    voted: set[str] = field(default_factory=set)
    saved: set[str] = field(default_factory=set)
    csrf: str = ""
    here: str = "/"


class Holes:
    """Collects the papers one render shows and writes their markers."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self._ids: dict[str, int] = {}

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._ids)

    def _index(self, paper_id: str) -> int:
        return self._ids.setdefault(paper_id, len(self._ids))

    def html(self, kind: str, paper_id: str = "", base: int = 0) -> str:
        """A marker in HTML text or an attribute value (replaced by escaped text)."""
        if kind not in KINDS:
            raise ValueError(f"unknown hole kind {kind!r}")
        index = self._index(paper_id) if paper_id else 0
        return f"pbh{self.nonce}.{kind}.{index}.{int(base)}."

    def json(self, kind: str, paper_id: str, base: int = 0) -> str:
        """A JSON string value that becomes a bare number (u, v, s) or boolean (V, S)."""
        if kind not in "uvsVS":
            raise ValueError(f"no JSON hole of kind {kind!r}")
        return f"pbj{self.nonce}.{kind}.{self._index(paper_id)}.{int(base)}."


class Filler:
    """Replaces one nonce's markers in a body with the values of a ``Live``."""

    def __init__(self, nonce: str | None = None) -> None:
        self.nonce = nonce or secrets.token_hex(8)
        n = self.nonce.encode()
        self._pattern = re.compile(
            rb'"pbj' + n + rb"\.([uvsVS])\.(\d+)\.(\d+)\.\"|pbh" + n + rb"\.([" + KINDS.encode()
            + rb"])\.(\d+)\.(\d+)\."
        )  # fmt: skip

    def holes(self) -> Holes:
        return Holes(self.nonce)

    def fill(self, body: bytes, ids: tuple[str, ...], live: Live) -> bytes:
        def value(kind: str, index: int, base: int) -> str:
            pid = ids[index] if index < len(ids) else ""
            counts = live.counts.get(pid, PaperCounts())
            if kind == "u":
                return str(base + counts.votes)
            if kind == "v":
                return str(counts.votes)
            if kind == "s":
                return str(counts.saves)
            if kind == "V":
                return "true" if pid in live.voted else "false"
            if kind == "S":
                return "true" if pid in live.saved else "false"
            if kind == "A":
                return "unvote" if pid in live.voted else "vote"
            if kind == "B":
                return "unsave" if pid in live.saved else "save"
            if kind == "c":
                return live.csrf
            return live.here

        def replace(m: re.Match[bytes]) -> bytes:
            if m.group(1) is not None:
                return value(m.group(1).decode(), int(m.group(2)), int(m.group(3))).encode()
            text = value(m.group(4).decode(), int(m.group(5)), int(m.group(6)))
            return html.escape(text, quote=True).encode()

        return self._pattern.sub(replace, body)
