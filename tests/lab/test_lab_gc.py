"""The interceptor collects its garbage between bursts of connections, not inside them."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from typing import Any

import pytest
from mitmproxy import connection

from tlsdoctor.lab.proxy import IdleCollector, settle_heap

IDLE = 0.05  # wide margins below: a busy CI machine may wake the loop late


@pytest.fixture
def full_collections() -> Iterator[list[float]]:
    """Times of the full collections that start while the test runs (automatic ones are off)."""
    started: list[float] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            started.append(time.monotonic())

    was_enabled = gc.isenabled()
    gc.disable()
    gc.callbacks.append(note)
    try:
        yield started
    finally:
        gc.callbacks.remove(note)
        if was_enabled:
            gc.enable()


def a_client(port: int) -> connection.Client:
    return connection.Client(
        peername=("127.0.0.1", port), sockname=("127.0.0.1", 8080), timestamp_start=time.time()
    )


def test_garbage_is_collected_once_the_connections_have_gone_quiet(
    full_collections: list[float],
) -> None:
    async def burst() -> tuple[int, int]:
        collector = IdleCollector(idle_seconds=IDLE)
        client = a_client(50001)
        collector.client_connected(client)
        collector.client_disconnected(client)
        await asyncio.sleep(IDLE * 3)
        after = len(full_collections)
        await asyncio.sleep(IDLE * 3)
        return after, len(full_collections)

    after, later = asyncio.run(burst())
    assert after == 1
    assert later == 1  # once per quiet moment, not on a timer


def test_each_connection_that_ends_starts_the_wait_again(full_collections: list[float]) -> None:
    """A burst's connections end one after another: none of them may set off a collection in the
    middle of it. Timeline: the first ends at 0, the second at 0.3 s, the wait is 0.5 s; at 0.65 s
    the first's wait is long over (by 0.15 s) and the second's not (0.15 s to go)."""

    async def two_endings() -> tuple[int, int]:
        collector = IdleCollector(idle_seconds=0.5)
        first, second = a_client(50002), a_client(50006)
        collector.client_connected(first)
        collector.client_connected(second)
        collector.client_disconnected(first)
        await asyncio.sleep(0.3)
        collector.client_disconnected(second)
        await asyncio.sleep(0.35)
        between = len(full_collections)
        await asyncio.sleep(0.4)
        return between, len(full_collections)

    between, after = asyncio.run(two_endings())
    assert between == 0
    assert after == 1


def test_a_connection_that_begins_in_the_quiet_moment_postpones_the_collection(
    full_collections: list[float],
) -> None:
    async def busy() -> tuple[int, int]:
        collector = IdleCollector(idle_seconds=0.3)
        first, second = a_client(50003), a_client(50004)
        collector.client_connected(first)
        collector.client_disconnected(first)
        await asyncio.sleep(0.05)  # well inside the wait
        collector.client_connected(second)
        await asyncio.sleep(0.4)
        while_open = len(full_collections)
        collector.client_disconnected(second)
        await asyncio.sleep(0.6)
        collector.done()
        return while_open, len(full_collections)

    while_open, after = asyncio.run(busy())
    assert while_open == 0
    assert after == 1


def test_done_cancels_a_pending_collection(full_collections: list[float]) -> None:
    async def stop_early() -> int:
        collector = IdleCollector(idle_seconds=IDLE)
        collector.client_connected(a_client(50005))
        collector.client_disconnected(a_client(50005))
        collector.done()
        await asyncio.sleep(IDLE * 2)
        return len(full_collections)

    assert asyncio.run(stop_early()) == 0


def test_settling_the_heap_freezes_it_and_raises_the_young_threshold() -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    try:
        settle_heap(123_456)
        assert gc.get_freeze_count() > frozen_before
        assert gc.get_threshold() == (123_456, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
