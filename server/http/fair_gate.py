"""A few at a time, fairly: expensive work (password checks, reports and exports) admitted
a few at a time per server, the waiting ones served by standing and then by whose turn it is.

Each piece of work comes with a key (the client's address, or its session) and a rank (0: in
good standing; higher: less so — e.g. the wrong passwords an address sent lately). A free slot
goes to the waiter with the lowest rank, then to the key that has had the fewest turns (those
it holds or waits for included), then to the earliest — so twenty addresses flooding the gate
cannot keep a newcomer waiting behind their attempts: it goes next. Waiters ranked `suspect`
or more may use all slots but `reserved` of them: a colleague signing in finds a free slot even
while suspects keep the others busy. A key may hold `per_key` places (running or waiting),
nobody waits longer than `max_wait` seconds, and a full queue (`max_waiting`) makes room for a
better-placed newcomer by turning its worst waiter away: whoever is refused gets Busy (429
with Retry-After). Turns are counted within one busy spell. One event loop: no lock needed."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from anyio import CapacityLimiter
from anyio.to_thread import run_sync

from shared.core.errors import NovbeError

T = TypeVar("T")
KEYS_REMEMBERED = 10_000     # keys whose last turn is remembered (bounded memory)


class Busy(NovbeError):
    """The server is already doing as much of this as it may at once: try again shortly."""

    def __init__(self, what: str, retry_after: float):
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"the server is busy with other {what}; try again in "
                         f"{self.retry_after} s")


@dataclass(order=True)
class _Waiter:
    rank: int
    turns: int
    seq: int
    future: asyncio.Future[None] = field(compare=False)


class FairGate:
    """At most `slots` pieces of work at once; see the module's docstring for the order."""

    def __init__(self, what: str, slots: int, *, per_key: int, max_wait: float,
                 reserved: int = 0, suspect: int = 1, max_waiting: int = 256):
        if not 0 <= reserved < slots:
            raise ValueError("reserved slots must leave at least one for everybody")
        self.what = what
        self.slots, self.per_key, self.max_wait = slots, per_key, max_wait
        self.reserved, self.suspect, self.max_waiting = reserved, suspect, max_waiting
        self.running = 0
        self.peak = 0                # the most that ran at once (a figure for tests and ops)
        self._waiting: list[_Waiter] = []
        self._held: dict[str, int] = {}
        self._turns: OrderedDict[str, int] = OrderedDict()
        self._seq = itertools.count(1)
        self._threads: CapacityLimiter | None = None

    @property
    def waiting(self) -> int:
        return sum(1 for w in self._waiting if not w.future.done())

    def _may_start(self, rank: int) -> bool:
        return self.running < (self.slots if rank < self.suspect
                               else self.slots - self.reserved)

    @contextlib.asynccontextmanager
    async def turn(self, key: str, rank: int = 0) -> AsyncIterator[None]:
        """Hold one slot for the body of the `async with`; Busy if none comes in time."""
        if self._held.get(key, 0) >= self.per_key:
            raise Busy(self.what, self.max_wait / 2)
        if self.waiting >= self.max_waiting:
            self._make_room(rank, key)
        self._held[key] = self._held.get(key, 0) + 1
        try:
            await self._wait(rank, key)
            self._turns[key] = self._turns.get(key, 0) + 1
            self._turns.move_to_end(key)
            while len(self._turns) > KEYS_REMEMBERED:
                self._turns.popitem(last=False)
            try:
                yield
            finally:
                self.running -= 1
                self._hand_on()
                if not self.running and not self.waiting:
                    self._turns.clear()     # turns are counted within one busy spell
        finally:
            left = self._held[key] - 1
            if left:
                self._held[key] = left
            else:
                del self._held[key]

    async def _wait(self, rank: int, key: str) -> None:
        waiter = _Waiter(rank, self._turns.get(key, 0) + self._held[key] - 1, next(self._seq),
                         asyncio.get_running_loop().create_future())
        if len(self._waiting) > 2 * self.max_waiting:     # drop those who gave up
            self._waiting = [w for w in self._waiting if not w.future.done()]
            heapq.heapify(self._waiting)
        heapq.heappush(self._waiting, waiter)
        self._hand_on()
        try:
            async with asyncio.timeout(self.max_wait):
                await waiter.future
        except BaseException as exc:
            future = waiter.future
            if future.done() and not future.cancelled() and future.exception() is None:
                self.running -= 1           # handed a slot just as we gave up: pass it on
                self._hand_on()
            else:
                future.cancel()
            if isinstance(exc, TimeoutError):
                raise Busy(self.what, self.max_wait / 2) from None
            raise

    def _make_room(self, rank: int, key: str) -> None:
        """The queue is full: the worst waiter makes room for a better newcomer (Busy for it),
        else the newcomer is Busy — a full queue of suspects never shuts a colleague out."""
        live = [w for w in self._waiting if not w.future.done()]
        worst = max(live)
        if (worst.rank, worst.turns) <= (rank, self._turns.get(key, 0) + self._held.get(key, 0)):
            raise Busy(self.what, self.max_wait / 2)
        worst.future.set_exception(Busy(self.what, self.max_wait / 2))

    def _hand_on(self) -> None:
        """Give free slots to the best waiters that may take them (lowest rank first: once
        the best is a suspect and only the reserve is free, nobody else may take it)."""
        while self._waiting:
            best = self._waiting[0]
            if best.future.done():
                heapq.heappop(self._waiting)        # gave up meanwhile
                continue
            if not self._may_start(best.rank):
                return
            heapq.heappop(self._waiting)
            self.running += 1
            self.peak = max(self.peak, self.running)
            best.future.set_result(None)

    async def run(self, key: str, fn: Callable[..., T], *args: Any, rank: int = 0) -> T:
        """Run `fn(*args)` in a worker thread during a turn (the gate's own threads, as many
        as its slots: the work never takes the threads other requests use)."""
        async with self.turn(key, rank):
            if self._threads is None:
                self._threads = CapacityLimiter(self.slots)
            return await run_sync(fn, *args, limiter=self._threads)


def release_memory() -> None:
    """Hand freed heap back to the system after big work (an export builds its whole workbook
    in memory; glibc keeps freed arenas otherwise, so the process stayed at its peak)."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    with contextlib.suppress(OSError, AttributeError):
        if name:
            ctypes.CDLL(name).malloc_trim(0)
