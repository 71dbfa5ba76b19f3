"""Fan-out of queue events: one poller reads the queue's event table and hands each new batch to
every subscriber's asyncio queue — one database read per batch, however many subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from shared.errors import NovbeError
from shared.model import Event
from shared.queue import Queue

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25      # catches writers outside this server (a local kiosk on the same file)
BATCH = 500
SUBSCRIBER_BACKLOG = 1000  # batches; a subscriber this far behind is dropped (it reconnects)


class _Closed:
    """Sentinel put on subscriber queues when the hub stops."""


CLOSED = _Closed()


class EventHub:
    """Reads new events once and broadcasts them; subscribers resume from an event id."""

    def __init__(self, queue: Queue, poll_seconds: float = POLL_SECONDS):
        self.queue = queue
        self.poll_seconds = poll_seconds
        self.last_id = 0
        self._subscribers: set[asyncio.Queue] = set()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.listeners: list = []   # callables(batch) run on the loop after each broadcast

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.last_id = await asyncio.to_thread(self.queue.last_event_id)
        self._task = asyncio.create_task(self._run(), name="novbe-event-hub")

    def poke(self) -> None:
        """Something was written: read now instead of at the next poll (thread-safe)."""
        if self._loop is None or self._wake is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        self._closed = True
        for sub in list(self._subscribers):
            sub.put_nowait(CLOSED)
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def close_streams(self) -> None:
        """End every open stream (thread-safe): used before the server shuts down."""
        if self._loop is None:
            return

        def close() -> None:
            self._closed = True
            for sub in list(self._subscribers):
                sub.put_nowait(CLOSED)
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(close)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                while True:
                    batch = await asyncio.to_thread(self.queue.events, self.last_id, BATCH)
                    if not batch:
                        break
                    self.last_id = batch[-1].id
                    self._broadcast(batch)
                    if len(batch) < BATCH:
                        break
            except NovbeError as exc:
                log.warning("event hub cannot read events: %s", exc)
            except Exception:  # keep streaming whatever one bad read does
                log.exception("event hub read failed")

    def _broadcast(self, batch: list[Event]) -> None:
        for sub in list(self._subscribers):
            if sub.qsize() >= SUBSCRIBER_BACKLOG:
                self._subscribers.discard(sub)
                sub.put_nowait(CLOSED)
            else:
                sub.put_nowait(batch)
        for listener in self.listeners:
            try:
                listener(batch)
            except Exception:
                log.exception("event listener failed")

    async def follow(self, after_id: int,
                     heartbeat: float | None = None) -> AsyncIterator[list[Event]]:
        """Batches of events after `after_id`: first the stored backlog, then live ones; an
        empty batch every `heartbeat` seconds of silence (so a stream can send a keep-alive)."""
        if self._closed:
            return
        sub: asyncio.Queue = asyncio.Queue()
        self._subscribers.add(sub)
        try:
            sent = after_id
            while sent < self.last_id:  # catch up from the database
                backlog = await asyncio.to_thread(self.queue.events, sent, BATCH)
                if not backlog:
                    break
                yield backlog
                sent = backlog[-1].id
            while True:
                try:
                    batch = await asyncio.wait_for(sub.get(), heartbeat)
                except TimeoutError:
                    yield []
                    continue
                if batch is CLOSED:
                    return
                fresh = [e for e in batch if e.id > sent]
                if fresh:
                    sent = fresh[-1].id
                    yield fresh
        finally:
            self._subscribers.discard(sub)
