"""Event feeds: how a board learns, quickly and cheaply, that the queue has changed.

Every queue hands out its own feed (`Queue.event_feed()`); the interface the BoardController
consumes (Qt-free; a feed never touches widgets):

    class EventFeed(Protocol):
        interval_ms: int
            How often the board should call poll(); a push feed may say e.g. 250 and rely on
            its wakeup instead.
        def start(self, after_id: int, wakeup: Callable[[], None] | None = None) -> None
            Begin following events newer than `after_id`. A push feed calls `wakeup()` (from any
            thread, without arguments) whenever new events are buffered, so the board polls at
            once instead of at its next tick.
        def poll(self) -> list[Event]
            Return the new events, oldest first, each once (never blocking for long). Raise
            shared.core.errors.QueueUnavailable when the queue cannot be reached; the board then
            keeps its last state, shows a "reconnecting" mark and simply polls again later —
            the feed must resume after the last event it returned (no gaps, no repeats).
        def close(self) -> None
        reconnects: int
            How many times a push feed's connection came back; the board then asks for the
            config again (the server may have restarted with a new one). 0 for a local file.

LocalFeed (here, handed out by `LocalQueue.event_feed()`) follows the SQLite file: every `interval_ms` (50 ms) it reads
`PRAGMA data_version` on its own connection — a counter SQLite bumps when any other
connection commits, costing microseconds — and only when it moved does it read
`queue.events(after_id)`.

A remote board follows the server's event stream instead (shared/client/event_stream.py's
EventStreamFeed, handed out by `RemoteQueue.event_feed()`): SSE with Last-Event-ID for resume on
a background thread; when the stream drops, poll() raises QueueUnavailable until it has
reconnected and caught up with `queue.events(after_id)`.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from shared.core.errors import QueueUnavailable
from shared.core.model import Event

log = logging.getLogger(__name__)

PAGE = 500
SAFETY_EVERY = 40  # also read events every 40 polls (2 s) even if data_version stood still


class EventSource(Protocol):
    """What a LocalFeed reads: the queue's events after an id."""

    def events(self, after_id: int = 0, limit: int = 500) -> list[Event]: ...


class EventFeed(Protocol):
    """A source of new queue events for one board (see the module docstring)."""

    interval_ms: int
    reconnects: int

    def start(self, after_id: int, wakeup: Callable[[], None] | None = None) -> None: ...

    def poll(self) -> list[Event]: ...

    def close(self) -> None: ...


class LocalFeed:
    """Follows a LocalQueue's SQLite file through PRAGMA data_version on its own connection."""

    reconnects = 0  # a file does not drop

    def __init__(self, queue: EventSource, db_path: str | Path, interval_ms: int = 50):
        self.queue = queue
        self.db_path = Path(db_path)
        self.interval_ms = interval_ms
        self.after_id = 0
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._polls = 0

    def start(self, after_id: int, wakeup: Callable[[], None] | None = None) -> None:
        self.after_id = after_id
        self._version = None

    def _data_version(self) -> int:
        if self._conn is None:
            if not self.db_path.exists():
                raise QueueUnavailable(f"the queue database {self.db_path} is missing")
            self._conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True,
                                         isolation_level=None, check_same_thread=False)
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def poll(self) -> list[Event]:
        self._polls += 1
        try:
            version = self._data_version()
        except sqlite3.Error as exc:
            self._drop_connection()
            raise QueueUnavailable(f"cannot read the queue database: {exc}") from exc
        if version == self._version and self._polls % SAFETY_EVERY:
            return []
        self._version = version
        out: list[Event] = []
        while True:
            try:
                page = self.queue.events(self.after_id, PAGE)
            except sqlite3.Error as exc:
                raise QueueUnavailable(f"cannot read the queue's events: {exc}") from exc
            out += page
            if page:
                self.after_id = page[-1].id
            if len(page) < PAGE:
                return out

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def close(self) -> None:
        self._drop_connection()
