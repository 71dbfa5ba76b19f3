"""The write lane tells the event hub when counter actions are still being written, so a burst
of Nexts is answered before its events go out — but never holds the events back for long."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from server.http import offload

pytestmark = pytest.mark.timeout(30)


def run(main: Any) -> Any:
    """Run a coroutine on a fresh event loop in its own thread (whatever loop this one has)."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(main)))
    thread.start()
    thread.join(20)
    assert out, "the coroutine did not finish"
    return out[0]


def request_with(lanes: offload.Lanes) -> SimpleNamespace:
    """What offload needs of a request: the app's lanes."""
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(lanes=lanes)))


def test_settled_waits_for_the_writes_in_flight() -> None:
    """writes_settled returns only once the write in flight has returned."""
    async def main() -> list[str]:
        lanes = offload.Lanes.create()
        release = threading.Event()
        order: list[str] = []

        def write() -> None:
            release.wait(10)
            order.append("written")

        task = asyncio.create_task(offload.write(request_with(lanes), write))
        while not lanes.writing:
            await asyncio.sleep(0)
        settled = asyncio.create_task(lanes.writes_settled(10))
        await asyncio.sleep(0.05)
        assert not settled.done()
        release.set()
        await settled
        order.append("settled")
        await task
        return order
    assert run(main()) == ["written", "settled"]


def test_settled_holds_events_back_only_so_long() -> None:
    """A write stuck for longer than the hub's wait does not hold its broadcast past it."""
    async def main() -> float:
        lanes = offload.Lanes.create()
        release = threading.Event()
        task = asyncio.create_task(offload.write(request_with(lanes), lambda: release.wait(10)))
        while not lanes.writing:
            await asyncio.sleep(0)
        started = time.monotonic()
        await lanes.writes_settled(0.1)
        waited = time.monotonic() - started
        release.set()
        await task
        return waited
    assert run(main()) < 5


def test_nothing_in_flight_means_no_wait_and_failures_count_down() -> None:
    """With no write in flight the hub is not held; a write that raises still counts as done."""
    async def main() -> int:
        lanes = offload.Lanes.create()

        def fail() -> None:
            raise ValueError("refused")
        with pytest.raises(ValueError):
            await offload.write(request_with(lanes), fail)
        await asyncio.wait_for(lanes.writes_settled(10), 1)
        return lanes.writing
    assert run(main()) == 0
