"""LocalQueue: the queue contract over the SQLite file — each change one BEGIN IMMEDIATE on the
writer connection with every guard checked inside it; reads on their own connections (WAL)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from shared.bookings.checkin import CheckIn
from shared.bookings.ledger import BookingLedger
from shared.config.centre import CentreConfig
from shared.core import corrections, devices, errors, presence, visits
from shared.core.assisted import Assisted, kiosk_printers, pending_prints
from shared.core.booked_order import CALL_ORDER, due_by
from shared.core.calling import call_next_in, serves_now
from shared.core.changes import newest_event
from shared.core.clock import Clock, SystemClock, to_epoch
from shared.core.counter_modes import set_mode
from shared.core.day_change import roll_day, stored_day
from shared.core.feed import LocalFeed
from shared.core.group_commit import GroupWriter
from shared.core.help_requests import acknowledge
from shared.core.issuing import IssueRequest, issue_in, wait_before, waiting_view
from shared.core.model import (
    FINISH_OUTCOMES,
    CounterMode,
    CounterState,
    Event,
    Outcome,
    Snapshot,
    Status,
    Ticket,
    VisitEnd,
)
from shared.core.profile_ops import ProfileOps
from shared.core.queue_tx import (
    EVENT_COLUMNS,
    TICKET_COLUMNS,
    TicketRow,
    Tx,
    event_from_row,
    find_ticket,
    ticket_by_id,
    ticket_from_row,
)
from shared.core.rating import check_score, rate_in
from shared.core.service_day import ServiceDays
from shared.core.snapshot import HallCache, counter_states, read_snapshot
from shared.core.transfers import transfer_in
from shared.store import database as store
from shared.store.checkpoints import Checkpointer
from shared.version import VERSION
from shared.waits.kept import BehindReads
from shared.waits.reading import WaitInputs, ahead_of, ticket_wait

T = TypeVar("T")


class LocalQueue(ProfileOps):
    """The queue in one SQLite file; safe to share between threads and processes.

    Writes go through one connection, one at a time, and those that arrive together share one
    commit; a write that cannot have the database within `write_timeout_s` fails at once with
    errors.QueueUnavailable instead of holding its caller.
    Reads run on a connection of their own per thread and never wait behind a write."""

    def __init__(self, path: str | Path, config: CentreConfig, clock: Clock | None = None,
                 write_timeout_s: float = store.BUSY_TIMEOUT_MS / 1000, verify: bool = True,
                 replay_behind: bool | None = None):
        """`verify`: run SQLite's quick_check over the whole file first (the apps that stay
        open do; a short CLI command skips it — about a second on a year of a busy centre —
        and relies on the header check and on damage met while working, both refused).
        `replay_behind`: the waits' fresh replays run on a worker thread of the queue's own
        while reads answer from the kept one (shared/waits/kept.py); by default on the real
        clock only — on a fake one (tests, the day simulator) the read replays, repeatably."""
        self.path = Path(path)
        self.config = config
        self.clock = clock or SystemClock()
        self.write_timeout_s = write_timeout_s
        self.db = store.connect(self.path, busy_timeout_ms=int(write_timeout_s * 1000))
        if verify:
            store.quick_check(self.db, self.path)
        self.db.conn.row_factory = sqlite3.Row
        self._checkpoints = Checkpointer(self.path, self.db.conn)   # off the write path
        self.writer = GroupWriter(self.db.conn, write_timeout_s,
                                   lambda exc: store.damaged(self.path, exc),
                                   self._checkpoints.committed)
        self._readers = threading.local()
        self._reader_list: list[store.ReadConnection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._wait_inputs = WaitInputs()   # the replay estimate's slowly changing inputs
        self._halls = HallCache()          # the board's snapshot as of the newest event
        if replay_behind is None:
            replay_behind = isinstance(self.clock, SystemClock)
        self._behind = BehindReads(self._read) if replay_behind else None
        self._wait_inputs.kept.background = self._behind
        self.bookings = BookingLedger(self)   # appointments, in this file's transactions

    @property
    def config(self) -> CentreConfig:
        return self._config_days[0]

    @config.setter
    def config(self, config: CentreConfig) -> None:
        # with its service days, swapped as one: a transaction never pairs one with the other's
        self._config_days = (config, ServiceDays(config.tz, config.day_reset_hour))

    @property
    def wait_inputs(self) -> WaitInputs:
        """The replay estimate's inputs kept between reads (shared/waits/reading.py)."""
        return self._wait_inputs

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close every connection — each only once the read or write in flight on it is done
        (another thread closing SQLite under a running statement crashes the process)."""
        if self._behind is not None:          # a replay under way finishes on its reader
            self._behind.close()
        with self._readers_lock:
            self._closed = True
            readers, self._reader_list = self._reader_list, []
        for reader in readers:
            reader.close()
        self._checkpoints.close()
        self.writer.close()

    # ---- transactions ---------------------------------------------------------------------
    def _new_tx(self, conn: sqlite3.Connection) -> Tx:
        now = self.clock.now()
        config, days = self._config_days
        at = to_epoch(now)
        return Tx(conn, config, now, at, days.date_of(at))

    @contextmanager
    def _tx(self) -> Iterator[Tx]:
        """One write (within the deadline, inside BEGIN IMMEDIATE, committed with the writes
        that came with it: shared/core/group_commit.py), after the day change if one is due."""
        with self.writer.change() as conn:
            tx = self._new_tx(conn)
            roll_day(tx)
            yield tx

    def _reader(self) -> store.ReadConnection:
        reader: store.ReadConnection | None = getattr(self._readers, "reader", None)
        if reader is None:
            with self._readers_lock:
                if self._closed:
                    raise errors.QueueUnavailable(f"the queue {self.path} is closed")
                reader = store.ReadConnection(self.path, self.write_timeout_s, sqlite3.Row)
                self._reader_list.append(reader)
            self._readers.reader = reader
        return reader

    def _read(self, fn: Callable[[Tx], T]) -> T:
        """Run reads in one snapshot on this thread's reader connection. If the service day has
        ended since the last write, first end it (a write), so a board or phone never shows
        yesterday's queue as waiting."""
        reader = self._reader()
        try:
            with reader.using() as conn:
                return self._read_on(conn, fn)
        except sqlite3.Error as exc:
            raise store.damaged(self.path, exc) from exc

    def _read_on(self, conn: sqlite3.Connection, fn: Callable[[Tx], T]) -> T:
        conn.execute("BEGIN")
        try:
            tx = self._new_tx(conn)
            last = stored_day(tx)
            if last is not None and last < tx.day.isoformat():
                conn.execute("COMMIT")
                with self._tx():
                    pass
                conn.execute("BEGIN")
                tx = self._new_tx(conn)
                last = stored_day(tx)
            if last is not None and last > tx.day.isoformat():
                tx.day = date.fromisoformat(last)          # the clock stepped back
            return fn(tx)
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    # ---- a ticket as the apps see it --------------------------------------------------------
    def _view(self, tx: Tx, row: TicketRow) -> Ticket:
        """The ticket as the apps see it; a waiting one with its people ahead and estimate."""
        if row["status"] == Status.WAITING:
            ahead = ahead_of(tx, row)
            return waiting_view(row, ahead, ticket_wait(tx, self._wait_inputs, row, ahead))
        return ticket_from_row(row)

    # ---- issuing (shared/core/issuing.py) ----------------------------------------------------
    def issue(self, service: str, priority: str | None = None, language: str = "az",
              source: str | None = None, check_hours: bool = False,
              request_id: str | None = None, assisted: Assisted | None = None) -> Ticket:
        """A numbered ticket for a service. With `request_id`, a retry of the same request on
        the same service day returns the ticket the first attempt issued, never a second one.
        `assisted`: issued for a visitor by a staff member or volunteer (shared/core/assisted.py)
        — the ticket's source and its event's are then the "assist" channel. Its wait is worked
        out in a read before the write, never inside it."""
        request = IssueRequest.of(self.config, service, priority, language, source,
                                  check_hours, request_id, assisted)
        before = self._read(lambda tx: wait_before(tx, self._wait_inputs, request))
        with self._tx() as tx:
            issued = issue_in(tx, request, before)
        if issued.earlier:
            return self._read(lambda tx: self._view(tx, ticket_by_id(tx, issued.row["id"])))
        return issued.ticket()

    def check_in(self, code: str, walk_in_if_early: bool = False,
                 source: str | None = None) -> CheckIn:
        """A booked visitor checks in by code (shared/bookings/checkin.py)."""
        return self.bookings.check_in(code, None, walk_in_if_early, source)

    def issued_for(self, request_id: str) -> Ticket:
        """Today's ticket issued for a kiosk's request id (a kiosk that gave up looks it up)."""
        def read(tx: Tx) -> Ticket:
            row = tx.ticket_row("service_day = ? AND request_id = ?",
                                (tx.day.isoformat(), str(request_id)))
            if row is None:
                raise errors.TicketNotFound(f"no ticket was issued today for request {request_id}")
            return self._view(tx, row)
        return self._read(read)

    # ---- counter work (the visit's steps: shared/core/visits.py) -------------------------------
    def call_next(self, counter: str, staff: str | None = None, expect: str | None = None,
                  holder: str | None = None) -> Ticket:
        """End the counter's current visit, then call the next ticket it may serve."""
        c = self.config.counter(counter)
        with self._tx() as tx:
            mode, old_staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, expect, mode, old_staff, holder)
            staff = staff or old_staff
            ended = visits.end_visit(tx, c.id, staff, visitor)
            row, _ = call_next_in(tx, c.id, mode, staff)
            if row is None:
                visits.open_for(tx, c.id, mode, staff)
            else:
                called = ticket_from_row(row)
                called.ended = ended
        if row is None:
            raise errors.NoTicketWaiting(f"nobody is waiting for counter {c.id}", ended)
        return called

    def call(self, counter: str, ticket: str, staff: str | None = None,
             expect: str | None = None, holder: str | None = None) -> Ticket:
        """Call one waiting ticket (by code or token) of a service this counter serves."""
        c = self.config.counter(counter)
        with self._tx() as tx:
            row = find_ticket(tx, ticket)
            mode, old_staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, expect, mode, old_staff, holder)
            visits.allow("call", row)
            if row["service"] not in serves_now(tx, c.id):
                raise errors.IllegalTransition(f"counter {c.id} does not serve {row['service']} "
                                        f"(ticket {row['code']})")
            staff = staff or old_staff
            ended = visits.end_visit(tx, c.id, staff, visitor)
            called = ticket_from_row(visits.call_ticket(tx, c.id, mode, staff, row["id"]))
            called.ended = ended
            return called

    def _at_counter(self, counter: str, action: str, expect: str | None, holder: str | None,
                    change: Callable[[Tx, str, str | None, TicketRow], VisitEnd | None]) -> Ticket:
        c = self.config.counter(counter)
        with self._tx() as tx:
            mode, staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, expect, mode, staff, holder)
            if visitor is None:
                raise errors.IllegalTransition(f"counter {c.id} has no visitor at the moment")
            visits.allow(action, visitor, f" at counter {c.id}")
            ended = change(tx, c.id, staff, visitor)
            ticket = self._view(tx, ticket_by_id(tx, visitor["id"]))
            ticket.ended = ended
            return ticket

    def recall(self, counter: str, expect: str | None = None, holder: str | None = None) -> Ticket:
        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> None:
            tx.conn.execute("UPDATE tickets SET recalls = recalls + 1, recalled_at = ? WHERE id = ?",
                            (tx.at, t["id"]))
            tx.event("recalled", t, cid, staff, recalls=(t["recalls"] or 0) + 1)
        return self._at_counter(counter, "recall", expect, holder, change)

    def start(self, counter: str, expect: str | None = None, holder: str | None = None) -> Ticket:
        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> None:
            tx.conn.execute("UPDATE tickets SET status = 'serving', started_at = ? WHERE id = ?",
                            (tx.at, t["id"]))
            tx.event("started", t, cid, staff)
        return self._at_counter(counter, "start", expect, holder, change)

    def finish(self, counter: str, outcome: str = "served", expect: str | None = None,
               holder: str | None = None) -> Ticket:
        if outcome not in FINISH_OUTCOMES:  # day_end is the day change's, not staff's
            raise errors.NovbeError(f"unknown outcome {outcome!r} (known: {', '.join(FINISH_OUTCOMES)})")
        ended = Outcome(outcome)

        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> VisitEnd:
            return visits.finish_visit(tx, cid, staff, t, ended)
        return self._at_counter(counter, "finish", expect, holder, change)

    def no_show(self, counter: str, expect: str | None = None, holder: str | None = None) -> Ticket:
        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> VisitEnd:
            return visits.mark_no_show(tx, cid, staff, t)
        return self._at_counter(counter, "no_show", expect, holder, change)

    def correct(self, counter: str, ticket: str, outcome: str,
                holder: str | None = None) -> VisitEnd:
        """Put right the outcome the counter recorded for a visit that ended moments ago
        (within `[visits] undo_s`): served ↔ did not come, or another finish outcome."""
        c = self.config.counter(counter)
        with self._tx() as tx:
            mode, staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, None, mode, staff, holder)
            return corrections.correct(tx, c.id, staff, find_ticket(tx, ticket), outcome)

    def transfer(self, counter: str, service: str, expect: str | None = None,
                 holder: str | None = None) -> Ticket:
        """Send the counter's visitor back to wait for another service: keeping their place,
        at the front (among transfers, in transfer order) or at the back, by config."""
        target, policy = self.config.service(service), self.config.transfer_policy

        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> None:
            transfer_in(tx, cid, staff, t, target, policy)
        return self._at_counter(counter, "transfer", expect, holder, change)

    def cancel(self, ticket: str) -> Ticket:
        with self._tx() as tx:
            row = find_ticket(tx, ticket)
            visits.allow("cancel", row)
            tx.conn.execute("UPDATE tickets SET status = 'cancelled', finished_at = ? WHERE id = ?",
                            (tx.at, row["id"]))
            tx.event("cancelled", row, row["counter"], row["staff"])
            return ticket_from_row(ticket_by_id(tx, row["id"]))

    # ---- counters -------------------------------------------------------------------------
    def _mode(self, counter: str, mode: CounterMode, staff: str | None = None,
              keep_staff: bool = True, holder: str | None = None) -> CounterState:
        c = self.config.counter(counter)
        with self._tx() as tx:
            return set_mode(tx, c, mode, staff, keep_staff, holder)

    def open_counter(self, counter: str, staff: str | None = None) -> CounterState:
        return self._mode(counter, CounterMode.OPEN, staff)

    def pause_counter(self, counter: str, holder: str | None = None) -> CounterState:
        return self._mode(counter, CounterMode.PAUSED, holder=holder)

    def close_counter(self, counter: str, holder: str | None = None) -> CounterState:
        return self._mode(counter, CounterMode.CLOSED, keep_staff=False, holder=holder)

    def counter_state(self, counter: str) -> CounterState:
        c = self.config.counter(counter)
        return self._read(lambda tx: counter_states(tx, [c.id])[0])

    # ---- reading --------------------------------------------------------------------------
    def waiting(self, counter: str | None = None, limit: int = 200) -> list[Ticket]:
        services = self.config.counter(counter).services if counter else tuple(self.config.services)
        names = {f"s{i}": s for i, s in enumerate(services)}   # in the call order (booked_order)
        return self._read(lambda tx: [ticket_from_row(r) for r in tx.rows(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE status = 'waiting' AND service IN "
            f"({','.join(':' + k for k in names)}) ORDER BY {CALL_ORDER} LIMIT :limit",
            {**names, "due": due_by(tx), "limit": limit})])

    def ticket(self, code: str) -> Ticket:
        return self._read(lambda tx: self._view(tx, find_ticket(tx, code)))

    def status(self, token: str) -> Ticket:
        def read(tx: Tx) -> Ticket:
            row = tx.ticket_row("token = ?", (str(token),))
            if row is None:
                raise errors.TicketNotFound("no ticket with this token")
            return self._view(tx, row)
        return self._read(read)

    def rate(self, token: str, score: int) -> Ticket:
        score = check_score(score)
        with self._tx() as tx:
            return rate_in(tx, token, score)

    def report_device(self, source: str, kind: str, message: str = "",
                      ticket_id: int | None = None) -> Event:
        with self._tx() as tx:
            return devices.report(tx, source, kind, message, ticket_id)

    def heartbeat(self, source: str, role: str, version: str, state: dict[str, Any]) -> str:
        with self._tx() as tx:
            presence.record(tx, source, role, version, state, self.clock.now().timestamp())
        return VERSION

    def devices_seen(self) -> list[presence.DeviceSeen]:
        """Every device's last heartbeat (the fleet page)."""
        return self._read(presence.read_all)

    def sweep_devices(self, after_s: float = presence.OFFLINE_AFTER_S) -> list[str]:
        """Raise the offline alert of every device silent for `after_s` (the server's watch)."""
        with self._tx() as tx:
            return presence.sweep(tx, self.clock.now().timestamp(), after_s)

    def acknowledge_help(self, source: str, staff: str) -> Event:
        """A staff member or volunteer goes to help at the device `source` (shared/core/help_requests.py)."""
        with self._tx() as tx:
            eid = acknowledge(tx, source, staff)
            return event_from_row(tx.one(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (eid,)))  # type: ignore[arg-type]

    def print_requests(self, source: str) -> list[Ticket]:
        """Tickets issued for visitors at /assist to be printed by the kiosk `source` and not
        printed yet (with their tokens: the kiosk prints their QR codes)."""
        return self._read(lambda tx: [self._view(tx, r) for r in pending_prints(tx, source)])

    def kiosk_printers(self) -> list[str]:
        """The kiosks that have reported a printer, by source id."""
        return self._read(kiosk_printers)

    def fresh_config(self) -> CentreConfig | None:
        """None: a queue on a file works by the config it was opened with."""
        return None

    def event_feed(self) -> LocalFeed:
        """A feed that follows this SQLite file (PRAGMA data_version; shared/core/feed.py)."""
        return LocalFeed(self, self.path)

    def events(self, after_id: int = 0, limit: int = 500) -> list[Event]:
        return self._read(lambda tx: [event_from_row(r) for r in tx.rows(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit))])

    def last_event_id(self) -> int:
        return self._read(newest_event)

    def snapshot(self, zone: str | None = None, calls: int = 30) -> Snapshot:
        return self._read(lambda tx: read_snapshot(tx, zone, calls,
                                                   self._wait_inputs, self._halls))

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the live file (SQLite's backup API; writers may go on)."""
        target = Path(target)
        with self._reader().using() as conn:
            store.copy_to(conn, target)
        return target
