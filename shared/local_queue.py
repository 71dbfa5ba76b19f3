"""LocalQueue: the queue contract over the SQLite file, one BEGIN IMMEDIATE per operation."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from shared import store
from shared.clock import Clock, SystemClock, from_epoch, to_epoch
from shared.config import LANGUAGES, CentreConfig, competing_services
from shared.errors import (
    AlreadyRated,
    CentreClosed,
    DailyCapReached,
    IllegalTransition,
    NoTicketWaiting,
    NovbeError,
    TicketNotFound,
)
from shared.estimator import (
    LOOKBACK_SECONDS,
    RECENT_VISITS,
    estimate_wait_min,
    median_service_minutes,
)
from shared.fairness import is_overdue
from shared.habits import HABIT_DAYS, CounterHabit, learn_habits
from shared.model import (
    AT_COUNTER,
    DEVICE_ALERT_KINDS,
    DEVICE_OK_KINDS,
    Alert,
    Call,
    CounterMode,
    CounterState,
    Event,
    Outcome,
    ServiceLoad,
    Snapshot,
    Status,
    Ticket,
)
from shared.service_day import day_start, service_day
from shared.wait_replay import (
    CounterNow,
    QueueState,
    RecentVisits,
    WaitEstimate,
    WaitingTicket,
    recent_visits,
)
from shared.wait_replay import estimate as replay_estimate

NORMAL_RANK = 1000
FRONT_RANK = 0
MAX_NUMBER = 999
AFTER_ALL = 2**63 - 1  # the id a ticket being issued will have: after every existing one
FINISH_OUTCOMES = (Outcome.SERVED, Outcome.UNRESOLVED, Outcome.REFERRED)
DEVICE_KINDS = (*DEVICE_ALERT_KINDS, *DEVICE_OK_KINDS, "printed")
COUNTER_EVENTS = {CounterMode.OPEN: "counter_opened", CounterMode.PAUSED: "counter_paused",
                  CounterMode.CLOSED: "counter_closed"}


@dataclass
class _Tx:
    now: datetime
    at: float
    day: date


class LocalQueue:
    """The queue in one SQLite file; safe to share between threads and processes."""

    def __init__(self, path: str | Path, config: CentreConfig, clock: Clock | None = None):
        self.path = Path(path)
        self.config = config
        self.clock = clock or SystemClock()
        self.db = store.connect(self.path)
        self._conn = self.db.conn
        self._lock = threading.RLock()

    @property
    def config(self) -> CentreConfig:
        return self._config

    @config.setter
    def config(self, config: CentreConfig) -> None:
        self._config = config
        self._competing = competing_services(config)  # once per config, not per call

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ---- plumbing -------------------------------------------------------------------------
    def _day(self, now: datetime) -> date:
        return service_day(now, self.config.tz, self.config.day_reset_hour)

    @contextmanager
    def _tx(self) -> Iterator[_Tx]:
        with self._lock, store.write(self.db):
            now = self.clock.now()
            tx = _Tx(now, to_epoch(now), self._day(now))
            self._roll_day(tx)
            yield tx

    def _one(self, sql: str, params: Any = ()) -> Any:
        return self._conn.execute(sql, params).fetchone()

    def _event(self, tx: _Tx, kind: str, ticket_id: int | None = None, counter: str | None = None,
               staff: str | None = None, source: str | None = None, **details: Any) -> int:
        cur = self._conn.execute(
            "INSERT INTO events(at, kind, ticket_id, counter, staff, source, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (tx.at, kind, ticket_id, counter, staff, source,
             json.dumps(details, ensure_ascii=False) if details else None))
        return cur.lastrowid

    def _day_end(self, day: str) -> datetime:
        """The instant service day `day` (ISO date) ended: the next day's start."""
        return day_start(date.fromisoformat(day) + timedelta(days=1), self.config.tz,
                         self.config.day_reset_hour)

    def _roll_day(self, tx: _Tx) -> None:
        """On the first write of a new service day, expire what the old days left open and close
        the counters left open.

        A ticket left open ends (finished_at, and `ended_at` in its event's details) when its own
        service day ended — the next day's start instant — not at this first access, which may
        be the next morning or days later. The event rows keep the transaction time as their
        `at`, so events stay appended in time order."""
        today = tx.day.isoformat()
        row = self._one("SELECT value FROM meta WHERE key = 'service_day'")
        if row and row[0] == today:
            return
        stale = self._conn.execute(
            "SELECT id, status, counter, service_day FROM tickets "
            "WHERE status IN ('waiting', 'called', 'serving') AND service_day < ?", (today,)).fetchall()
        for tid, status, counter, day in stale:
            ended = self._day_end(day)
            ended_at = min(to_epoch(ended), tx.at)
            ended_iso = from_epoch(ended_at).isoformat()
            if status == Status.SERVING:
                self._conn.execute("UPDATE tickets SET status = 'done', outcome = ?, finished_at = ? "
                                   "WHERE id = ?", (Outcome.DAY_END, ended_at, tid))
                self._event(tx, "finished", tid, counter, outcome=Outcome.DAY_END, ended_at=ended_iso)
            else:
                self._conn.execute("UPDATE tickets SET status = 'expired', finished_at = ? WHERE id = ?",
                                   (ended_at, tid))
                self._event(tx, "expired", tid, counter, ended_at=ended_iso)
        self._conn.execute("UPDATE counters SET ticket_id = NULL WHERE ticket_id IS NOT NULL AND "
                           "(SELECT service_day FROM tickets WHERE id = counters.ticket_id) < ?",
                           (today,))
        for (cid,) in self._conn.execute("SELECT id FROM counters WHERE state != 'closed'").fetchall():
            self._set_counter(tx, cid, CounterMode.CLOSED, None, None)  # staff open again each morning
            self._event(tx, "counter_closed", None, cid, reason="day_end")
        self._conn.execute("INSERT INTO meta(key, value) VALUES ('service_day', ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (today,))
        self._event(tx, "day_started", service_day=today, expired=len(stale))

    _TICKET_COLS = ("id, code, prefix, number, service, priority, language, source, token, status, "
                    "service_day, issued_at, called_at, started_at, finished_at, counter, outcome, "
                    "recalls, transfers, rating, priority_rank, queued_at")

    def _ticket(self, row: Any) -> Ticket:
        return Ticket(
            id=row[0], code=row[1], prefix=row[2], number=row[3], service=row[4], priority=row[5],
            language=row[6], source=row[7], token=row[8], status=Status(row[9]), service_day=row[10],
            issued_at=from_epoch(row[11]), called_at=from_epoch(row[12]),
            started_at=from_epoch(row[13]), finished_at=from_epoch(row[14]), counter=row[15],
            outcome=row[16], recalls=row[17] or 0, transfers=row[18] or 0, rating=row[19])

    def _load(self, where: str, params: Any) -> tuple[Ticket, int, float] | None:
        row = self._one(f"SELECT {self._TICKET_COLS} FROM tickets WHERE {where}", params)
        return (self._ticket(row), row[20], row[21]) if row else None

    def _by_id(self, tid: int) -> Ticket:
        found = self._load("id = ?", (tid,))
        if not found:
            raise TicketNotFound(f"no ticket with id {tid}")
        return self._with_estimate(*found)

    def _find(self, ref: str) -> tuple[Ticket, int, float]:
        ref = str(ref).strip()
        found = self._load("token = ?", (ref,))
        if not found:
            today = self._day(self.clock.now()).isoformat()
            found = self._load("service_day = ? AND code = ? ORDER BY id DESC", (today, ref.upper()))
        if not found:
            raise TicketNotFound(f"no ticket {ref!r} today")
        return found

    def _ahead(self, service: str, rank: int, queued_at: float, tid: int) -> int:
        """People surely called before this ticket: waiting tickets ordered before it (priority
        rank, queue time, id) of the services every counter serving its service also serves
        (not only its own service: counters serve several)."""
        competing = self._competing.get(service, (service,))
        marks = ",".join("?" * len(competing))
        return self._one(
            f"SELECT count(*) FROM tickets WHERE status = 'waiting' AND service IN ({marks}) AND "
            "(priority_rank < ? OR (priority_rank = ? AND (queued_at < ? OR (queued_at = ? AND id < ?))))",
            (*competing, rank, rank, queued_at, queued_at, tid))[0]

    def _service_minutes(self, service: str, at: float) -> float:
        rows = self._conn.execute(
            "SELECT finished_at - started_at FROM tickets WHERE status = 'done' AND service = ? "
            "AND finished_at > ? AND outcome IS NOT ? ORDER BY finished_at DESC LIMIT ?",
            (service, at - LOOKBACK_SECONDS, Outcome.DAY_END, RECENT_VISITS)).fetchall()
        return median_service_minutes([r[0] for r in rows], self.config.service(service).service_min)

    def _open_counters(self, service: str) -> tuple[int, int]:
        """(open counters serving the service, counters configured to serve it)."""
        serving = {c.id for c in self.config.counters_serving(service)}
        if not serving:
            return 0, 0
        rows = self._conn.execute("SELECT id FROM counters WHERE state = 'open'").fetchall()
        return sum(1 for (cid,) in rows if cid in serving), len(serving)

    def _estimate(self, service: str, ahead: int, at: float) -> int:
        if ahead <= 0:
            return 0
        return estimate_wait_min(ahead, self._service_minutes(service, at),
                                 *self._open_counters(service))

    def _queue_state(self, at: float) -> QueueState:
        """What the wait estimate reads (shared/wait_replay.py), in the caller's transaction."""
        cfg = self.config
        waiting = [WaitingTicket(r[0], r[1], r[2], r[3]) for r in self._conn.execute(
            "SELECT id, service, priority_rank, queued_at FROM tickets WHERE status = 'waiting' "
            "ORDER BY priority_rank, queued_at, id")]
        rows = {r[0]: r for r in self._conn.execute(
            "SELECT c.id, c.state, c.updated_at, t.service, t.called_at, t.started_at, t.status "
            "FROM counters c "
            "LEFT JOIN tickets t ON t.id = c.ticket_id AND t.status IN ('called', 'serving')")}
        today = self._day(from_epoch(at))
        start = to_epoch(day_start(today, cfg.tz, cfg.day_reset_hour))
        habits = self._habits(today)
        counters = []
        for c in cfg.counters:
            r = rows.get(c.id)
            h = habits.get(c.id)
            counters.append(CounterNow(
                c.id, c.services, r[1] if r else "closed", visit_service=r[3] if r else None,
                visit_since=r[4] if r else None, mode_since=r[2] if r else None,
                visit_started=r[5] if r and r[6] == Status.SERVING else None,
                opens_at=start + h.opens_s if h and h.opens_s is not None else None,
                pause=(start + h.pause_s[0], start + h.pause_s[1]) if h and h.pause_s else None))
        day = today.isoformat()
        priority = self._conn.execute(
            "SELECT service, priority_rank, issued_at FROM tickets WHERE service_day = ? "
            "AND priority_rank < ? AND issued_at > ?", (day, NORMAL_RANK, at - 3600)).fetchall()
        recent = self._recent_visits(at)
        return QueueState(
            now=at, waiting=waiting, counters=counters, visits=recent.visits,
            service_s=recent.service, walk_ups_s=recent.walk_ups, no_shows_s=recent.no_shows,
            service_min={sid: s.service_min for sid, s in cfg.services.items()},
            recent_priority=[(r[0], r[1], r[2]) for r in priority], pause_min=cfg.waits.pause_min,
            normal_rank=NORMAL_RANK,
            fairness_multiple=cfg.fairness.wait_multiple if cfg.fairness.enabled else 0.0,
            target_min={sid: s.target_wait_min for sid, s in cfg.services.items()})

    _visits_cache: tuple[float, RecentVisits] | None = None
    _habits_cache: tuple[date, dict[str, CounterHabit]] | None = None

    def _habits(self, today: date) -> dict[str, CounterHabit]:
        """When each counter usually opens and pauses, from its events of the HABIT_DAYS
        service days before today (learned once a day)."""
        if self._habits_cache and self._habits_cache[0] == today:
            return self._habits_cache[1]
        cfg = self.config
        starts = {today - timedelta(days=k): to_epoch(day_start(today - timedelta(days=k), cfg.tz,
                                                                cfg.day_reset_hour))
                  for k in range(HABIT_DAYS + 1)}
        rows = self._conn.execute(
            "SELECT at, counter, kind FROM events INDEXED BY idx_events_at WHERE at >= ? AND at < ? "
            "AND kind IN ('counter_opened', 'counter_paused', 'counter_closed') ORDER BY id",
            (starts[today - timedelta(days=HABIT_DAYS)], starts[today])).fetchall()
        ordered = sorted(starts.items(), key=lambda kv: kv[1])
        events = []
        for at, counter, kind in rows:
            day, begin = next((d, b) for d, b in reversed(ordered) if b <= at)
            events.append(((today - day).days, counter, kind, at - begin))
        habits = learn_habits(events)
        self._habits_cache = (today, habits)
        return habits

    def _recent_visits(self, at: float) -> RecentVisits:
        """The recent visits (call → end, no-shows included), read again at most once a minute."""
        cached = self._visits_cache
        if cached and 0 <= at - cached[0] < 60:
            return cached[1]
        rows = self._conn.execute(
            "SELECT service, status, called_at, started_at, finished_at FROM tickets "
            "WHERE status IN ('done', 'no_show') AND called_at IS NOT NULL AND finished_at > ? "
            "AND outcome IS NOT ? ORDER BY finished_at DESC LIMIT 3000",
            (at - LOOKBACK_SECONDS, Outcome.DAY_END)).fetchall()
        visits = recent_visits(rows, RECENT_VISITS)
        self._visits_cache = (at, visits)
        return visits

    def _wait(self, service: str, rank: int, queued_at: float, tid: int | None, ahead: int,
              at: float, state: QueueState | None = None) -> WaitEstimate:
        """The printed wait of a ticket (tid None: one issued now), by the configured estimator."""
        if self.config.waits.estimator == "simple":
            minutes = self._estimate(service, ahead, at)
            return WaitEstimate(minutes, minutes, minutes)
        return replay_estimate(state or self._queue_state(at), service, rank, queued_at, tid)

    def _with_estimate(self, ticket: Ticket, rank: int, queued_at: float) -> Ticket:
        if ticket.status == Status.WAITING:
            at = to_epoch(self.clock.now())
            ticket.ahead = self._ahead(ticket.service, rank, queued_at, ticket.id)
            wait = self._wait(ticket.service, rank, queued_at, ticket.id, ticket.ahead, at)
            ticket.estimated_wait_min = wait.minutes
            ticket.wait_low_min, ticket.wait_high_min = wait.low, wait.high
        return ticket

    def _counter_row(self, counter: str) -> tuple[str, str | None, int | None]:
        row = self._one("SELECT state, staff, ticket_id FROM counters WHERE id = ?", (counter,))
        return (row[0], row[1], row[2]) if row else (CounterMode.CLOSED, None, None)

    def _set_counter(self, tx: _Tx, counter: str, state: str, staff: str | None,
                     ticket_id: int | None) -> None:
        self._conn.execute(
            "INSERT INTO counters(id, state, staff, ticket_id, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET state = excluded.state, staff = excluded.staff, "
            "ticket_id = excluded.ticket_id, updated_at = excluded.updated_at",
            (counter, str(state), staff, ticket_id, tx.at))

    def _current(self, counter: str) -> tuple[Ticket, int, float]:
        _, _, tid = self._counter_row(counter)
        found = self._load("id = ?", (tid,)) if tid else None
        if not found or found[0].status not in AT_COUNTER:
            raise IllegalTransition(f"counter {counter} has no visitor at the moment")
        return found

    # ---- issuing --------------------------------------------------------------------------
    def issue(self, service: str, priority: str | None = None, language: str = "az",
              source: str | None = None, check_hours: bool = False) -> Ticket:
        svc = self.config.service(service)
        prio = self.config.priority(priority)
        if language not in LANGUAGES:
            raise NovbeError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})")
        rank = prio.rank if prio else NORMAL_RANK
        with self._tx() as tx:
            today = tx.day.isoformat()
            if svc.daily_cap is not None:
                issued = self._one("SELECT count(*) FROM tickets WHERE service_day = ? AND service = ?",
                                   (today, svc.id))[0]
                if issued >= svc.daily_cap:
                    raise DailyCapReached(f"{svc.id}: all {svc.daily_cap} tickets for today are issued")
            ahead = self._ahead(svc.id, rank, tx.at, AFTER_ALL)
            wait = self._wait(svc.id, rank, tx.at, None, ahead, tx.at)
            estimate = wait.minutes
            if check_hours:
                self._check_hours(tx.now, estimate, svc.id)
            last = self._one(
                "INSERT INTO sequences(service_day, prefix, last) VALUES (?, ?, 1) "
                "ON CONFLICT(service_day, prefix) DO UPDATE SET last = last + 1 RETURNING last",
                (today, svc.prefix))[0]
            number = (last - 1) % MAX_NUMBER + 1
            code = f"{svc.prefix}-{number:03d}"
            token = secrets.token_urlsafe(24)
            cur = self._conn.execute(
                "INSERT INTO tickets(code, prefix, number, service, priority, priority_rank, language, "
                "source, token, status, service_day, issued_at, queued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?)",
                (code, svc.prefix, number, svc.id, prio.id if prio else None, rank, language, source,
                 token, today, tx.at, tx.at))
            tid = cur.lastrowid
            self._event(tx, "issued", tid, source=source, code=code, service=svc.id,
                        priority=prio.id if prio else None, language=language)
        return Ticket(id=tid, code=code, prefix=svc.prefix, number=number, service=svc.id,
                      priority=prio.id if prio else None, language=language, source=source,
                      token=token, status=Status.WAITING, service_day=today, issued_at=tx.now,
                      ahead=ahead, estimated_wait_min=estimate, wait_low_min=wait.low,
                      wait_high_min=wait.high)

    def _check_hours(self, now: datetime, estimate_min: int, service: str) -> None:
        local = now.astimezone(self.config.tz)
        hours = self.config.hours
        if not hours.is_open(local):
            raise CentreClosed("the centre is closed now")
        closing = hours.closing_time(local)
        if closing is not None and (closing - local).total_seconds() < estimate_min * 60:
            raise CentreClosed(f"{service}: the wait ({estimate_min} min) runs past closing time "
                               f"{closing:%H:%M}")

    # ---- counter work ---------------------------------------------------------------------
    def _finish_visit(self, tx: _Tx, counter: str, tid: int, outcome: Outcome) -> None:
        """End the visit of ticket `tid` at `counter` as done with `outcome`, free the counter,
        and write its event: the one way a visit ends (finish, and Next or call ending one)."""
        self._conn.execute(
            "UPDATE tickets SET status = 'done', outcome = ?, finished_at = ?, "
            "started_at = coalesce(started_at, called_at) WHERE id = ?", (outcome, tx.at, tid))
        self._conn.execute("UPDATE counters SET ticket_id = NULL, updated_at = ? WHERE id = ?",
                           (tx.at, counter))
        self._event(tx, "finished", tid, counter, outcome=str(outcome))

    def _end_visit(self, tx: _Tx, counter: str) -> None:
        _, _, tid = self._counter_row(counter)
        if not tid:
            return
        row = self._one("SELECT status FROM tickets WHERE id = ?", (tid,))
        if row and row[0] in AT_COUNTER:
            self._finish_visit(tx, counter, tid, Outcome.SERVED)

    def _call(self, tx: _Tx, counter: str, staff: str | None, tid: int, code: str) -> None:
        self._conn.execute(
            "UPDATE tickets SET status = 'called', called_at = ?, counter = ?, staff = ? WHERE id = ?",
            (tx.at, counter, staff, tid))
        mode, old_staff, _ = self._counter_row(counter)
        staff = staff or old_staff
        self._set_counter(tx, counter, CounterMode.OPEN, staff, tid)
        if mode != CounterMode.OPEN:
            self._event(tx, "counter_opened", None, counter, staff)
        self._event(tx, "called", tid, counter, staff, code=code)

    def call_next(self, counter: str, staff: str | None = None) -> Ticket:
        c = self.config.counter(counter)
        marks = ",".join("?" * len(c.services))
        with self._tx() as tx:
            self._end_visit(tx, c.id)
            row = self._one(
                f"SELECT id, code, priority_rank, queued_at FROM tickets WHERE status = 'waiting' "
                f"AND service IN ({marks}) ORDER BY priority_rank, queued_at, id LIMIT 1", c.services)
            if row is not None and row[2] < NORMAL_RANK and self.config.fairness.enabled:
                row = self._overdue_before(c.services, row, tx.at) or row
            if row is None:
                mode, old_staff, _ = self._counter_row(c.id)
                self._set_counter(tx, c.id, CounterMode.OPEN, staff or old_staff, None)
                if mode != CounterMode.OPEN:
                    self._event(tx, "counter_opened", None, c.id, staff)
            else:
                self._call(tx, c.id, staff, row[0], row[1])
                called = self._by_id(row[0])   # read in the same transaction: no second lock
        if row is None:
            raise NoTicketWaiting(f"nobody is waiting for counter {c.id}")
        return called

    def _overdue_before(self, services: tuple[str, ...], first: Any, at: float) -> Any:
        """The fairness rule (shared/fairness.py): the oldest regular ticket of `services` past
        its limit and queued before the priority ticket `first`, which it then precedes."""
        marks = ",".join("?" * len(services))
        multiple = self.config.fairness.wait_multiple
        oldest = self._conn.execute(
            f"SELECT id, code, priority_rank, min(queued_at), service FROM tickets "
            f"WHERE status = 'waiting' AND service IN ({marks}) AND priority_rank >= ? "
            "AND queued_at < ? GROUP BY service", (*services, NORMAL_RANK, first[3])).fetchall()
        due = [r for r in oldest
               if is_overdue(r[3], at, self.config.service(r[4]).target_wait_min, multiple)]
        return min(due, key=lambda r: (r[3], r[0]))[:4] if due else None

    def call(self, counter: str, ticket: str, staff: str | None = None) -> Ticket:
        c = self.config.counter(counter)
        with self._tx() as tx:
            found, _, _ = self._find(ticket)
            if found.status != Status.WAITING:
                raise IllegalTransition(f"ticket {found.code} is {found.status}, not waiting")
            self._end_visit(tx, c.id)
            self._call(tx, c.id, staff, found.id, found.code)
            return self._by_id(found.id)

    def _at_counter(self, counter: str, allowed: tuple[Status, ...], action: str,
                    change: Any) -> Ticket:
        c = self.config.counter(counter)
        with self._tx() as tx:
            current, _, _ = self._current(c.id)
            if current.status not in allowed:
                raise IllegalTransition(
                    f"cannot {action} ticket {current.code} at counter {c.id}: it is {current.status}")
            change(tx, c.id, current)
            return self._by_id(current.id)

    def recall(self, counter: str) -> Ticket:
        def change(tx: _Tx, cid: str, t: Ticket) -> None:
            self._conn.execute("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", (t.id,))
            self._event(tx, "recalled", t.id, cid, code=t.code, recalls=t.recalls + 1)
        return self._at_counter(counter, (Status.CALLED,), "recall", change)

    def start(self, counter: str) -> Ticket:
        def change(tx: _Tx, cid: str, t: Ticket) -> None:
            self._conn.execute("UPDATE tickets SET status = 'serving', started_at = ? WHERE id = ?",
                               (tx.at, t.id))
            self._event(tx, "started", t.id, cid)
        return self._at_counter(counter, (Status.CALLED,), "start", change)

    def finish(self, counter: str, outcome: str = "served") -> Ticket:
        if outcome not in FINISH_OUTCOMES:  # day_end is the day change's, not staff's
            raise NovbeError(f"unknown outcome {outcome!r} (known: {', '.join(FINISH_OUTCOMES)})")
        outcome = Outcome(outcome)

        def change(tx: _Tx, cid: str, t: Ticket) -> None:
            self._finish_visit(tx, cid, t.id, outcome)
        return self._at_counter(counter, AT_COUNTER, "finish", change)

    def no_show(self, counter: str) -> Ticket:
        def change(tx: _Tx, cid: str, t: Ticket) -> None:
            self._conn.execute("UPDATE tickets SET status = 'no_show', finished_at = ? WHERE id = ?",
                               (tx.at, t.id))
            self._conn.execute("UPDATE counters SET ticket_id = NULL, updated_at = ? WHERE id = ?",
                               (tx.at, cid))
            self._event(tx, "no_show", t.id, cid)
        return self._at_counter(counter, (Status.CALLED,), "mark as no-show", change)

    def transfer(self, counter: str, service: str) -> Ticket:
        target = self.config.service(service)
        policy = self.config.transfer_policy

        def change(tx: _Tx, cid: str, t: Ticket) -> None:
            if target.id == t.service:
                raise IllegalTransition(f"ticket {t.code} is already for {target.id}")
            sets = "status = 'waiting', service = ?, counter = NULL, called_at = NULL, " \
                   "started_at = NULL, transfers = transfers + 1"
            params: list[Any] = [target.id]
            if policy == "front":
                sets += ", priority_rank = ?"
                params.append(FRONT_RANK)
            elif policy == "back":
                sets += ", queued_at = ?"
                params.append(tx.at)
            self._conn.execute(f"UPDATE tickets SET {sets} WHERE id = ?", (*params, t.id))
            self._conn.execute("UPDATE counters SET ticket_id = NULL, updated_at = ? WHERE id = ?",
                               (tx.at, cid))
            self._event(tx, "transferred", t.id, cid, code=t.code, from_service=t.service,
                        to_service=target.id, policy=policy)
        return self._at_counter(counter, AT_COUNTER, "transfer", change)

    def cancel(self, ticket: str) -> Ticket:
        with self._tx() as tx:
            found, _, _ = self._find(ticket)
            if found.status not in (Status.WAITING, Status.CALLED):
                raise IllegalTransition(f"cannot cancel ticket {found.code}: it is {found.status}")
            self._conn.execute("UPDATE tickets SET status = 'cancelled', finished_at = ? WHERE id = ?",
                               (tx.at, found.id))
            self._conn.execute("UPDATE counters SET ticket_id = NULL WHERE ticket_id = ?", (found.id,))
            self._event(tx, "cancelled", found.id, found.counter)
        return self._read(lambda: self._by_id(found.id))

    # ---- counters -------------------------------------------------------------------------
    def _mode(self, counter: str, mode: CounterMode, staff: str | None = None,
              keep_staff: bool = True) -> CounterState:
        c = self.config.counter(counter)
        with self._tx() as tx:
            old_mode, old_staff, tid = self._counter_row(c.id)
            if mode == CounterMode.CLOSED and tid:
                current = self._load("id = ?", (tid,))
                if current and current[0].status in AT_COUNTER:
                    raise IllegalTransition(f"counter {c.id} still has ticket {current[0].code}: "
                                            "finish, transfer or mark it as no-show first")
                tid = None
            new_staff = staff if staff is not None else (old_staff if keep_staff else None)
            self._set_counter(tx, c.id, mode, new_staff, tid)
            if old_mode != mode or new_staff != old_staff:
                self._event(tx, COUNTER_EVENTS[mode], None, c.id, new_staff)
        return self.counter_state(c.id)

    def open_counter(self, counter: str, staff: str | None = None) -> CounterState:
        return self._mode(counter, CounterMode.OPEN, staff)

    def pause_counter(self, counter: str) -> CounterState:
        return self._mode(counter, CounterMode.PAUSED)

    def close_counter(self, counter: str) -> CounterState:
        return self._mode(counter, CounterMode.CLOSED, keep_staff=False)

    def counter_state(self, counter: str) -> CounterState:
        c = self.config.counter(counter)

        def read() -> CounterState:
            mode, staff, tid = self._counter_row(c.id)
            ticket = self._by_id(tid) if tid else None
            return CounterState(c.id, CounterMode(mode), staff, ticket)
        return self._read(read)

    # ---- reading --------------------------------------------------------------------------
    def _read(self, fn: Any) -> Any:
        """Run reads in one snapshot (a deferred read transaction). If the service day has
        ended since the last write, first end it (expire what it left waiting, with events), so
        a board or phone never shows yesterday's queue as waiting."""
        with self._lock:
            row = self._one("SELECT value FROM meta WHERE key = 'service_day'")
            if row is not None and row[0] < self._day(self.clock.now()).isoformat():
                with self._tx():
                    pass
            self._conn.execute("BEGIN")
            try:
                return fn()
            finally:
                self._conn.execute("COMMIT")

    def waiting(self, counter: str | None = None, limit: int = 200) -> list[Ticket]:
        services = self.config.counter(counter).services if counter else tuple(self.config.services)
        marks = ",".join("?" * len(services))

        def read() -> list[Ticket]:
            rows = self._conn.execute(
                f"SELECT {self._TICKET_COLS} FROM tickets WHERE status = 'waiting' AND service IN ({marks}) "
                "ORDER BY priority_rank, queued_at, id LIMIT ?", (*services, limit)).fetchall()
            return [self._ticket(r) for r in rows]
        return self._read(read)

    def ticket(self, code: str) -> Ticket:
        return self._read(lambda: self._with_estimate(*self._find(code)))

    def status(self, token: str) -> Ticket:
        def read() -> Ticket:
            found = self._load("token = ?", (str(token),))
            if not found:
                raise TicketNotFound("no ticket with this token")
            return self._with_estimate(*found)
        return self._read(read)

    def rate(self, token: str, score: int) -> Ticket:
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise NovbeError(f"a rating is a whole number from 1 to 5, got {score!r}")
        with self._tx() as tx:
            found = self._load("token = ?", (str(token),))
            if not found:
                raise TicketNotFound("no ticket with this token")
            t = found[0]
            if t.status != Status.DONE:
                raise IllegalTransition(f"ticket {t.code} can be rated after the visit, it is {t.status}")
            if t.rating is not None:
                raise AlreadyRated(f"ticket {t.code} has been rated already")
            self._conn.execute("UPDATE tickets SET rating = ? WHERE id = ?", (score, t.id))
            self._event(tx, "rated", t.id, t.counter, score=score)
        return self._read(lambda: self._by_id(t.id))

    def report_device(self, source: str, kind: str, message: str = "",
                      ticket_id: int | None = None) -> Event:
        if kind not in DEVICE_KINDS:
            raise NovbeError(f"unknown device event {kind!r} (known: {', '.join(DEVICE_KINDS)})")
        with self._tx() as tx:
            if ticket_id is not None and not self._one("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)):
                raise TicketNotFound(f"no ticket with id {ticket_id}")
            eid = self._event(tx, kind, ticket_id, source=source, message=message)
            state = "ok" if kind in (*DEVICE_OK_KINDS, "printed") else kind
            self._conn.execute(
                "INSERT INTO devices(source, state, message, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(source) DO UPDATE SET state = excluded.state, message = excluded.message, "
                "at = excluded.at", (source, state, message, tx.at))
        return self.events(eid - 1, 1)[0]

    def events(self, after_id: int = 0, limit: int = 500) -> list[Event]:
        def read() -> list[Event]:
            rows = self._conn.execute(
                "SELECT e.id, e.at, e.kind, e.ticket_id, t.code, t.service, e.counter, e.staff, "
                "e.source, e.details FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id "
                "WHERE e.id > ? ORDER BY e.id LIMIT ?", (after_id, limit)).fetchall()
            return [Event(r[0], from_epoch(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                          json.loads(r[9]) if r[9] else {}) for r in rows]
        return self._read(read)

    def last_event_id(self) -> int:
        return self._read(lambda: self._one("SELECT coalesce(max(id), 0) FROM events")[0])

    def snapshot(self, zone: str | None = None, calls: int = 30) -> Snapshot:
        cfg = self.config
        counters = [c for c in cfg.counters if zone is None or c.zone == zone]
        zone_services = {s for c in counters for s in c.services}
        counter_ids = [c.id for c in counters]

        def read() -> Snapshot:
            now = self.clock.now()
            at = to_epoch(now)
            day = self._day(now)
            start = to_epoch(day_start(day, cfg.tz, cfg.day_reset_hour))
            last_id = self._one("SELECT coalesce(max(id), 0) FROM events")[0]
            # A zone's board shows the calls to its counters: filtered here, before the LIMIT,
            # so a busy hall elsewhere cannot push them out.
            in_zone = f"AND e.counter IN ({','.join('?' * len(counter_ids))}) " if zone else ""
            rows = self._conn.execute(
                # Today's events through the time index: scanning back by id would read the
                # whole history when fewer calls than the limit were made today.
                "SELECT e.id, e.at, e.kind, e.counter, t.code, t.service FROM events e "
                "INDEXED BY idx_events_at JOIN tickets t ON t.id = e.ticket_id "
                f"WHERE e.at >= ? AND e.kind IN ('called', 'recalled') {in_zone}"
                "ORDER BY e.id DESC LIMIT ?",
                (start, *(counter_ids if zone else ()), calls)).fetchall()
            call_list = [Call(r[0], from_epoch(r[1]), r[4], r[3], r[5], r[2] == "recalled")
                         for r in rows]
            waiting = {r[0]: (r[1], r[2]) for r in self._conn.execute(
                "SELECT service, count(*), min(queued_at) FROM tickets WHERE status = 'waiting' "
                "GROUP BY service")}
            # Who a new visitor (no priority class) would have ahead, per service of the queue.
            before_new = dict(self._conn.execute(
                "SELECT service, count(*) FROM tickets WHERE status = 'waiting' "
                "AND priority_rank <= ? GROUP BY service", (NORMAL_RANK,)).fetchall())
            services, by_cat = [], {}
            state = self._queue_state(at) if cfg.waits.estimator != "simple" else None
            for cat in cfg.categories:
                total, oldest, est, low, high = 0, None, 0, 0, 0
                for svc in cat.services:
                    if svc.id not in zone_services:
                        continue
                    n, first = waiting.get(svc.id, (0, None))
                    # The wait a new visitor of this service would face (as issue() tells them);
                    # a category shows the longest of its services'.
                    ahead = sum(before_new.get(s, 0) for s in self._competing.get(svc.id, (svc.id,)))
                    w = self._wait(svc.id, NORMAL_RANK, at, None, ahead, at, state)
                    old = int((at - first) // 60) if first else 0
                    services.append(ServiceLoad(svc.id, n, w.minutes, old, w.low, w.high))
                    total += n
                    if w.minutes >= est:
                        est, low, high = w.minutes, w.low, w.high
                    oldest = max(oldest or 0, old) if n else oldest
                if any(s.id in zone_services for s in cat.services):
                    by_cat[cat.id] = ServiceLoad(cat.id, total, est, oldest or 0, low, high)
            states = {r[0]: r for r in self._conn.execute(
                "SELECT c.id, c.state, c.staff, c.ticket_id FROM counters c")}
            counter_states = []
            for c in counters:
                r = states.get(c.id)
                ticket = self._by_id(r[3]) if r and r[3] else None
                counter_states.append(CounterState(c.id, CounterMode(r[1]) if r else CounterMode.CLOSED,
                                                   r[2] if r else None, ticket))
            alerts = [Alert(r[0], r[1], r[2] or "", from_epoch(r[3])) for r in self._conn.execute(
                "SELECT source, state, message, at FROM devices WHERE state != 'ok' ORDER BY at")]
            return Snapshot(day.isoformat(), last_id, call_list[:calls], services,
                            list(by_cat.values()), counter_states, alerts)
        return self._read(read)
