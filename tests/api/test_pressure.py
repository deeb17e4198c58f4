"""The render wait that search sheds by: measured on the render threads, smoothed, and read
by the Searcher, which then answers by keywords only."""

from __future__ import annotations

import time

import anyio
from anyio import to_thread

from paperboy.api.cache import ResponseCache
from paperboy.api.pressure import SHED_AFTER, Pressure
from paperboy.store import open_store


def test_sustained_waits_raise_it_and_short_ones_bring_it_back() -> None:
    p = Pressure()
    p.observe(10 * SHED_AFTER)  # one slow moment is not overload
    assert not p.high()
    for _ in range(60):
        p.observe(2 * SHED_AFTER)
    assert p.high()
    for _ in range(60):
        p.observe(0.0)
    assert not p.high() and p.wait < SHED_AFTER / 10


def test_a_render_that_waited_for_a_thread_is_measured(tmp_path) -> None:
    store = open_store(str(tmp_path / "p.db"))
    cache = ResponseCache(store)

    async def main() -> None:
        to_thread.current_default_thread_limiter().total_tokens = 1  # one render at a time
        async with anyio.create_task_group() as tg:
            tg.start_soon(cache._on_thread, lambda: time.sleep(0.3))
            await anyio.sleep(0.05)
            tg.start_soon(cache._on_thread, lambda: None)  # waits ~0.25 s for the thread

    anyio.run(main)
    store.close()
    assert cache.pressure.wait > 0.05 * 0.15


def test_the_app_searcher_reads_the_app_render_wait(tmp_path) -> None:
    from paperboy.config import load_settings
    from paperboy.web.app import create_app

    store = open_store(str(tmp_path / "a.db"))
    app = create_app(load_settings({}), store)
    svc = app.state.paperboy
    assert not svc.searcher.overloaded()
    svc.cache.pressure.wait = 2 * SHED_AFTER
    assert svc.searcher.overloaded()
    store.close()
