"""Work that may wait for the database, off the event loop, in separate lanes: a queue write
stuck behind another process's lock can hold only the few write threads, never the threads
that reads, session look-ups and password checks use — so boards, phones and /api/health
keep answering while writers wait. Password checks, exports and plan runs have their own
gates and threads (server/http/fair_gate.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from anyio import CapacityLimiter
from anyio.to_thread import run_sync
from fastapi import Request

from server.http.timeouts import wait_at_most

T = TypeVar("T")

READ_THREADS = 24
WRITE_THREADS = 6      # SQLite takes one writer at a time: more threads would only wait


@dataclass
class Lanes:
    """The app's thread lanes (made inside the running event loop, at start-up)."""

    read: CapacityLimiter
    write: CapacityLimiter
    writing: int = 0                                   # writes in flight
    settled: asyncio.Event = field(default_factory=asyncio.Event)   # set while none is

    @classmethod
    def create(cls) -> Lanes:
        lanes = cls(CapacityLimiter(READ_THREADS), CapacityLimiter(WRITE_THREADS))
        lanes.settled.set()
        return lanes

    async def writes_settled(self, at_most: float) -> None:
        """Return once no write is in flight, or after `at_most` seconds: the event hub waits
        for this, so a burst of Nexts is answered first and its events go out together."""
        if self.writing:
            await wait_at_most(self.settled, at_most)


def lanes_of(request: Request) -> Lanes:
    return request.app.state.lanes


async def read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run a read (or a look-up) in the read lane."""
    return await run_sync(fn, *args, limiter=lanes_of(request).read)


async def write(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run something that writes to the database in the write lane."""
    lanes = lanes_of(request)
    lanes.writing += 1
    lanes.settled.clear()
    try:
        return await run_sync(fn, *args, limiter=lanes.write)
    finally:
        lanes.writing -= 1
        if not lanes.writing:
            lanes.settled.set()
