"""Concurrent query encodings share model calls, and each search gets its own vector back."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from paperboy.search.batching import QueryBatcher


class SlowEncoder:
    """Encodes each text as [len(text), first char code]; the first call waits for a gate,
    so that the other searches pile up behind it as they do under load."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.gate = threading.Event()

    def __call__(self, texts):
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            assert self.gate.wait(10)
        if any(t == "boom" for t in texts):
            raise RuntimeError("model exploded")
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)


def test_a_lone_query_is_encoded_at_once():
    enc = SlowEncoder()
    enc.gate.set()
    batcher = QueryBatcher(enc)
    assert batcher.encode("graph").tolist() == [5.0, ord("g")]
    assert enc.calls == [["graph"]] and batcher.waiting == 0


def test_waiting_queries_are_encoded_together_and_each_gets_its_own_vector():
    enc = SlowEncoder()
    batcher = QueryBatcher(enc, max_batch=4)
    texts = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg"]
    with ThreadPoolExecutor(len(texts)) as pool:
        first = pool.submit(batcher.encode, texts[0])
        while not enc.calls:  # the first query holds the encoder
            time.sleep(0.001)
        rest = [pool.submit(batcher.encode, t) for t in texts[1:]]
        while batcher.waiting < len(texts) - 1:
            time.sleep(0.001)
        enc.gate.set()
        got = [f.result(10) for f in [first, *rest]]
    assert [v.tolist() for v in got] == [[len(t), ord(t[0])] for t in texts]
    assert [len(c) for c in enc.calls] == [1, 4, 2]  # 7 queries, 3 model calls
    assert batcher.batches == 3 and batcher.waiting == 0


def test_a_failing_batch_fails_its_queries_only():
    enc = SlowEncoder()
    enc.gate.set()
    batcher = QueryBatcher(enc)
    with pytest.raises(RuntimeError, match="model exploded"):
        batcher.encode("boom")
    assert batcher.encode("fine").tolist() == [4.0, ord("f")]  # the encoder is free again
