"""The one error a live ingest raises when it stops early, carrying what it did import."""

from __future__ import annotations

from paperboy.ingest.jobs import ImportReport


class IngestStopped(RuntimeError):
    """A harvest or look-up that stopped; ``report`` holds what was imported before it."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report
