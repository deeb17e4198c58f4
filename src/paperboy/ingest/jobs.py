"""Import use cases shared by the CLI, the demo and (later) the scheduler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from paperboy.ingest.formats.adapt import Rejected
from paperboy.ingest.formats.registry import detect, format_named
from paperboy.ingest.formats.source import SourceError, SourceFile
from paperboy.ingest.read_ahead import read_ahead
from paperboy.models.paper import Paper
from paperboy.models.query import UpsertCounts
from paperboy.store import Store

log = logging.getLogger(__name__)
# Papers per transaction. Larger batches mean fewer, larger FTS5 segments to merge (a 5,000
# batch imports the 75k-paper bench corpus ~25% faster than 1,000) while a crash still loses
# at most one batch, which the rerun redoes.
BATCH = 5000
MAX_KEPT_ERRORS = 1000

Progress = Callable[[int], None]


@dataclass
class ImportReport:
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    rejected: int = 0
    errors: list[Rejected | str] = field(default_factory=list)
    failed_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.failed_files

    def summary(self) -> dict:
        return {
            "added": self.counts.added,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "rejected": self.rejected,
        }

    def reject(self, item: Rejected | str) -> None:
        self.rejected += 1
        log.info("rejected: %s", item)
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(item)

    def merge(self, other: ImportReport) -> None:
        self.counts.add(other.counts)
        self.rejected += other.rejected
        self.errors.extend(other.errors[: MAX_KEPT_ERRORS - len(self.errors)])
        self.failed_files.extend(other.failed_files)


def import_records(
    store: Store,
    records: Iterable[Paper | Rejected],
    *,
    batch_size: int = BATCH,
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert papers batch by batch; each batch is one transaction, so a crash loses at most
    the batch in flight and a rerun converges on the state of one clean import.

    A full batch is handed to ``prepare`` and written after the next one fills, so a backend
    can index one batch while it writes the one before (bench/README.md, bench_postgres run 4).
    """
    report = ImportReport()
    batch: list[Paper] = []
    waiting: list[Paper] = []  # full, prepared, written when the next batch is full

    def write(papers: list[Paper]) -> None:
        if papers:
            report.counts.add(store.papers.upsert_papers(papers))
            if progress:
                progress(len(papers))

    items = iter(records)
    while True:
        try:
            item = next(items)
        except StopIteration:
            break
        except BaseException:
            write(waiting)  # every paper read before the error is stored, as batch by batch
            raise
        if isinstance(item, Rejected):
            report.reject(item)
            if progress:
                progress(1)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            store.papers.prepare(batch)
            ready, waiting, batch = waiting, batch, []
            write(ready)
    if waiting and batch:
        store.papers.prepare(batch)
    write(waiting)
    write(batch)
    return report


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    namespace: str | None = None,
    batch_size: int = BATCH,
    progress: Progress | None = None,
) -> ImportReport:
    """Import each file with its detected (or named) format; a bad file does not stop the rest."""
    report = ImportReport()
    for path in paths:
        try:
            src = SourceFile(path)
            reader = format_named(fmt) if fmt else detect(src)
            log.info("importing %s as %s", src.name, reader.name)
            records = read_ahead(reader.read(src, namespace), batch_size)
            part = import_records(store, records, batch_size=batch_size, progress=progress)
        except SourceError as exc:
            report.failed_files.append(str(path))
            report.errors.append(str(exc))
            log.error("%s", exc)
            continue
        log.info("%s: %s", path, part.summary())
        report.merge(part)
    return report
