"""Following the server's queue events (Server-Sent Events, read by httpx-sse), resuming after
the last event id seen and reconnecting with back-off — what a remote board reads instead of
polling its own database."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator

import httpx
from httpx_sse import EventSource, SSEError

from shared.backoff import Backoff
from shared.client.api_table import EVENT_STREAM
from shared.core.errors import QueueUnavailable
from shared.core.model import Event

log = logging.getLogger(__name__)

STREAM_PATH = EVENT_STREAM.url()
RETRY_FIRST, RETRY_MAX = 0.2, 5.0


class EventStream:
    """One connection to the server's event stream; iterate it for Events.

    Iteration ends (raising QueueUnavailable) when the connection drops; `last_id` tells where
    to resume. close() from another thread stops it."""

    def __init__(self, url: str, token: str, after_id: int | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 45.0,
                 on_open: Callable[[], None] | None = None):
        self.on_open = on_open
        self.url = url.rstrip("/")
        self.token = token
        self.last_id = after_id
        self._timeout = httpx.Timeout(connect_timeout, read=read_timeout)
        self._client: httpx.Client | None = None
        self._socket: socket.socket | None = None
        self._closed = threading.Event()

    def close(self) -> None:
        """Stop reading: the connection is shut down under the reading thread (closing the
        client alone does not wake a read blocked until the next event or keep-alive)."""
        self._closed.set()
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):      # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)
        client = self._client
        if client is not None:
            client.close()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __iter__(self) -> Iterator[Event]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream",
                   "Cache-Control": "no-store"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        self._client = httpx.Client(base_url=self.url, timeout=self._timeout)
        try:
            with self._client.stream("GET", STREAM_PATH, headers=headers) as response:
                if response.status_code != 200:
                    response.read()
                    raise QueueUnavailable(
                        f"the event stream of {self.url} answered {response.status_code}: "
                        f"{response.text[:200]}")
                stream = response.extensions.get("network_stream")
                self._socket = stream.get_extra_info("socket") if stream is not None else None
                if self.closed:             # closed while connecting: nothing to shut down then
                    return
                events = EventSource(response).iter_sse()
                if self.on_open is not None:
                    self.on_open()
                for sse in events:
                    if not sse.data:            # the greeting's retry, a keep-alive
                        continue
                    event = Event.from_json(json.loads(sse.data))
                    self.last_id = int(sse.id) if sse.id else event.id
                    yield event
        except (httpx.HTTPError, SSEError, RuntimeError, ValueError) as exc:
            if not self.closed:
                raise QueueUnavailable(f"the event stream of {self.url} broke: {exc}") from exc
        finally:
            self._client.close()
        if not self.closed:
            raise QueueUnavailable(f"the event stream of {self.url} ended")


class EventStreamFeed:
    """A board's push feed over the server's event stream (shared.core.feed.EventFeed protocol).

    A background thread follows the stream, buffers events and calls `wakeup()`; when the
    stream drops it reconnects with Last-Event-ID (the server replays what was missed: no gaps,
    no repeats). While it is down, poll() raises QueueUnavailable once the buffer is drained."""

    def __init__(self, url: str, token: str, interval_ms: int = 250):
        self.url = url
        self.token = token
        self.interval_ms = interval_ms
        self.after_id = 0
        self.connected = False
        self.reconnects = 0
        self._received = 0
        self._buffer: deque[Event] = deque()
        self._lock = threading.Lock()
        self._problem: str | None = None
        self._stop = threading.Event()
        self._stream: EventStream | None = None
        self._thread: threading.Thread | None = None
        self._wakeup: Callable[[], None] | None = None
        self._backoff = Backoff(RETRY_FIRST, RETRY_MAX)

    def start(self, after_id: int, wakeup: Callable[[], None] | None = None) -> None:
        self.after_id = self._received = after_id
        self._wakeup = wakeup
        self._thread = threading.Thread(target=self._run, name="novbe-event-feed", daemon=True)
        self._thread.start()

    def _wake(self) -> None:
        if self._wakeup is not None:
            try:
                self._wakeup()
            except Exception:
                log.exception("event feed wakeup failed")

    def _opened(self) -> None:
        with self._lock:
            if self._problem is not None:
                self.reconnects += 1
            self._problem = None
            self.connected = True
            self._backoff.succeeded()
        self._wake()

    def _run(self) -> None:
        while not self._stop.is_set():
            stream = EventStream(self.url, self.token, after_id=self._received,
                                 on_open=self._opened)
            self._stream = stream
            try:
                for event in stream:
                    with self._lock:
                        self._buffer.append(event)
                        self._received = event.id
                    self._wake()
            except QueueUnavailable as exc:
                with self._lock:
                    self._problem = str(exc)
                    self.connected = False
                self._wake()
            with self._lock:
                wait = self._backoff.failed()
            if self._stop.wait(wait):
                break

    def poll(self) -> list[Event]:
        with self._lock:
            if self._buffer:
                events = list(self._buffer)
                self._buffer.clear()
                self.after_id = events[-1].id
                return events
            if self._problem is not None:
                raise QueueUnavailable(self._problem)
            return []

    def close(self) -> None:
        self._stop.set()
        if self._stream is not None:
            self._stream.close()
        if self._thread is not None:
            self._thread.join(5)
