"""What a board shows at one instant: recent calls, the load per service and category, the
counters and the staff alerts — read in one snapshot of the queue's file, and kept per event
(HallCache) so that a long queue costs a board's read little."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from sqlite3 import Row

from shared.core.changes import changes_since, newest_event
from shared.core.clock import from_epoch, to_epoch
from shared.core.counter_profiles import profile_ids_now
from shared.core.devices import open_alerts
from shared.core.model import Alert, Call, CounterMode, CounterState, ServiceLoad, Snapshot
from shared.core.queue_tx import TICKET_COLUMNS, Tx, ticket_from_row
from shared.core.service_day import day_start
from shared.waits.kept_waiting import KeptWaiting
from shared.waits.reading import AFTER_ALL, NORMAL_RANK, WaitInputs, newcomer_wait, people_ahead


@dataclass(frozen=True)
class Hall:
    """What the events tell of the hall (or a zone of it) as of one event id: recent calls,
    waiting per service (count, oldest queue time), the counters (those of the zone, and which of the whole hall's are open) and the
    open alerts. Only the time-dependent rest is worked out per read."""

    last_id: int
    calls: list[Call]
    waiting: dict[str, tuple[int, float]]
    counters: list[CounterState]
    open_ids: frozenset[str]
    alerts: list[Alert]


WAITING_ONLY = frozenset({"issued"})   # events that change only who waits: a ticket issued
CATCH_UP = 512        # at most this many events since are caught up with; more: read again


class HallCache:
    """The latest Hall per zone, kept while the config and the service day are the same: a
    board that reads on every event reads the file once per event, however many boards and
    phones follow. After tickets issued, and nothing else, the kept Hall is brought up to date
    (who waits, from the waiting tickets kept per event: shared/waits/kept_waiting.py) instead
    of read again — the read after an issue costs the same whatever the queue's length."""

    KEEP = 16                       # zones × call counts kept

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._halls: dict[tuple[int, str, str | None, int], tuple[object, Hall]] = {}

    def hall(self, tx: Tx, zone: str | None, calls: int,
             waiting: KeptWaiting | None = None) -> Hall:
        """The Hall of `zone` as of this read's newest event; `waiting`: the queue's waiting
        tickets kept per event, when it keeps them."""
        last_id = newest_event(tx)
        key = (id(tx.config), tx.day.isoformat(), zone, calls)
        with self._lock:
            config, kept = self._halls.get(key, (None, None))
        if kept is not None and config is tx.config:
            if kept.last_id == last_id:
                return kept
            if kept.last_id < last_id <= kept.last_id + CATCH_UP and all(
                    c.kind in WAITING_ONLY for c in changes_since(tx, kept.last_id, last_id)):
                return self._keep(key, tx, replace(kept, last_id=last_id,
                                                   waiting=waiting_now(tx, last_id, waiting)))
        return self._keep(key, tx, read_hall(tx, last_id, zone, calls, waiting))

    def _keep(self, key: tuple[int, str, str | None, int], tx: Tx, hall: Hall) -> Hall:
        with self._lock:
            _, kept = self._halls.get(key, (None, None))
            if kept is None or kept.last_id <= hall.last_id:    # never an older one over it
                if len(self._halls) >= self.KEEP and key not in self._halls:
                    self._halls.clear()
                self._halls[key] = (tx.config, hall)
        return hall


def waiting_now(tx: Tx, last_id: int, waiting: KeptWaiting | None = None
                ) -> dict[str, tuple[int, float]]:
    """Per service with anyone waiting: how many, and the oldest queue time — from the waiting
    tickets kept per event when given (and as new as this read), else counted in SQL."""
    load = waiting.load(tx, last_id) if waiting is not None else None
    if load is not None:
        return load
    return {r[0]: (r[1], r[2]) for r in tx.rows(
        "SELECT service, count(*), min(queued_at) FROM tickets WHERE status = 'waiting' "
        "GROUP BY service")}


def read_hall(tx: Tx, last_id: int, zone: str | None, calls: int,
              kept_waiting: KeptWaiting | None = None) -> Hall:
    """The Hall, read in this transaction (whose newest event is `last_id`)."""
    cfg = tx.config
    counter_ids = [c.id for c in cfg.counters if zone is None or c.zone == zone]
    start = to_epoch(day_start(tx.day, cfg.tz, cfg.day_reset_hour))
    # A zone's board shows the calls to its counters: filtered here, before the LIMIT, so a
    # busy hall elsewhere cannot push them out. Today's events through the time index.
    in_zone = f"AND counter IN ({','.join('?' * len(counter_ids))}) " if zone else ""
    rows = tx.rows(
        "SELECT id, at, kind, counter, code, service FROM events INDEXED BY idx_events_at "
        f"WHERE at >= ? AND kind IN ('called', 'recalled') {in_zone}ORDER BY id DESC LIMIT ?",
        (start, *(counter_ids if zone else ()), calls))
    call_list = [Call(r["id"], from_epoch(r["at"]), r["code"], r["counter"], r["service"],  # type: ignore[arg-type]
                      r["kind"] == "recalled") for r in rows]
    waiting = waiting_now(tx, last_id, kept_waiting)
    modes = counter_modes(tx)
    open_ids = frozenset(cid for cid, m in modes.items() if m["state"] == CounterMode.OPEN)
    return Hall(last_id, call_list[:calls], waiting,
                counter_states(tx, counter_ids, modes), open_ids, open_alerts(tx))


def read_snapshot(tx: Tx, zone: str | None = None,
                  calls: int = 30, inputs: WaitInputs | None = None,
                  halls: HallCache | None = None) -> Snapshot:
    """The board's picture of the whole hall, or of one zone's counters and services."""
    cfg = tx.config
    hall = (halls or HallCache()).hall(tx, zone, calls, inputs.waiting if inputs else None)
    inputs = inputs or WaitInputs()
    # People ahead of a newcomer count only in the simple estimate (shared/waits/ahead.py).
    simple = cfg.waits.estimator == "simple"
    profiles = profile_ids_now(tx) if simple else {}
    zone_services = {s for c in cfg.counters if zone is None or c.zone == zone
                     for s in c.services}
    services, by_cat = [], {}
    for cat in cfg.categories:
        total, oldest, est, low, high = 0, None, 0, 0, 0
        closed: list[str | None] = []        # opening times of its services no counter calls
        for svc in cat.services:
            if svc.id not in zone_services:
                continue
            n, first = hall.waiting.get(svc.id, (0, None))
            # The wait a new visitor of this service would face (as issue() tells them);
            # a category shows the longest of its services'.
            ahead = people_ahead(tx, svc.id, NORMAL_RANK, tx.at, AFTER_ALL,
                                 profiles) if simple else 0
            w = newcomer_wait(tx, inputs, svc.id, ahead, open_ids=hall.open_ids)
            old = int((tx.at - first) // 60) if first else 0
            services.append(ServiceLoad(svc.id, n, w.minutes, old, w.low, w.high,
                                        w.no_counter_open, w.opens_at))
            if w.no_counter_open:
                closed.append(w.opens_at)
            total += n
            if w.minutes >= est:
                est, low, high = w.minutes, w.low, w.high
            oldest = max(oldest or 0, old) if n else oldest
        shown = [s for s in cat.services if s.id in zone_services]
        if shown:                 # "no counter open" only when none of its services has one
            nobody = len(closed) == len(shown)
            by_cat[cat.id] = ServiceLoad(cat.id, total, est, oldest or 0, low, high, nobody,
                                         min((t for t in closed if t), default=None) if nobody else None)
    return Snapshot(tx.day.isoformat(), hall.last_id, list(hall.calls), services,
                    list(by_cat.values()), list(hall.counters), list(hall.alerts))


def counter_modes(tx: Tx) -> dict[str, Row]:
    """Every counter's row of mode and staff, by id (a counter never opened has none)."""
    return {r["id"]: r for r in tx.rows("SELECT id, state, staff FROM counters")}


def counter_states(tx: Tx, counter_ids: list[str],
                   modes: dict[str, Row] | None = None) -> list[CounterState]:
    """The counters' modes, staff and current visitors (the ticket called or served there);
    `modes`: counter_modes when already read in this transaction."""
    modes = counter_modes(tx) if modes is None else modes
    visitors = {r["counter"]: ticket_from_row(r) for r in tx.rows(
        f"SELECT {TICKET_COLUMNS} FROM tickets INDEXED BY idx_tickets_at_counter "
        "WHERE status IN ('called', 'serving') AND counter IS NOT NULL")}
    out = []
    for cid in counter_ids:
        m = modes.get(cid)
        out.append(CounterState(cid, CounterMode(m["state"]) if m else CounterMode.CLOSED,
                                m["staff"] if m else None, visitors.get(cid)))
    return out
