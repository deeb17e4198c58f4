"""read_ahead: the same items in the same order, errors where the plain loop would raise
them, and no thread left behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from paperboy.ingest.read_ahead import read_ahead


def _alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "paperboy-read-ahead"]


@pytest.mark.parametrize("n", [0, 1, 6, 7, 20])
def test_same_items_in_the_same_order(n: int) -> None:
    assert list(read_ahead(range(n), chunk=3)) == list(range(n))
    assert not _alive()


def test_an_error_comes_after_every_item_before_it() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise ValueError("bad row 5")

    got: list[int] = []
    with pytest.raises(ValueError, match="bad row 5"):
        for item in read_ahead(items(), chunk=2):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]
    assert not _alive()


def test_stopping_early_stops_the_thread_and_closes_the_source() -> None:
    closed = threading.Event()

    def items() -> Iterator[int]:
        try:
            yield from range(10**9)
        finally:
            closed.set()

    it = read_ahead(items(), chunk=10)
    assert [next(it) for _ in range(15)] == list(range(15))
    it.close()
    assert closed.is_set() and not _alive()
