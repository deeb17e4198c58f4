"""The demo use case: the bundled papers and their precomputed vectors, loaded in seconds.

Shared by `paperboy demo` and the test suite, so what the tests serve is what users see.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from paperboy.ingest.jobs import ImportReport, Progress, import_files
from paperboy.search.demo_vectors import import_demo_vectors
from paperboy.store import Store


@dataclass
class DemoLoad:
    report: ImportReport
    vectors: int  # precomputed vectors saved (0 when the model is not the packaged one)


def demo_files() -> list[Path]:
    folder = resources.files("paperboy") / "data"
    return [Path(str(folder / name)) for name in ("demo-papers.jsonl.gz", "seed-papers.json")]


def load_demo(store: Store, model: str, progress: Progress | None = None) -> DemoLoad:
    report = import_files(store, demo_files(), progress=progress)
    return DemoLoad(report, import_demo_vectors(store, model))
