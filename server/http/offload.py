"""Work that may wait for the database, off the event loop, in separate lanes: a queue write
stuck behind another process's lock can hold only the few write threads, never the threads
that reads, session look-ups and password checks use — so boards, phones and /api/health
keep answering while writers wait. Password checks, exports and plan runs have their own
gates and threads (server/http/fair_gate.py).

Each lane is a thread pool of its own size, reached with the event loop's run_in_executor:
anyio's run_sync (a capacity limiter, a cancel scope and a checkpoint per call) cost the event
loop a sixth of its time per issue with eight kiosks. A call once started is waited for even
when its request is cancelled (as anyio's run_sync did): a write is never left running
unseen, and `writing` counts it until it ends."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request

from server.http.timeouts import wait_at_most

T = TypeVar("T")

READ_THREADS = 24
WRITE_THREADS = 6      # SQLite takes one writer at a time: more threads would only wait


@dataclass
class Lanes:
    """The app's thread lanes (made inside the running event loop, at start-up)."""

    read: ThreadPoolExecutor
    write: ThreadPoolExecutor
    writing: int = 0                                   # writes in flight
    settled: asyncio.Event = field(default_factory=asyncio.Event)   # set while none is

    @classmethod
    def create(cls) -> Lanes:
        lanes = cls(ThreadPoolExecutor(READ_THREADS, thread_name_prefix="novbe-read"),
                    ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="novbe-write"))
        lanes.settled.set()
        return lanes

    def close(self) -> None:
        """Let the lanes' threads end once their work is done (at the server's shutdown)."""
        self.read.shutdown(wait=False)
        self.write.shutdown(wait=False)

    async def writes_settled(self, at_most: float) -> None:
        """Return once no write is in flight, or after `at_most` seconds: the event hub waits
        for this, so a burst of Nexts is answered first and its events go out together."""
        if self.writing:
            await wait_at_most(self.settled, at_most)


def lanes_of(request: Request) -> Lanes:
    return request.app.state.lanes


async def read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run a read (or a look-up) in the read lane."""
    return await in_lane(lanes_of(request).read, fn, *args)


async def write(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run something that writes to the database in the write lane."""
    lanes = lanes_of(request)
    lanes.writing += 1
    lanes.settled.clear()
    try:
        return await in_lane(lanes.write, fn, *args)
    finally:
        lanes.writing -= 1
        if not lanes.writing:
            lanes.settled.set()


async def in_lane(lane: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on one of the lane's threads, in this task's context; cancelled before it
    started, it never runs; once started, it is waited for and then the cancel goes on."""
    context = contextvars.copy_context()
    job = lane.submit(context.run, fn, *args)
    done = asyncio.wrap_future(job)
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        if not job.cancel():                 # running already: let it end first
            while not done.done():
                try:
                    await asyncio.shield(done)
                except asyncio.CancelledError:
                    continue
                except Exception:  # noqa: BLE001 - the cancel is what this task reports
                    break
        raise
