"""How long renders lately waited for a worker thread: the server's own overload signal.

Every uncached page, search and feed renders on one of a few worker threads per process
(``web/app.py``, ``RENDER_THREADS``), in arrival order. When requests arrive faster than the
cores render them, the wait grows first. Search reads it to shed its optional, costly half,
meaning: a query encoding and a vector scan cost several times a keyword search, and on two
cores under 200 connections answering every search by meaning made every request wait
seconds (bench/README.md, "The load mix"). Shedding by the measured wait rather than by a
fixed number of encodings in flight keeps meaning on whenever the cores keep up.
"""

from __future__ import annotations

SHED_AFTER = 0.2  # seconds of smoothed render wait above which searches go keyword-only
SMOOTHING = 0.05  # weight of each new wait: about the last 20 renders


class Pressure:
    """A smoothed render wait, updated from the worker threads (a float under the GIL)."""

    def __init__(self) -> None:
        self.wait = 0.0

    def observe(self, waited: float) -> None:
        self.wait += SMOOTHING * (waited - self.wait)

    def high(self) -> bool:
        return self.wait > SHED_AFTER
