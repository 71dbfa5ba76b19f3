"""LocalQueue: the queue contract over the SQLite file — each change one BEGIN IMMEDIATE on the
writer connection with every guard checked inside it; reads on their own connections (WAL)."""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from shared.config.centre import LANGUAGES, CentreConfig, competing_services
from shared.core import presence, visits
from shared.core.assisted import (
    ASSIST_CHANNEL,
    Assisted,
    issue_details,
    kiosk_printers,
    pending_prints,
)
from shared.core.clock import Clock, SystemClock, to_epoch
from shared.core.day_change import roll_day, stored_day
from shared.core.errors import (
    AlreadyRated,
    CentreClosed,
    DailyCapReached,
    DuplicateRequest,
    IllegalTransition,
    NoTicketWaiting,
    NovbeError,
    QueueUnavailable,
    TicketNotFound,
)
from shared.core.fairness import joins_priority_at
from shared.core.group_commit import GroupWriter
from shared.core.help_requests import acknowledge
from shared.core.model import (
    DEVICE_KINDS,
    CounterMode,
    CounterState,
    Event,
    Outcome,
    Snapshot,
    Status,
    Ticket,
)
from shared.core.numbering import next_number
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
from shared.core.service_day import service_day
from shared.core.snapshot import counter_states, read_snapshot
from shared.store import database as store
from shared.waits.reading import (
    AFTER_ALL,
    FRONT_RANK,
    NORMAL_RANK,
    WaitInputs,
    people_ahead,
    printed_wait,
)

FINISH_OUTCOMES = (Outcome.SERVED, Outcome.UNRESOLVED, Outcome.REFERRED)
COUNTER_EVENTS = {CounterMode.OPEN: "counter_opened", CounterMode.PAUSED: "counter_paused",
                  CounterMode.CLOSED: "counter_closed"}
T = TypeVar("T")


class LocalQueue:
    """The queue in one SQLite file; safe to share between threads and processes.

    Writes go through one connection, one at a time, and those that arrive together share one
    commit; a write that cannot have the database within `write_timeout_s` fails at once with
    QueueUnavailable instead of holding its caller.
    Reads run on a connection of their own per thread and never wait behind a write."""

    def __init__(self, path: str | Path, config: CentreConfig, clock: Clock | None = None,
                 write_timeout_s: float = store.BUSY_TIMEOUT_MS / 1000, verify: bool = True):
        """`verify`: run SQLite's quick_check over the whole file first (the apps that stay
        open do; a short CLI command skips it — about a second on a year of a busy centre —
        and relies on the header check and on damage met while working, both refused)."""
        self.path = Path(path)
        self.config = config
        self.clock = clock or SystemClock()
        self.write_timeout_s = write_timeout_s
        self.db = store.connect(self.path, busy_timeout_ms=int(write_timeout_s * 1000))
        if verify:
            store.quick_check(self.db, self.path)
        self.db.conn.row_factory = sqlite3.Row
        self.writer = GroupWriter(self.db.conn, write_timeout_s,
                                   lambda exc: store.damaged(self.path, exc))
        self._readers = threading.local()
        self._reader_list: list[store.ReadConnection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._wait_inputs = WaitInputs()   # the replay estimate's slowly changing inputs

    @property
    def config(self) -> CentreConfig:
        return self._config

    @config.setter
    def config(self, config: CentreConfig) -> None:
        self._config = config
        self._competing = competing_services(config)  # once per config, not per call

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close every connection — each only once the read or write in flight on it is done
        (another thread closing SQLite under a running statement crashes the process)."""
        with self._readers_lock:
            self._closed = True
            readers, self._reader_list = self._reader_list, []
        for reader in readers:
            reader.close()
        self.writer.close()

    # ---- transactions ---------------------------------------------------------------------
    def _new_tx(self, conn: sqlite3.Connection) -> Tx:
        now = self.clock.now()
        return Tx(conn, self.config, now, to_epoch(now),
                  service_day(now, self.config.tz, self.config.day_reset_hour))

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
                    raise QueueUnavailable(f"the queue {self.path} is closed")
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
        ticket = ticket_from_row(row)
        if ticket.status == Status.WAITING:
            ticket.ahead = people_ahead(tx, self._competing.get(ticket.service, (ticket.service,)),
                                        row["priority_rank"], row["queued_at"], ticket.id)
            wait = printed_wait(tx, self._wait_inputs, ticket.service, row["priority_rank"],
                                row["queued_at"], ticket.id, ticket.ahead)
            ticket.estimated_wait_min = wait.minutes
            ticket.wait_low_min, ticket.wait_high_min = wait.low, wait.high
        return ticket

    # ---- issuing --------------------------------------------------------------------------
    def issue(self, service: str, priority: str | None = None, language: str = "az",
              source: str | None = None, check_hours: bool = False,
              request_id: str | None = None, assisted: Assisted | None = None) -> Ticket:
        """A numbered ticket for a service. With `request_id`, a retry of the same request on
        the same service day returns the ticket the first attempt issued, never a second one.
        `assisted`: issued for a visitor by a staff member or volunteer (shared/core/assisted.py)
        — the ticket's source and its event's are then the "assist" channel."""
        if assisted is not None:
            source = ASSIST_CHANNEL
        svc = self.config.service(service)
        prio = self.config.priority(priority)
        if language not in LANGUAGES:
            raise NovbeError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})")
        rank = prio.rank if prio else NORMAL_RANK
        with self._tx() as tx:
            today = tx.day.isoformat()
            if request_id is not None:
                earlier = tx.ticket_row("service_day = ? AND request_id = ?", (today, request_id))
                if earlier is not None:
                    if earlier["issued_service"] != svc.id:
                        raise DuplicateRequest(f"request {request_id} was for "
                                               f"{earlier['issued_service']}, not {svc.id}")
                    return self._view(tx, earlier)
            if svc.daily_cap is not None:
                issued = tx.value("SELECT count(*) FROM tickets WHERE service_day = ? AND "
                                  "issued_service = ?", (today, svc.id))
                if issued >= svc.daily_cap:
                    raise DailyCapReached(f"{svc.id}: all {svc.daily_cap} tickets for today are issued")
            ahead = people_ahead(tx, self._competing.get(svc.id, (svc.id,)), rank, tx.at, AFTER_ALL)
            wait = printed_wait(tx, self._wait_inputs, svc.id, rank, tx.at, None, ahead)
            estimate = wait.minutes
            if check_hours:
                self._check_hours(tx, estimate, svc.id)
            number, code = next_number(tx, svc.prefix)
            token = secrets.token_urlsafe(24)
            cur = tx.conn.execute(
                "INSERT INTO tickets(code, prefix, number, service, issued_service, priority, "
                "priority_rank, language, source, token, status, service_day, issued_at, "
                "queued_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?)",
                (code, svc.prefix, number, svc.id, svc.id, prio.id if prio else None, rank,
                 language, source, token, today, tx.at, tx.at, request_id))
            row = ticket_by_id(tx, int(cur.lastrowid or 0))
            extra = issue_details(assisted) if assisted is not None else {}
            tx.event("issued", row, staff=assisted.staff if assisted else None, source=source,
                     priority=prio.id if prio else None, language=language, ahead=ahead,
                     estimate_min=estimate, **extra)
        ticket = ticket_from_row(row)
        ticket.ahead, ticket.estimated_wait_min = ahead, estimate
        ticket.wait_low_min, ticket.wait_high_min = wait.low, wait.high
        return ticket

    def issued_for(self, request_id: str) -> Ticket:
        """Today's ticket issued for a kiosk's request id (a kiosk that gave up looks it up)."""
        def read(tx: Tx) -> Ticket:
            row = tx.ticket_row("service_day = ? AND request_id = ?",
                                (tx.day.isoformat(), str(request_id)))
            if row is None:
                raise TicketNotFound(f"no ticket was issued today for request {request_id}")
            return self._view(tx, row)
        return self._read(read)

    def _check_hours(self, tx: Tx, estimate_min: int, service: str) -> None:
        local = tx.now.astimezone(self.config.tz)
        hours = self.config.hours
        if not hours.is_open(local):
            raise CentreClosed("the centre is closed now")
        closing = hours.closing_time(local)
        if closing is not None and (closing - local).total_seconds() < estimate_min * 60:
            raise CentreClosed(f"{service}: the wait ({estimate_min} min) runs past closing time "
                               f"{closing:%H:%M}")

    # ---- counter work (the visit's steps: shared/core/visits.py) -------------------------------
    def call_next(self, counter: str, staff: str | None = None, expect: str | None = None,
                  holder: str | None = None) -> Ticket:
        """End the counter's current visit, then call the next ticket it may serve."""
        c = self.config.counter(counter)
        marks = ",".join("?" * len(c.services))
        with self._tx() as tx:
            mode, old_staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, expect, mode, old_staff, holder)
            staff = staff or old_staff
            visits.end_visit(tx, c.id, staff, visitor)
            row = tx.ticket_row(
                f"status = 'waiting' AND service IN ({marks}) "
                "ORDER BY priority_rank, queued_at, id LIMIT 1", c.services)
            if row is not None and row["priority_rank"] < NORMAL_RANK and self.config.fairness.enabled:
                row = self._overdue_before(tx, c.services, row) or row
            if row is None:
                visits.open_for(tx, c.id, mode, staff)
            else:
                visits.call_ticket(tx, c.id, mode, staff, row)
                called = ticket_from_row(ticket_by_id(tx, row["id"]))
        if row is None:
            raise NoTicketWaiting(f"nobody is waiting for counter {c.id}")
        return called

    def _overdue_before(self, tx: Tx, services: tuple[str, ...], first: TicketRow) -> TicketRow | None:
        """The fairness rule (shared/core/fairness.py): of the oldest regular ticket of each of
        `services`, the one that reached its limit first — if that was before the priority
        ticket `first` came, it goes first."""
        marks = ",".join("?" * len(services))
        multiple = self.config.fairness.wait_multiple
        oldest = tx.rows(
            f"SELECT service, min(queued_at), id FROM tickets WHERE status = 'waiting' "
            f"AND service IN ({marks}) AND priority_rank >= ? AND queued_at < ? GROUP BY service",
            (*services, NORMAL_RANK, first["queued_at"]))
        joined = [(joins_priority_at(r[1], self.config.service(r[0]).target_wait_min, multiple),
                   r[2]) for r in oldest]
        due = [j for j in joined if j[0] < first["queued_at"]]
        return ticket_by_id(tx, min(due)[1]) if due else None

    def call(self, counter: str, ticket: str, staff: str | None = None,
             expect: str | None = None, holder: str | None = None) -> Ticket:
        """Call one waiting ticket (by code or token) of a service this counter serves."""
        c = self.config.counter(counter)
        with self._tx() as tx:
            row = find_ticket(tx, ticket)
            mode, old_staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, expect, mode, old_staff, holder)
            visits.allow("call", row)
            if row["service"] not in c.services:
                raise IllegalTransition(f"counter {c.id} does not serve {row['service']} "
                                        f"(ticket {row['code']})")
            staff = staff or old_staff
            visits.end_visit(tx, c.id, staff, visitor)
            visits.call_ticket(tx, c.id, mode, staff, row)
            return ticket_from_row(ticket_by_id(tx, row["id"]))

    def _at_counter(self, counter: str, action: str, expect: str | None, holder: str | None,
                    change: Callable[[Tx, str, str | None, TicketRow], None]) -> Ticket:
        c = self.config.counter(counter)
        with self._tx() as tx:
            mode, staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, expect, mode, staff, holder)
            if visitor is None:
                raise IllegalTransition(f"counter {c.id} has no visitor at the moment")
            visits.allow(action, visitor, f" at counter {c.id}")
            change(tx, c.id, staff, visitor)
            return self._view(tx, ticket_by_id(tx, visitor["id"]))

    def recall(self, counter: str, expect: str | None = None, holder: str | None = None) -> Ticket:
        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> None:
            tx.conn.execute("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", (t["id"],))
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
            raise NovbeError(f"unknown outcome {outcome!r} (known: {', '.join(FINISH_OUTCOMES)})")
        ended = Outcome(outcome)

        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> None:
            visits.finish_visit(tx, cid, staff, t, ended)
        return self._at_counter(counter, "finish", expect, holder, change)

    def no_show(self, counter: str, expect: str | None = None, holder: str | None = None) -> Ticket:
        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> None:
            visits.mark_no_show(tx, cid, staff, t)
        return self._at_counter(counter, "no_show", expect, holder, change)

    def transfer(self, counter: str, service: str, expect: str | None = None,
                 holder: str | None = None) -> Ticket:
        """Send the counter's visitor back to wait for another service: keeping their place,
        at the front (among transfers, in transfer order) or at the back, by config."""
        target = self.config.service(service)
        policy = self.config.transfer_policy

        def change(tx: Tx, cid: str, staff: str | None, t: TicketRow) -> None:
            if target.id == t["service"]:
                raise IllegalTransition(f"ticket {t['code']} is already for {target.id}")
            sets = "status = 'waiting', service = ?, counter = NULL, staff = NULL, " \
                   "called_at = NULL, started_at = NULL, transfers = transfers + 1"
            params: list[Any] = [target.id]
            if policy == "front":
                sets += ", priority_rank = ?, queued_at = ?"
                params += [FRONT_RANK, tx.at]
            elif policy == "back":
                sets += ", queued_at = ?"
                params.append(tx.at)
            tx.conn.execute(f"UPDATE tickets SET {sets} WHERE id = ?", (*params, t["id"]))
            tx.event("transferred", t, cid, staff, from_service=t["service"],
                     to_service=target.id, policy=policy)
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
            old_mode, old_staff, visitor = visits.counter_now(tx, c.id)
            visits.guard(c.id, visitor, None, old_mode, old_staff, holder)
            if mode == CounterMode.CLOSED and visitor is not None:
                raise IllegalTransition(f"counter {c.id} still has ticket {visitor['code']}: "
                                        "finish, transfer or mark it as no-show first")
            new_staff = staff if staff is not None else (old_staff if keep_staff else None)
            visits.set_counter(tx, c.id, mode, new_staff)
            if old_mode != mode or new_staff != old_staff:
                tx.event(COUNTER_EVENTS[mode], None, c.id, new_staff or old_staff)
            return counter_states(tx, [c.id])[0]

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
        marks = ",".join("?" * len(services))
        return self._read(lambda tx: [ticket_from_row(r) for r in tx.rows(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE status = 'waiting' AND service IN ({marks}) "
            "ORDER BY priority_rank, queued_at, id LIMIT ?", (*services, limit))])

    def ticket(self, code: str) -> Ticket:
        return self._read(lambda tx: self._view(tx, find_ticket(tx, code)))

    def status(self, token: str) -> Ticket:
        def read(tx: Tx) -> Ticket:
            row = tx.ticket_row("token = ?", (str(token),))
            if row is None:
                raise TicketNotFound("no ticket with this token")
            return self._view(tx, row)
        return self._read(read)

    def rate(self, token: str, score: int) -> Ticket:
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise NovbeError(f"a rating is a whole number from 1 to 5, got {score!r}")
        with self._tx() as tx:
            row = tx.ticket_row("token = ?", (str(token),))
            if row is None:
                raise TicketNotFound("no ticket with this token")
            if row["status"] != Status.DONE:
                raise IllegalTransition(f"ticket {row['code']} can be rated after the visit, "
                                        f"it is {row['status']}")
            if row["rating"] is not None:
                raise AlreadyRated(f"ticket {row['code']} has been rated already")
            tx.conn.execute("UPDATE tickets SET rating = ? WHERE id = ?", (score, row["id"]))
            tx.event("rated", row, row["counter"], row["staff"], score=score)
            return ticket_from_row(ticket_by_id(tx, row["id"]))

    def report_device(self, source: str, kind: str, message: str = "",
                      ticket_id: int | None = None) -> Event:
        if kind not in DEVICE_KINDS:
            raise NovbeError(f"unknown device event {kind!r} (known: {', '.join(DEVICE_KINDS)})")
        with self._tx() as tx:
            row = None
            if ticket_id is not None:
                row = tx.ticket_row("id = ?", (ticket_id,))
                if row is None:
                    raise TicketNotFound(f"no ticket with id {ticket_id}")
            eid = tx.event(kind, row, source=source, message=message)
            return event_from_row(tx.one(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (eid,)))  # type: ignore[arg-type]

    def heartbeat(self, source: str, role: str, version: str, state: dict[str, Any]) -> None:
        with self._tx() as tx:
            presence.record(tx, source, role, version, state, self.clock.now().timestamp())

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

    def events(self, after_id: int = 0, limit: int = 500) -> list[Event]:
        return self._read(lambda tx: [event_from_row(r) for r in tx.rows(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit))])

    def last_event_id(self) -> int:
        return self._read(lambda tx: int(tx.value("SELECT coalesce(max(id), 0) FROM events")))

    def snapshot(self, zone: str | None = None, calls: int = 30) -> Snapshot:
        return self._read(lambda tx: read_snapshot(tx, self._competing, zone, calls,
                                                   self._wait_inputs))

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the live file (SQLite's backup API; writers may go on)."""
        target = Path(target)
        with self._reader().using() as conn:
            store.copy_to(conn, target)
        return target

