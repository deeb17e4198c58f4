"""The worker is a door like the CLI: it imports no web framework nor the CLI's typer."""

from __future__ import annotations

from core.test_layers import WEB, probe


def test_the_worker_imports_no_web_framework_nor_typer():
    got = probe("paperboy.worker")
    assert {"paperboy.worker.runner", "paperboy.worker.jobs"} <= set(got["modules"])
    assert WEB & set(got["tops"]) == set()
    assert got["new_threads"] == 0 and got["pools"] == []
