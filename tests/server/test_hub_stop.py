"""The event hub stops when told, however its waits line up with the stop: a server that
ignores SIGTERM cannot be restarted by systemd or by the kiosk PC's shutdown."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from server.events.hub import EventHub
from shared.core.local_queue import LocalQueue

pytestmark = pytest.mark.timeout(90)


def run(main: Any) -> Any:
    """Run a coroutine on a fresh event loop in its own thread (whatever loop this one has)."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(main)), daemon=True)
    thread.start()
    thread.join(60)
    assert out, "the coroutine did not finish"
    return out[0]


def test_stop_ends_the_hub_even_when_a_poll_times_out_at_that_moment(local_queue: LocalQueue) -> None:
    """Stopped 300 times while its poll and re-check waits time out every 0.2 ms, the hub's
    tasks end every time (Python 3.11's wait_for swallowed a cancel that met its timeout)."""
    async def main() -> list[float]:
        slow: list[float] = []
        for round_ in range(300):
            hub = EventHub(local_queue, poll_seconds=0.0002, recheck_seconds=0.0002,
                           live_credentials=lambda: frozenset({"x"}))
            await hub.start()
            await asyncio.sleep(0.001 * (round_ % 7))
            started = time.monotonic()
            await asyncio.wait_for(hub.stop(), 10)
            slow.append(time.monotonic() - started)
            assert all(task.done() for task in hub._tasks)
        return slow
    assert max(run(main())) < 2


def test_a_hub_started_again_after_stop_follows_the_queue(local_queue: LocalQueue) -> None:
    """start() after stop() opens the hub again: its tasks run and a new event wakes it."""
    async def main() -> bool:
        hub = EventHub(local_queue, poll_seconds=0.01)
        await hub.start()
        await hub.stop()
        await hub.start()
        await asyncio.sleep(0.05)
        running = not any(task.done() for task in hub._tasks)
        local_queue.issue(local_queue.config.counters[0].services[0])
        await asyncio.wait_for(hub.changed(), 5)
        await hub.stop()
        return running
    assert run(main())
