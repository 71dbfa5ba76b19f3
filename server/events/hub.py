"""Fan-out of queue events: one poller reads the queue's event table, encodes each new batch as
Server-Sent Events once, keeps the recent batches in a ring and wakes every stream (one future
each, set in one loop). Each stream then writes the bytes it has not sent yet — no
per-subscriber queue, no generator chain, no copy per subscriber. The next batch is read as
soon as every stream has written the last one, so events that come meanwhile go out together.
A stream that fell behind (a slow phone) catches up from the ring, or from the database if it
is further back; it never holds up the others.

The hub also re-checks, every RECHECK_SECONDS and at once when asked, that every open stream's
credential (device token or staff session) is still live, and ends the streams that lost it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from server.http.timeouts import wait_at_most
from server.served_queue import ServedQueue
from shared.core.errors import NovbeError
from shared.core.model import Event

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25        # catches writers outside this server (a local kiosk on the same file)
HEARTBEAT_SECONDS = 15.0   # a keep-alive to every stream after this long without events
RECHECK_SECONDS = 1.0      # how often open streams' credentials are checked again
BATCH = 500
RING_EVENTS = 4096         # events kept encoded for streams that are a little behind
DRAIN_SECONDS = 0.05       # the next broadcast waits for every stream to have written the last
                           # one, but never longer than this for a stream stuck on a slow socket
SLICE = 100                # streams written to between two turns of the event loop
SETTLE_SECONDS = 0.2       # a broadcast waits at most this long for the writes in flight
KEEP_ALIVE = b": keep-alive\n\n"
STOP_SECONDS = 5.0         # stop() waits at most this long for the hub's tasks to end


def sse_event(event: Event) -> bytes:
    """One event as a Server-Sent Event (`id:` is the event id)."""
    data = json.dumps(event.to_json(), ensure_ascii=False)
    return f"id: {event.id}\ndata: {data}\n\n".encode()


@dataclass
class Batch:
    """New events read at once, and their SSE text (encoded once for every stream)."""

    events: list[Event]
    encoded: bytes
    parts: list[bytes] = field(repr=False)

    @property
    def first_id(self) -> int:
        return self.events[0].id

    @property
    def last_id(self) -> int:
        return self.events[-1].id

    def after(self, cursor: int) -> bytes:
        """The text of the events after `cursor` (the whole batch when it is all new)."""
        if cursor < self.first_id:
            return self.encoded
        return b"".join(p for e, p in zip(self.events, self.parts, strict=True) if e.id > cursor)


def chunk(data: bytes) -> bytes:
    """Bytes as one HTTP/1.1 chunk (the framing of a response without Content-Length)."""
    return b"%x\r\n%b\r\n" % (len(data), data)


class Subscription:
    """An open stream as the hub sees it: the credential it was opened with (None: a phone's
    ticket token, which is never revoked), whether it must end, the last event id it has sent,
    and — while it is caught up and idle — how the hub may write the next batch to its socket
    itself (`direct`: returns False when it cannot, e.g. the socket's buffer is full)."""

    __slots__ = ("credential", "ended", "cursor", "direct", "waiter")

    def __init__(self, credential: str | None, cursor: int = 0):
        self.credential = credential
        self.ended = False
        self.cursor = cursor
        self.direct: Callable[[bytes], bool] | None = None
        self.waiter: asyncio.Future[None] | None = None


class EventHub:
    """Reads new events once and wakes the streams; streams resume from an event id."""

    def __init__(self, queue: ServedQueue, poll_seconds: float = POLL_SECONDS,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 live_credentials: Callable[[], frozenset[str]] | None = None,
                 recheck_seconds: float = RECHECK_SECONDS):
        self.queue = queue
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.recheck_seconds = recheck_seconds
        self.live_credentials = live_credentials
        self.last_id = 0
        self.beats = 0                      # heartbeats sent so far
        self._ring: deque[Batch] = deque()
        self._ring_events = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._wake: asyncio.Event | None = None
        self._recheck: asyncio.Event | None = None
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subs: set[Subscription] = set()
        self._parked = 0                    # streams waiting since the last broadcast
        self._broadcast_cost = 0.0          # seconds the last broadcast took on the loop
        self._drained: asyncio.Event | None = None
        self.closed = False
        # waits (at most the seconds given) while counter actions are still being written, so
        # that they are answered before their events go out (set by the app at start-up)
        self.settle: Callable[[float], Awaitable[None]] | None = None

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.closed = False
        self._wake = asyncio.Event()
        self._recheck = asyncio.Event()
        self._drained = asyncio.Event()
        self.last_id = await asyncio.to_thread(self.queue.last_event_id)
        self._tasks = [asyncio.create_task(self._run(), name="novbe-event-hub")]
        if self.live_credentials is not None:
            self._tasks.append(asyncio.create_task(self._watch(), name="novbe-stream-check"))

    def _call_in_loop(self, fn: Callable[[], object]) -> None:
        """Run `fn` on the hub's loop: at once when called on it (every route's write ends
        there: no wake-up of the loop through its self-pipe, a system call each), else soon."""
        if self._loop is None:
            return
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:                     # a thread of its own
            here = None
        if here is self._loop:
            fn()
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing
            self._loop.call_soon_threadsafe(fn)

    def poke(self) -> None:
        """Something was written: read now instead of at the next poll (thread-safe)."""
        if self._wake is not None:
            self._call_in_loop(self._wake.set)

    def recheck(self) -> None:
        """A session ended or a token was revoked here: check the open streams now
        (thread-safe)."""
        if self._recheck is not None:
            self._call_in_loop(self._recheck.set)

    # ---- the streams' side ----------------------------------------------------------------
    def subscribe(self, credential: str | None, cursor: int = 0) -> Subscription:
        sub = Subscription(credential, cursor)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)
        self._check_drained()

    def _check_drained(self) -> None:
        if self._drained is not None and self._parked >= len(self._subs):
            self._drained.set()

    async def idle(self, sub: Subscription, direct: Callable[[bytes], bool] | None) -> None:
        """A caught-up stream waits: the hub writes new batches and keep-alives to its socket
        itself (through `direct`) and wakes it only when it must act — it fell behind, its
        socket is full, or it must end."""
        assert self._loop is not None
        sub.direct = direct
        sub.waiter = self._loop.create_future()
        self._parked += 1
        self._check_drained()
        try:
            await sub.waiter
        finally:
            sub.direct = sub.waiter = None

    async def changed(self) -> None:
        """Wait until the next broadcast (for streams that filter events: the phone's)."""
        assert self._loop is not None
        waiter = self._loop.create_future()   # its own: a client leaving cancels only this
        self._waiters.append(waiter)
        await waiter

    def since(self, cursor: int) -> bytes | None:
        """The encoded events after `cursor` from the ring: b"" if there are none yet, None if
        the ring no longer reaches back that far (read the database instead)."""
        if cursor >= self.last_id:
            return b""
        if not self._ring or cursor < self._ring[0].first_id - 1:
            return None
        newest = self._ring[-1]
        if cursor >= newest.first_id - 1:
            return newest.after(cursor)     # the usual case: only the newest batch is news
        return b"".join(b.after(cursor) for b in self._ring if b.last_id > cursor)

    def events_since(self, cursor: int) -> list[Event] | None:
        """Like since(), as events (for streams that filter them)."""
        if cursor >= self.last_id:
            return []
        if not self._ring or cursor < self._ring[0].first_id - 1:
            return None
        return [e for b in self._ring if b.last_id > cursor for e in b.events if e.id > cursor]

    async def follow(self, after_id: int) -> AsyncIterator[list[Event]]:
        """Batches of events after `after_id`: stored ones first, then live ones; an empty batch
        at each heartbeat (so a stream can send a keep-alive). Ends when the hub closes."""
        cursor, beats = after_id, self.beats
        while not self.closed:
            fresh = self.events_since(cursor)
            if fresh is None:
                fresh = await asyncio.to_thread(self.queue.events, cursor, BATCH)
            if fresh:
                cursor = fresh[-1].id
                yield fresh
                continue
            if beats != self.beats:
                beats = self.beats
                yield []
                continue
            await self.changed()

    # ---- the hub's side -------------------------------------------------------------------
    def _broadcast(self, frame: bytes | None = None, after: int = -1,
                   until: int = -1) -> None:
        """Tell the streams: write `frame` (an HTTP chunk of the events after `after`, up to
        `until`; or a keep-alive when after == until) straight to every idle, caught-up stream
        that can take it; wake the others (and the filtering streams) to act themselves."""
        waiters = self._begin_broadcast()
        for sub in list(self._subs):
            self._offer(sub, frame, after, until)
        self._end_broadcast(waiters)

    async def _broadcast_in_slices(self, frame: bytes, after: int, until: int) -> float:
        """The same for a batch of events, SLICE streams at a time with the event loop free
        in between: a counter's request waits behind one slice, not behind a thousand
        writes. Returns the seconds spent writing."""
        waiters = self._begin_broadcast()
        subs = list(self._subs)
        cost = 0.0
        try:
            for start in range(0, len(subs), SLICE):
                if start:
                    await asyncio.sleep(0)
                started = time.perf_counter()
                for sub in subs[start:start + SLICE]:
                    self._offer(sub, frame, after, until)
                cost += time.perf_counter() - started
        finally:                  # even if cancelled between slices: no waiter is left behind
            self._end_broadcast(waiters)
        return cost

    def _begin_broadcast(self) -> list[asyncio.Future[None]]:
        self._parked = 0            # counted again: streams written to stay parked
        if self._drained is not None:
            self._drained.clear()
        waiters, self._waiters = self._waiters, []
        return waiters

    def _offer(self, sub: Subscription, frame: bytes | None, after: int, until: int) -> None:
        if sub.waiter is None or sub.waiter.done():  # busy or woken: it sees the news itself
            return
        if after < until and sub.cursor >= until and not sub.ended:
            return                 # it caught up by itself between two slices: still parked
        if (frame is not None and not sub.ended and sub.direct is not None
                and sub.cursor == after and sub.direct(frame)):
            sub.cursor = until
            self._parked += 1                     # still idle: nothing to wake
        else:
            sub.waiter.set_result(None)

    def _end_broadcast(self, waiters: list[asyncio.Future[None]]) -> None:
        self._check_drained()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _drain(self) -> None:
        """Let every stream write the last broadcast before the next one, and give the event
        loop as long again for everything else (requests) before the next: events that come
        meanwhile go out together, in one write per stream instead of one write each."""
        assert self._drained is not None
        await wait_at_most(self._drained, DRAIN_SECONDS)
        if self._broadcast_cost > 0:
            await asyncio.sleep(min(self._broadcast_cost, DRAIN_SECONDS))
            self._broadcast_cost = 0.0

    async def _publish(self, events: list[Event]) -> None:
        parts = [sse_event(e) for e in events]
        batch = Batch(events, b"".join(parts), parts)
        self._ring.append(batch)
        self._ring_events += len(events)
        while self._ring_events > RING_EVENTS and len(self._ring) > 1:
            self._ring_events -= len(self._ring.popleft().events)
        after, self.last_id = self.last_id, batch.last_id
        self._broadcast_cost = await self._broadcast_in_slices(chunk(batch.encoded), after,
                                                               batch.last_id)

    def _close_all(self) -> None:
        self.closed = True
        for sub in self._subs:
            sub.ended = True
        self._broadcast()

    def close_streams(self) -> None:
        """End every open stream (thread-safe): used before the server shuts down."""
        self._call_in_loop(self._close_all)

    async def stop(self) -> None:
        """End every stream and the hub's tasks (waits at most STOP_SECONDS for them; a
        cancel of stop() itself is never swallowed)."""
        self._close_all()
        for task in self._tasks:
            task.cancel()
        if not self._tasks:
            return
        done, pending = await asyncio.wait(self._tasks, timeout=STOP_SECONDS)
        for task in pending:
            log.error("event hub task %s did not stop", task.get_name())
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("event hub task %s had failed", task.get_name(),
                          exc_info=task.exception())

    async def _run(self) -> None:
        assert self._wake is not None and self._loop is not None
        loop = self._loop
        last_sent = loop.time()
        while not self.closed:
            await wait_at_most(self._wake, self.poll_seconds)
            await self._drain()            # the previous broadcast is written: read at once
            if self.settle is not None:    # … once the writes in flight are answered
                await self.settle(SETTLE_SECONDS)
            self._wake.clear()
            try:
                while True:
                    batch = await asyncio.to_thread(self.queue.events, self.last_id, BATCH)
                    if not batch:
                        break
                    await self._publish(batch)
                    last_sent = loop.time()
                    if len(batch) < BATCH:
                        break
            except NovbeError as exc:
                if self.queue.closed:
                    return      # closed under a server still stopping: nothing to follow
                log.warning("event hub cannot read events: %s", exc)
            except Exception:  # keep streaming whatever one bad read does
                log.exception("event hub read failed")
            if loop.time() - last_sent >= self.heartbeat_seconds:
                self.beats += 1
                self._broadcast(chunk(KEEP_ALIVE), self.last_id, self.last_id)
                last_sent = loop.time()

    async def _watch(self) -> None:
        """End the streams whose device token was revoked or whose staff session ended."""
        assert self._recheck is not None and self.live_credentials is not None
        while not self.closed:
            await wait_at_most(self._recheck, self.recheck_seconds)
            self._recheck.clear()
            if not any(s.credential for s in self._subs):
                continue
            try:
                live = await asyncio.to_thread(self.live_credentials)
            except Exception as exc:  # the database is busy: check again next time
                log.warning("cannot re-check open streams: %s", exc)
                continue
            lost = [s for s in self._subs if s.credential and s.credential not in live]
            for sub in lost:
                sub.ended = True
            if lost:
                self._broadcast()
