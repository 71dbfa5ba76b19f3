"""Fan-out of queue events: one poller reads the queue's event table and hands each new batch to
every subscriber's asyncio queue — one database read per batch, however many subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator

from shared.errors import NovbeError
from shared.model import Event
from shared.queue import Queue

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25        # catches writers outside this server (a local kiosk on the same file)
HEARTBEAT_SECONDS = 15.0   # an empty batch to every subscriber after this long without events
GAP_PER_SUBSCRIBER = 100e-6  # under load, wait this long per subscriber between broadcasts…
MAX_GAP_SECONDS = 0.1      # …but never longer: many writes in a burst become one batch
BATCH = 500
ENCODED_CACHE = 4096       # events kept encoded for the streams
SUBSCRIBER_BACKLOG = 1000  # batches; a subscriber this far behind is dropped (it reconnects)


class _Closed:
    """Sentinel put on subscriber queues when the hub stops."""


CLOSED = _Closed()


class EventHub:
    """Reads new events once and broadcasts them; subscribers resume from an event id."""

    def __init__(self, queue: Queue, poll_seconds: float = POLL_SECONDS,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS):
        self.queue = queue
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.last_id = 0
        self._subscribers: set[asyncio.Queue] = set()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._encoded: OrderedDict[int, str] = OrderedDict()
        self._last_batch: tuple[tuple[int, int, int] | None, bytes] = (None, b"")

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

    def _close_all(self) -> None:
        self._closed = True
        for sub in list(self._subscribers):
            sub.put_nowait(CLOSED)

    async def stop(self) -> None:
        self._close_all()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def close_streams(self) -> None:
        """End every open stream (thread-safe): used before the server shuts down."""
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._close_all)

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        last = last_sent = loop.time()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            gap = min(MAX_GAP_SECONDS, GAP_PER_SUBSCRIBER * len(self._subscribers))
            wait = last + gap - loop.time()
            if wait > 0:   # the last batch went out just now: let this one gather more events
                await asyncio.sleep(wait)
            self._wake.clear()
            last = loop.time()
            try:
                while True:
                    batch = await asyncio.to_thread(self.queue.events, self.last_id, BATCH)
                    if not batch:
                        break
                    self.last_id = batch[-1].id
                    self._broadcast(batch)
                    last_sent = loop.time()
                    if len(batch) < BATCH:
                        break
            except NovbeError as exc:
                log.warning("event hub cannot read events: %s", exc)
            except Exception:  # keep streaming whatever one bad read does
                log.exception("event hub read failed")
            if loop.time() - last_sent >= self.heartbeat_seconds:
                self._broadcast([])
                last_sent = loop.time()

    def _broadcast(self, batch: list[Event]) -> None:
        for sub in list(self._subscribers):
            if sub.qsize() >= SUBSCRIBER_BACKLOG:
                self._subscribers.discard(sub)
                sub.put_nowait(CLOSED)
            else:
                sub.put_nowait(batch)

    def sse_batch(self, batch: list[Event]) -> bytes:
        """A batch as Server-Sent Events, encoded once for all the subscribers sending it."""
        key = (batch[0].id, batch[-1].id, len(batch))
        if self._last_batch[0] != key:
            self._last_batch = (key, "".join(self.sse(e) for e in batch).encode())
        return self._last_batch[1]

    def sse(self, event: Event) -> str:
        """The event as one Server-Sent Event, encoded once however many subscribers send it."""
        text = self._encoded.get(event.id)
        if text is None:
            data = json.dumps(event.to_json(), ensure_ascii=False)
            text = f"id: {event.id}\ndata: {data}\n\n"
            self._encoded[event.id] = text
            if len(self._encoded) > ENCODED_CACHE:
                self._encoded.popitem(last=False)
        return text

    async def follow(self, after_id: int) -> AsyncIterator[list[Event]]:
        """Batches of events after `after_id`: first the stored backlog, then live ones; an
        empty batch now and then when nothing happens (so a stream can send a keep-alive)."""
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
                batch = await sub.get()
                if batch is CLOSED:
                    return
                if not batch:
                    yield batch
                    continue
                fresh = batch if batch[0].id > sent else [e for e in batch if e.id > sent]
                if fresh:
                    sent = fresh[-1].id
                    yield fresh
        finally:
            self._subscribers.discard(sub)
