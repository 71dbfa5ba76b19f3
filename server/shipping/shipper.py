"""Shipping a centre's event log to the central PostgreSQL, in the background.

- Ships the queue file's current history, its generation (shared/store/identity.py): a restored
  or copied file ships its new history as a new generation, never colliding with the old one.
- Resumes from what the central database acknowledged: the highest event id it holds for this
  centre's generation up to the newest event here (read from PostgreSQL at each (re)connection,
  then advanced by each committed batch); a gap below it (rows the owner dropped) is found by
  counting and shipped again. Ids the central copy holds beyond the newest one here cannot be
  placed: an alert (`ship_alerts`, the log, the status), and shipping goes on.
- Idempotent: rows go in with ON CONFLICT (centre_id, generation, id) DO NOTHING, so a batch
  delivered twice (a retry after a lost acknowledgement, two shippers at once) changes nothing —
  and a row the central copy holds already is compared with the one here: one that differs is
  an alert too, never hidden.
- Never loses an event: SQLite hands out event ids in commit order under one writer, so
  "every id above the acknowledged one, in order" is exactly what is missing; nothing is marked
  shipped locally, so nothing can be marked wrongly.
- Never slows the queue: its own thread and its own read-only SQLite connection (WAL: readers
  never wait for the writer, nor the writer for them); it never touches the server's event loop.
- When PostgreSQL is down it retries with back-off (1 s doubling to 60 s); the centre works on.

The config versions (names and targets as they were, shared/config/versions.py) go with the
events in the same transaction."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg

from server.shipping import placing
from server.shipping.batches import (
    EVENT_READ,
    GENERATION_INSERT,
    local_pending,
    open_reader,
    refusals,
    ship_batch,
)
from server.shipping.link import (
    CentralUnavailable,
    connect,
    first_line,
    reaching_central,
    redact,
)
from shared.backoff import Backoff
from shared.config import versions as config_versions
from shared.config.central import CentralSettings
from shared.config.centre import CentreConfig
from shared.store import identity
from shared.store.database import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
# A shipper thread shares its process's interpreter lock: while catching up a backlog it works
# at most this share of the time. (The server ships from a process of its own instead,
# server/shipping/process.py: bench/central.py measured call_next p99 of 8–36 ms with a thread
# shipping in the server's process against 8–13 ms without.)
THREAD_DUTY = 0.2
IDLE_POLL_S = 1.0
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 60.0
STATEMENT_TIMEOUT_MS = 60_000

@dataclass(frozen=True)
class ShippingStatus:
    """How far behind the central copy is."""

    centre_id: str
    local_last_id: int          # the newest event of the centre
    acknowledged_id: int | None  # the newest event the central database holds (None: unknown)
    pending: int | None         # events not yet in the central copy
    oldest_pending_at: float | None  # epoch seconds of the oldest of them
    reachable: bool | None      # the last attempt reached PostgreSQL (None: not tried yet)
    last_error: str | None
    last_shipped_at: float | None  # wall-clock time of the last acknowledged batch
    known_from: str             # "central" (asked now), "shipper" (live) or "last-known"
    generation: str = ""        # the queue file's history being shipped
    differs: int = 0            # events the central copy holds that differ from this file's
    unplaced: int = 0           # ids it holds beyond the newest event here

    @property
    def up_to_date(self) -> bool:
        """Nothing waiting and nothing the central copy holds otherwise than this file."""
        return not self.pending and not self.differs and not self.unplaced

    def lag_seconds(self, now: float) -> float:
        """Age of the oldest event not yet shipped (0 when caught up)."""
        return max(0.0, now - self.oldest_pending_at) if self.oldest_pending_at else 0.0

    def to_json(self, now: float | None = None) -> dict[str, Any]:
        data = asdict(self)
        data["lag_seconds"] = round(self.lag_seconds(now if now is not None else time.time()), 1)
        return data


class Shipper:
    """Ships one centre's events; `ship_pending()` in the caller's thread, or `start()` a
    thread of its own that keeps the central copy up to date until `stop()`."""

    def __init__(self, db_path: str | Path, settings: CentralSettings,
                 config: CentreConfig | None = None, *, batch_size: int = BATCH_SIZE,
                 idle_poll_s: float = IDLE_POLL_S, backoff_max_s: float = BACKOFF_MAX_S,
                 duty: float = THREAD_DUTY, wall_clock: Callable[[], float] = time.time,
                 events: tuple[Any, Any] | None = None):
        self.db_path = Path(db_path)
        self.settings = settings
        self.centre_id = settings.centre_id
        self.config = config
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.backoff_max_s = backoff_max_s
        self.duty = duty
        self.wall_clock = wall_clock
        self._pg: psycopg.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._ack: int | None = None
        self._generation = ""
        self._differs = 0
        self._unplaced = 0
        self._versions_shipped: set[tuple[str, int]] = set()
        self._reachable: bool | None = None
        self._last_error: str | None = None
        self._last_shipped_at: float | None = None
        self._lock = threading.Lock()        # one batch at a time per shipper
        # stop and wake: threading.Events, or a process's multiprocessing.Events
        self._stop: Any
        self._wake: Any
        self._stop, self._wake = events or (threading.Event(), threading.Event())
        self._thread: threading.Thread | None = None
        self.batches = 0

    # -- the work ---------------------------------------------------------------------------

    def _local(self) -> sqlite3.Connection:
        if self._reader is None:
            self._reader = open_reader(self.db_path)
        return self._reader

    def _central(self) -> psycopg.Connection:
        if self._pg is None or self._pg.closed or self._pg.broken:
            self._drop_central()
            pg = connect(self.settings.url, app=f"novbe-shipper-{self.centre_id}")
            pg.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            pg.commit()
            self._pg = pg
            local = self._local()
            self._generation = identity.generation(local)
            key = (self.centre_id, self._generation)
            with refusals(self.centre_id), pg.transaction():
                pg.execute(GENERATION_INSERT, key)
                where = placing.place(pg, local, *key)
                self._differs = placing.alerts(pg, key).get("differs", 0)
            self._ack, self._unplaced = where.acknowledged, where.unplaced
            saved = self.saved_state()        # rows this machine did not ship are sent again
            if saved.get("generation") == self._generation and \
                    isinstance(saved.get("acknowledged_id"), int):
                self._ack = min(self._ack, saved["acknowledged_id"])   # …and compared
            self._versions_shipped.clear()
        return self._pg

    def _drop_central(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()
        self._pg = None
        self._ack = None

    def record_config(self) -> None:
        """Record the centre's config as in force from the next event (once per version)."""
        if self.config is None:
            return
        conn = sqlite3.connect(str(self.db_path), timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None)
        try:
            config_versions.record(conn, self.config, self.wall_clock())
        finally:
            conn.close()

    def ship_pending(self, max_batches: int | None = None, duty: float = 1.0) -> int:
        """Ship every event the central copy lacks (or max_batches batches); returns how many
        events were sent. Raises CentralUnavailable when PostgreSQL cannot take them.
        With duty < 1, rest after each full batch so that shipping takes only that share of
        the time (the server's thread: a backlog never competes with the queue for long)."""
        sent = 0
        with self._lock:
            done = 0
            url = redact(self.settings.url)

            def failure(why: str) -> str:
                return f"shipping to {url} failed: {why}"
            while max_batches is None or done < max_batches:
                started = time.perf_counter()
                with reaching_central(failure, self._drop_central, self._failed):
                    n = self._one_batch()
                sent += n
                done += 1
                if n < self.batch_size or self._stop.is_set():
                    break
                if duty < 1.0:
                    self._stop.wait((time.perf_counter() - started) * (1 - duty) / duty)
        return sent

    def _one_batch(self) -> int:
        if self._pg is not None and identity.generation(self._local()) != self._generation:
            self._drop_central()      # the file was restored meanwhile: a new history to ship
        pg = self._central()
        after = self._ack or 0
        rows = self._local().execute(EVENT_READ, (after, self.batch_size)).fetchall()
        versions = [v for v in config_versions.versions(self._local())
                    if (v.hash, v.from_event_id) not in self._versions_shipped]
        if not rows and not versions:
            self._succeeded(None)
            return 0
        self._differs += ship_batch(pg, self.centre_id, self._generation, rows, versions)
        self._versions_shipped.update((v.hash, v.from_event_id) for v in versions)
        self.batches += 1
        self._succeeded(rows[-1][0] if rows else None)
        return len(rows)

    def _succeeded(self, last_id: int | None) -> None:
        self._reachable, self._last_error = True, None
        if last_id is not None:
            self._ack = max(self._ack or 0, int(last_id))
            self._last_shipped_at = self.wall_clock()
            self._save_state()

    def _failed(self, why: str) -> None:
        self._reachable, self._last_error = False, why
        self._save_state()

    # -- what the manager and `novbe central status` see ------------------------------------

    @property
    def state_path(self) -> Path:
        """Where the last acknowledged id is kept beside the queue file (for status offline)."""
        return self.db_path.with_name(self.db_path.name + ".central.json")

    def _save_state(self) -> None:
        ack, shipped_at = self._ack, self._last_shipped_at
        if ack is None:           # unreachable: keep what was acknowledged last
            ack, saved_at = self.last_known_ack()
            shipped_at = shipped_at or saved_at
        data = {"centre_id": self.centre_id, "acknowledged_id": ack, "shipped_at": shipped_at,
                "reachable": self._reachable, "last_error": self._last_error,
                "generation": self._generation, "differs": self._differs,
                "unplaced": self._unplaced}
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self.state_path)

    def saved_state(self) -> dict[str, Any]:
        """What the last batch or failure saved (any process; {} when nothing yet)."""
        try:
            data = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("centre_id") == self.centre_id else {}

    def last_known_ack(self) -> tuple[int | None, float | None]:
        """The acknowledged id and time saved by the last successful batch (any process)."""
        data = self.saved_state()
        return data.get("acknowledged_id"), data.get("shipped_at")

    def status(self, ask_central: bool = False) -> ShippingStatus:
        """How far behind the central copy is: from this shipper's own knowledge, or (with
        ask_central) read from PostgreSQL now, falling back to the last known acknowledgement."""
        source, ack, shipped_at = "shipper", self._ack, self._last_shipped_at
        if ask_central:
            try:
                with self._lock:
                    self._drop_central()
                    self._central()
                ack, source = self._ack, "central"
                self._reachable, self._last_error = True, None
            except (CentralUnavailable, psycopg.Error) as exc:
                self._failed(first_line(exc))
                ack = None
        if ack is None:
            ack, saved_at = self.last_known_ack()
            source, shipped_at = "last-known", shipped_at or saved_at
        reachable, error = self._reachable, self._last_error
        if reachable is None:     # not tried here: what the shipping process saw last
            saved = self.saved_state()
            reachable, error = saved.get("reachable"), saved.get("last_error")
        conn = open_reader(self.db_path)
        try:
            last, count, oldest = local_pending(conn, ack or 0)
            generation = identity.generation(conn)
        finally:
            conn.close()
        differs, unplaced = self._differs, self._unplaced
        if source != "central":   # what the shipping process found last, for this history
            saved = self.saved_state()
            if saved.get("generation", "") == generation:
                differs = max(differs, int(saved.get("differs") or 0))
                unplaced = max(unplaced, int(saved.get("unplaced") or 0))
        return ShippingStatus(self.centre_id, last, ack, count, oldest, reachable, error,
                              shipped_at, source, generation, differs, unplaced)

    # -- the background thread --------------------------------------------------------------

    def start(self) -> Shipper:
        """Ship in a thread of its own until stop()."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name=f"novbe-shipper-{self.centre_id}")
            self._thread.start()
        return self

    def push(self) -> None:
        """Ship now instead of at the next poll (and retry now after a failure)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread (it closes its own connections); a batch in flight that does not end
        within `timeout` is left to finish or fail on its own (daemon thread, nothing lost)."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            self.close()
            return
        thread.join(timeout)
        if thread.is_alive():
            log.warning("central copy: the shipper did not stop within %.0f s", timeout)

    def close(self) -> None:
        self._drop_central()
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self.close()

    def _loop(self) -> None:
        backoff = Backoff(min(BACKOFF_FIRST_S, self.backoff_max_s), self.backoff_max_s)
        try:
            self.record_config()
        except sqlite3.Error as exc:
            log.warning("could not record the config version for shipping: %s", exc)
        while not self._stop.is_set():
            try:
                self.ship_pending(duty=self.duty)
            except CentralUnavailable as exc:
                log.warning("central copy: %s; retrying in %.0f s", exc, backoff.current)
                self._sleep(backoff.failed())
                continue
            except sqlite3.Error as exc:
                log.error("central copy: reading the queue file failed: %s", exc)
                self._sleep(backoff.current)  # the file, not PostgreSQL: no longer each time
                continue
            except Exception:   # never let the thread die: the centre relies on it quietly
                log.exception("central copy: unexpected failure")
                self._drop_central()
                self._sleep(backoff.failed())
                continue
            backoff.succeeded()
            self._wait_for_news()

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _wait_for_news(self) -> None:
        """Sleep until there is something past the acknowledged id or the file's generation
        changed (checked each idle_poll_s: one indexed max(id) and one one-row read on the
        shipper's own connection), or push() / stop()."""
        while not self._stop.is_set():
            if self._wake.wait(self.idle_poll_s):
                self._wake.clear()
                return
            try:
                local = self._local()
                last = local.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
                if identity.generation(local) != self._generation:
                    return             # reshipped or restored meanwhile: a new history to ship
            except sqlite3.Error:
                return
            if last > (self._ack or 0):
                return
