"""The centre's bookings link to the central PostgreSQL, opened by the centre beside event
shipping: it pulls the centre's national bookings and cancellations since its cursor and hands
them to the ledger's `merge_national` with the time through which the national list is final,
and pushes the centre's own free seats per slot for the national desk's page (what changed
since the last push central committed, server/shipping/seats_push.py). Status changes
made here (checked in, no-show, cancelled at the desk) travel as shipped events, applied there
by the database (central/bookings/schema.py). With the link down the centre goes on alone."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from server.served_queue import ServedQueue
from server.shipping import seats_push
from server.shipping.link import (
    PULL_LOCK,
    SCHEMA,
    CentralUnavailable,
    connect,
    reaching_central,
    redact,
)
from shared.backoff import Backoff
from shared.bookings.errors import BookingConflict
from shared.bookings.ledger import BookingLedger
from shared.bookings.model import Booking
from shared.bookings.slots import slot_day
from shared.config.central import CentralSettings
from shared.core.service_day import day_start, service_day

log = logging.getLogger(__name__)

PULL_BATCH = 5000
PUSH_DAYS = 14              # the centre's free seats pushed for today and this many days ahead
EVERY_S = 15.0              # a sync round this often while the link is up
BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 60.0
STATEMENT_TIMEOUT_MS = 15_000
FIELDS = ("id, centre_id, service, slot_start, code, lang, channel, made_by, status, name, "
          "phone, created_at, updated_at, ticket, changed")


@dataclass
class LinkState:
    """What the link knows between rounds (kept beside the queue file, for status offline)."""

    cursor: int = 0                 # the central `changed` number merged through
    pulled_at: float | None = None  # the centre's clock at the last good pull
    final_through: float = 0.0
    reachable: bool | None = None
    last_error: str | None = None
    conflicts: int = 0              # national bookings whose code an open local one held
    push_rows: int = 0              # rows the last push wrote or deleted on central
    push_whole: bool = False        # whether it replaced the centre's seats there whole

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class BookingLink:
    """One centre's link; `sync()` in the caller's thread or `start()` a thread of its own."""

    def __init__(self, ledger: BookingLedger, settings: CentralSettings, state_path: Path,
                 wall_clock: Callable[[], float] = time.time, every_s: float = EVERY_S):
        self.ledger = ledger
        self.settings = settings
        self.centre_id = settings.centre_id
        self.state_path = state_path
        self.wall_clock = wall_clock
        self.every_s = every_s
        self.state = read_state(state_path)
        self._seats_path = seats_push.seats_path_for(state_path)
        self._pushed = seats_push.read_pushed(self._seats_path)
        self._pg: psycopg.Connection | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- one round -----------------------------------------------------------------------------

    def sync(self) -> int:
        """Pull and merge every national change, then push the free seats; returns how many
        bookings changed here. CentralUnavailable when the central database cannot be had."""
        with self._lock:
            url = redact(self.settings.url)
            with reaching_central(lambda why: f"bookings link to {url}: {why}", self._close,
                                  self._failed):
                changed = self._pull_all()
                self._push()
            self.state.reachable, self.state.last_error = True, None
            self.state.pulled_at = self.wall_clock()
            self._save()
            return changed

    def _central(self) -> psycopg.Connection:
        if self._pg is None or self._pg.closed or self._pg.broken:
            self._pg = connect(self.settings.url, autocommit=True,
                               app=f"novbe-bookings-{self.centre_id}")
            self._pg.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        return self._pg

    def _pull_all(self) -> int:
        changed = 0
        while True:
            rows, cursor, final_through, whole, config_from = self._pull_once()
            bookings = [Booking.of_row(r) for r in rows]   # FIELDS, `changed` left off
            changed += self._merge(bookings, final_through if whole else self.state.final_through,
                                   config_from if whole else None)
            self.state.cursor = cursor
            if whole:
                self.state.final_through = max(self.state.final_through, final_through)
                return changed

    def _pull_once(self) -> tuple[list[tuple[Any, ...]], int, float, bool, int | None]:
        """One batch of changes after the cursor, read while no booking of this centre is
        being written: every write begun before is in it, every later one reads a later clock
        and the config version central has now or a later one (its from-event id is returned:
        the national share the desk books under from now on is of that version or a later)."""
        pg = self._central()
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                       (PULL_LOCK, self.centre_id))
            row = pg.execute("SELECT extract(epoch FROM clock_timestamp())::float8").fetchone()
            now = float(row[0]) if row else 0.0
            rows = pg.execute(f"SELECT {FIELDS} FROM {SCHEMA}.bookings WHERE centre_id = %s "
                              "AND changed > %s ORDER BY changed LIMIT %s",
                              (self.centre_id, self.state.cursor, PULL_BATCH)).fetchall()
            whole = len(rows) < PULL_BATCH
            config = pg.execute(
                f"SELECT v.from_event_id FROM {SCHEMA}.config_versions v WHERE v.centre_id = %s "
                f"AND v.generation = coalesce((SELECT g.generation FROM {SCHEMA}.generations g "
                "WHERE g.centre_id = v.centre_id ORDER BY g.announced_at DESC, g.generation DESC "
                "LIMIT 1), '') ORDER BY v.from_event_id DESC, v.recorded_at DESC LIMIT 1",
                (self.centre_id,)).fetchone()
            pg.execute(f"INSERT INTO {SCHEMA}.booking_pulls (centre_id, pulled_at, final_through) "
                       "VALUES (%s, %s, %s) ON CONFLICT (centre_id) DO UPDATE SET "
                       "pulled_at = EXCLUDED.pulled_at, final_through = EXCLUDED.final_through",
                       (self.centre_id, now, now if whole else self.state.final_through))
        cursor = int(rows[-1][-1]) if rows else self.state.cursor
        return ([r[:-1] for r in rows], cursor, now, whole,
                None if config is None else int(config[0]))

    def _merge(self, bookings: list[Booking], final_through: float,
               central_config: int | None = None) -> int:
        try:
            return self.ledger.merge_national(bookings, final_through, central_config)
        except BookingConflict:
            changed = 0          # one code held here by an open local booking: place the rest
            for one in bookings:
                try:
                    changed += self.ledger.merge_national([one], final_through,
                                                          central_config)
                except BookingConflict as exc:
                    self.state.conflicts += 1
                    log.error("bookings link: %s (the national desk must give it a new code)",
                              exc)
            return changed

    def _push(self) -> None:
        """The centre's own free seats per service and slot, today and PUSH_DAYS ahead: only
        what changed since the last push central committed (server/shipping/seats_push.py)."""
        now = self.wall_clock()
        report = self.ledger.local_report(_today_start(self.ledger, now))
        current = seats_now(self.ledger, now, report.counts)
        pushed, figures = seats_push.push(self._central(), self.centre_id, self._pushed,
                                          current, now, (report.generation, report.version))
        self._pushed = pushed                   # committed: kept for the next round's diff
        seats_push.write_pushed(self._seats_path, pushed)
        self.state.push_rows, self.state.push_whole = figures.rows, figures.whole

    # -- running on its own ----------------------------------------------------------------------

    def start(self) -> BookingLink:
        self._thread = threading.Thread(target=self._loop, name="novbe-bookings-link",
                                        daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Sync now (a booking made or cancelled here: the national page sees it at once)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._close()

    def _loop(self) -> None:
        backoff = Backoff(BACKOFF_FIRST_S, BACKOFF_MAX_S)
        while not self._stop.is_set():
            try:
                self.sync()
            except CentralUnavailable as exc:
                log.warning("bookings link: %s; retrying in %.0f s", exc, backoff.current)
                self._sleep(backoff.failed())
                continue
            except Exception:       # never let the thread die: the centre goes on without it
                log.exception("bookings link: unexpected failure")
                self._close()
                self._sleep(backoff.failed())
                continue
            backoff.succeeded()
            self._sleep(self.every_s)

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _close(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()
        self._pg = None

    def _failed(self, why: str) -> None:
        self.state.reachable, self.state.last_error = False, why
        self._save()

    def _save(self) -> None:
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(self.state.to_json()))
            tmp.replace(self.state_path)


def seats_now(ledger: BookingLedger, now: float, local: dict[seats_push.Key, int] | None = None
              ) -> dict[seats_push.Key, seats_push.Seats]:
    """The centre's (free seats, own bookings) per (service, slot) today and PUSH_DAYS ahead,
    for every service a `[bookings]` capacity names (by itself, its category or "*"), and for
    every later slot the centre's own desk has booked (`local`: central caps its national
    seats with them, so none may be missing; read here when not given)."""
    config = ledger.config
    local = ledger.local_report(_today_start(ledger, now)).counts if local is None else local
    today = service_day(datetime.fromtimestamp(now, config.tz), config.tz,
                        config.day_reset_hour)
    booked = {c.service for c in config.bookings.capacity if c.seats > 0}
    services = [s for s in config.services.values() if {s.id, s.category, "*"} & booked]
    free = {(s.id, start): n for day in _days(today, PUSH_DAYS) for s in services
            for start, n in ledger.free_slots(s.id, day)}
    later = {(s, slot_day(config, at)) for s, at in local if (s, at) not in free}
    for service, day in later:
        if service in config.services:
            free.update(((service, start), n) for start, n in ledger.free_slots(service, day))
    return {key: (free.get(key, 0), local.get(key, 0)) for key in free.keys() | local.keys()}


def _today_start(ledger: BookingLedger, now: float) -> float:
    """When today's service day began: the centre's own bookings are counted from there, so
    a slot begun here but not yet at central's clock is reported with them too."""
    config = ledger.config
    today = service_day(datetime.fromtimestamp(now, config.tz), config.tz, config.day_reset_hour)
    return day_start(today, config.tz, config.day_reset_hour).timestamp()


def _days(first: date, ahead: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(ahead + 1)]


def state_path_for(db_path: str | Path) -> Path:
    """Where the link keeps its cursor and when it last pulled: beside the queue file."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".bookings.json")


def read_state(path: Path) -> LinkState:
    """The link's saved state (a fresh one when missing or unreadable: it pulls all again)."""
    try:
        data = json.loads(path.read_text())
        return LinkState(**{k: v for k, v in data.items() if k in LinkState.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return LinkState()


def start_for(queue: ServedQueue, db_path: str | Path | None) -> BookingLink | None:
    """The running link of a server whose centre ships to a central database and takes
    bookings, else None."""
    config = queue.config
    if config.central is None or db_path is None or not config.bookings.enabled:
        return None
    log.info("bookings of %s linked to %s", config.central.centre_id,
             redact(config.central.url))
    for change in (queue.bookings.share_lowered(), queue.bookings.share_raised()):
        if change is not None:              # the config as applied: say what it means
            log.warning("%s", change.said("en"))
    return BookingLink(queue.bookings, config.central, state_path_for(db_path)).start()


def status_line(db_path: str | Path, now: float) -> str:
    """When the bookings link last pulled the national list, and whether it can now (for
    `novbe central status` on the centre)."""
    state = read_state(state_path_for(db_path))
    if state.pulled_at is None:
        said = "bookings: the national list was never pulled on this machine"
    else:
        ago = now - state.pulled_at
        said = "bookings: national list last pulled " + (
            f"{ago:.0f} s" if ago < 120 else f"{ago / 60:.0f} min" if ago < 7200
            else f"{ago / 3600:.1f} h") + " ago"
    if state.reachable is False:
        said += f"; NOT reachable now ({state.last_error})"
    if state.conflicts:
        said += f"; {state.conflicts} national bookings could not be placed (code held here)"
    return said
