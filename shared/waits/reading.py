"""Who is ahead of a ticket and how long it will likely wait, read from the queue's file for
the estimators (shared.waits.simple: the first, simple one; shared.waits.replay: the replay of the
call order, issue 13). This module gathers their inputs; they hold the arithmetic."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date, timedelta
from sqlite3 import Row

from shared.config.centre import CentreConfig
from shared.config.per_config import PerConfig
from shared.core.booked_order import due_at, due_by
from shared.core.call_order import PRIMARY
from shared.core.changes import open_counter_ids
from shared.core.clock import to_epoch
from shared.core.counter_profiles import call_rules, profile_ids_now, profiles_now
from shared.core.fairness import NORMAL_RANK
from shared.core.model import Outcome, Status
from shared.core.queue_tx import Tx
from shared.core.service_day import day_start
from shared.core.visits import at_window
from shared.waits.ahead import ALWAYS, AheadRule, ahead_rule
from shared.waits.habits import HABIT_DAYS, CounterHabit, learn_habits
from shared.waits.kept import KeptNewcomers
from shared.waits.kept_waiting import KeptWaiting
from shared.waits.newcomers import Newcomers
from shared.waits.replay import as_printed
from shared.waits.replay import estimate as replay_estimate
from shared.waits.simple import (
    LOOKBACK_SECONDS,
    RECENT_VISITS,
    estimate_wait_min,
    median_service_minutes,
)
from shared.waits.state import (
    CounterNow,
    QueueState,
    RecentVisits,
    WaitEstimate,
    WaitingTicket,
    recent_visits,
)

FRONT_RANK = 0              # transferred "to the front"
OPENS = "opens later today"  # Tx.memo's key of opens_later_today
AFTER_ALL = 2**63 - 1       # the id a ticket being issued will have: after every existing one


def ahead_rule_now(tx: Tx, service: str, queued_at: float | None = None,
                   profiles: Mapping[str, str | None] | None = None) -> AheadRule:
    """Which waiting tickets count ahead of a ticket of `service` queued at `queued_at` (now
    when None), by the profiles the counters run now (`profiles`, when already read)."""
    if profiles is None:
        profiles = profile_ids_now(tx)
    return ahead_rule(tx.config, profiles, service, tx.at if queued_at is None else queued_at,
                      tx.at)


def people_ahead(tx: Tx, service: str, rank: int, queued_at: float, ticket_id: int,
                 profiles: Mapping[str, str | None] | None = None) -> int:
    """People surely called before this ticket: waiting tickets ordered before it (priority
    rank, queue time, id) that every counter able to call it now, by its work profile, calls
    first (shared/waits/ahead.py). `profiles`: each counter's profile now, when already read."""
    rule = ahead_rule_now(tx, service, queued_at, profiles)
    counts, params = _counted_by(rule, rank)
    before = ("(priority_rank < ? OR (priority_rank = ? AND (queued_at < ? OR (queued_at = ? AND "
              "id < ?))))")
    order = (rank, rank, queued_at, queued_at, ticket_id)
    # all ordered before it, less the checked-in bookings not yet due (a counter calling
    # bookings at their slot passes them by until then): those few through their own index
    return int(tx.value(
        f"SELECT (SELECT count(*) FROM tickets WHERE status = 'waiting' AND ({counts}) AND "
        f"{before}) - (SELECT count(*) FROM tickets INDEXED BY idx_tickets_waiting_booked "
        f"WHERE status = 'waiting' AND slot_at IS NOT NULL AND slot_at > ? AND ({counts}) AND "
        f"{before})", (*params, *order, due_by(tx), *params, *order)))


def ahead_of(tx: Tx, row: Row) -> int:
    """People surely called before a waiting ticket (its row): a booked visitor's
    (booked_ahead) or anyone else's (people_ahead)."""
    if row["slot_at"] is not None:
        return booked_ahead(tx, row["service"], row["slot_at"], row["queued_at"], row["id"])
    return people_ahead(tx, row["service"], row["priority_rank"], row["queued_at"], row["id"])


def booked_ahead(tx: Tx, service: str, slot_at: float, queued_at: float, ticket_id: int) -> int:
    """People surely called before a booked visitor of `service` for the slot at `slot_at`
    (ticket `ticket_id` queued at `queued_at`; AFTER_ALL: one checking in now): the bookings of
    the service checked in before them for a slot no later — whatever a counter's profile, the
    call order takes those first (by slot when it calls bookings at their slot, by queue time
    when as walk-ins). The walk-ins waiting are not counted: the booked visitor is called at
    the slot, ahead of them."""
    return int(tx.value(
        "SELECT count(*) FROM tickets WHERE status = 'waiting' AND service = ? AND slot_at IS NOT "
        "NULL AND slot_at <= ? AND (queued_at < ? OR (queued_at = ? AND id < ?))",
        (service, slot_at, queued_at, queued_at, ticket_id)))


def _counted_by(rule: AheadRule, rank: int) -> tuple[str, tuple[object, ...]]:
    """`rule` (AheadRule.counts) as an SQL condition and its parameters: counted in SQLite
    inside the issue's write, never row by row in Python."""
    always = [s for s, limit in rule.before.items() if limit == ALWAYS]
    until = [(s, limit) for s, limit in rule.before.items() if limit != ALWAYS]
    parts: list[str] = []
    params: list[object] = []
    if always:
        parts.append(f"service IN ({','.join('?' * len(always))})")
        params += always
    for s, limit in until:
        parts.append("(service = ? AND queued_at <= ?)")
        params += [s, limit]
    counts = " OR ".join(parts) or "0"
    if rule.same_kind:
        counts = f"({counts}) AND priority_rank {'<' if rank < NORMAL_RANK else '>='} ?"
        params.append(NORMAL_RANK)
    return counts, tuple(params)


def service_minutes(tx: Tx, service: str) -> float:
    """The typical visit of a service lately (median of recent start → finish; from the call
    when nobody pressed Start), or its configured minutes while too few are known."""
    rows = tx.rows(
        "SELECT finished_at - coalesce(started_at, called_at) FROM tickets WHERE status = 'done' AND service = ? "
        "AND finished_at > ? AND outcome IS NOT ? ORDER BY finished_at DESC LIMIT ?",
        (service, tx.at - LOOKBACK_SECONDS, Outcome.DAY_END, RECENT_VISITS))
    return median_service_minutes([r[0] for r in rows], tx.config.service(service).service_min)


_SERVING: PerConfig[frozenset[str]] = PerConfig()


def serving_ids(config: CentreConfig, service: str) -> frozenset[str]:
    """The ids of the counters configured to serve `service` (worked out once per config:
    a board's read asks for every service)."""
    return _SERVING.get(config, service,
                        lambda: frozenset(c.id for c in config.counters_serving(service)))


def open_counters(tx: Tx, service: str) -> tuple[int, int]:
    """(open counters serving the service, counters configured to serve it)."""
    serving = serving_ids(tx.config, service)
    if not serving:
        return 0, 0
    return len(serving & open_counter_ids(tx)), len(serving)


def estimate_wait(tx: Tx, service: str, ahead: int) -> int:
    """Whole minutes a visitor of `service` with `ahead` people before them will likely wait."""
    if ahead <= 0:
        return 0
    return estimate_wait_min(ahead, service_minutes(tx, service), *open_counters(tx, service))


# ---- the replay estimate's inputs (issue 13): shared/waits/replay.py does the arithmetic ------
class WaitInputs:
    """What the replay estimate reads that changes slowly, kept between transactions by the
    queue: the recent visit times (read again once a minute) and the counters' habits (once a
    service day); the newcomers' replay and the waiting tickets, both caught up per event."""

    def __init__(self) -> None:
        self.visits: tuple[float, RecentVisits] | None = None
        self.habits: tuple[date, dict[str, CounterHabit]] | None = None
        self._shapes: tuple[dict[str, float], dict[str, list[float]]] = ({}, {})
        self.kept = KeptNewcomers(lambda tx: Newcomers(queue_state(tx, self)))
        self.waiting = KeptWaiting()      # who is ahead of a newcomer, caught up per event

    def shapes(self, service_min: dict[str, float]) -> dict[str, list[float]]:
        """Where the estimate keeps the visit-time shapes it pools from the recent visits:
        emptied when those are read again or the configured minutes change."""
        if self._shapes[0] != service_min:
            self._shapes = (dict(service_min), {})
        return self._shapes[1]

    def recent(self, tx: Tx) -> RecentVisits:
        """The recent visits (call → end, no-shows included), newest first."""
        if self.visits and 0 <= tx.at - self.visits[0] < 60:
            return self.visits[1]
        rows = tx.rows(
            "SELECT service, status, called_at, started_at, finished_at FROM tickets "
            "WHERE status IN ('done', 'no_show') AND called_at IS NOT NULL AND finished_at > ? "
            "AND outcome IS NOT ? ORDER BY finished_at DESC LIMIT 3000",
            (tx.at - LOOKBACK_SECONDS, Outcome.DAY_END))
        visits = recent_visits([tuple(r) for r in rows], RECENT_VISITS)
        self.visits = (tx.at, visits)
        self._shapes = ({}, {})
        return visits

    def counter_habits(self, tx: Tx) -> dict[str, CounterHabit]:
        """When each counter usually opens and pauses, from its events of the HABIT_DAYS
        service days before today."""
        if self.habits and self.habits[0] == tx.day:
            return self.habits[1]
        cfg, today = tx.config, tx.day
        starts = {today - timedelta(days=k): to_epoch(day_start(today - timedelta(days=k), cfg.tz,
                                                                cfg.day_reset_hour))
                  for k in range(HABIT_DAYS + 1)}
        rows = tx.rows(
            "SELECT at, counter, kind FROM events INDEXED BY idx_events_at WHERE at >= ? AND at < ? "
            "AND kind IN ('counter_opened', 'counter_paused', 'counter_closed') ORDER BY id",
            (starts[today - timedelta(days=HABIT_DAYS)], starts[today]))
        ordered = sorted(starts.items(), key=lambda kv: kv[1])
        events = []
        for at, counter, kind in rows:
            day, begin = next((d, b) for d, b in reversed(ordered) if b <= at)
            events.append(((today - day).days, counter, kind, at - begin))
        habits = learn_habits(events)
        self.habits = (today, habits)
        return habits


    def newcomer_wait(self, tx: Tx, service: str, quick: bool = False,
                      last: int | None = None) -> WaitEstimate:
        """The replay's wait for a newcomer of no priority class of `service`, in this read,
        from the replay kept between reads (shared/waits/kept.py)."""
        return self.kept.estimate(tx, service, quick, last)


def _visit_started(visit: Row, at: float, walk_up_s: float) -> float | None:
    """When a counter's visit started as the queue's rule reads it (shared/core/visits.py):
    at Start; with no Start, once the walk-up time has passed, from its call (as the reports
    and the recent visits count it); None while the visitor may still be walking up."""
    _counter, _service, called, started, status, recalled = visit
    if status == Status.SERVING:
        return started
    return called if at_window(status, called, recalled, at, walk_up_s) else None


def queue_state(tx: Tx, inputs: WaitInputs) -> QueueState:
    """Everything the replay estimate reads, in this transaction."""
    cfg = tx.config
    rows = tx.rows("SELECT id, service, priority_rank, queued_at, slot_at FROM tickets "
                   "WHERE status = 'waiting' ORDER BY priority_rank, queued_at, id")
    waiting = [WaitingTicket(r[0], r[1], r[2], r[3]) for r in rows if r[4] is None]
    modes = {r[0]: (r[1], r[2]) for r in tx.rows("SELECT id, state, updated_at FROM counters")}
    visits = {r[0]: r for r in tx.rows(
        "SELECT counter, service, called_at, started_at, status, recalled_at FROM tickets "
        "INDEXED BY idx_tickets_at_counter WHERE status IN ('called', 'serving') "
        "AND counter IS NOT NULL")}
    start = to_epoch(day_start(tx.day, cfg.tz, cfg.day_reset_hour))
    habits = inputs.counter_habits(tx)
    profiles = profiles_now(tx)
    counters = []
    for c in cfg.counters:
        mode, since = modes.get(c.id, ("closed", None))
        v = visits.get(c.id)
        h = habits.get(c.id)
        rules = call_rules(cfg, c.id, profiles[c.id].profile)   # its work profile now
        plain = rules.quota is None and all(lv == PRIMARY for lv in rules.levels.values())
        counters.append(CounterNow(
            c.id, tuple(rules.levels), mode, rules=None if plain else rules,
            visit_service=v[1] if v else None,
            visit_since=v[2] if v else None, mode_since=since,
            visit_started=_visit_started(v, tx.at, cfg.visits.walk_up_s) if v else None,
            opens_at=start + h.opens_s if h and h.opens_s is not None else None,
            pause=(start + h.pause_s[0], start + h.pause_s[1]) if h and h.pause_s else None))
    priority = tx.rows(
        "SELECT service, priority_rank, issued_at FROM tickets WHERE service_day = ? "
        "AND priority_rank < ? AND issued_at > ?", (tx.day.isoformat(), NORMAL_RANK, tx.at - 3600))
    recent = inputs.recent(tx)
    service_min = {sid: s.service_min for sid, s in cfg.services.items()}
    return QueueState(
        now=tx.at, waiting=waiting, counters=counters, visits=recent.visits,
        service_s=recent.service, walk_ups_s=recent.walk_ups, no_shows_s=recent.no_shows,
        service_min=service_min, shapes=inputs.shapes(service_min),
        recent_priority=[(r[0], r[1], r[2]) for r in priority], pause_min=cfg.waits.pause_min,
        booked=booked_visitors(tx, rows),
        normal_rank=NORMAL_RANK,
        fairness_multiple=cfg.fairness.wait_multiple if cfg.fairness.enabled else 0.0,
        target_min={sid: s.target_wait_min for sid, s in cfg.services.items()})


BOOKED_AHEAD_S = 3 * 3600   # bookings not checked in yet are counted this far ahead
BOOKING_KEYS = 2**40        # draw keys of bookings not checked in (apart from ticket ids)


def booked_visitors(tx: Tx, waiting: list[Row]) -> list[tuple[float, str, int | None]]:
    """The booked visitors the replay calls when due (their slot less the call-ahead): the
    checked-in ones (waiting tickets with a slot) and those booked for a slot from the late
    window's start to BOOKED_AHEAD_S ahead who have not checked in yet — each expected to come."""
    cfg = tx.config
    booked: list[tuple[float, str, int | None]] = [(due_at(cfg, r[4]), r[1], r[0])
                                                   for r in waiting if r[4] is not None]
    late = tx.config.bookings.late_min * 60
    for k, r in enumerate(tx.rows(
            "SELECT slot_start, service FROM bookings INDEXED BY idx_bookings_open "
            "WHERE status = 'booked' AND slot_start >= ? AND slot_start < ?",
            (tx.at - late, tx.at + BOOKED_AHEAD_S))):
        booked.append((due_at(cfg, r[0]), r[1], BOOKING_KEYS + k))
    return booked


def booked_wait(tx: Tx, inputs: WaitInputs, service: str, slot_at: float) -> WaitEstimate:
    """The wait printed for a booked visitor checking in now for the slot starting at
    `slot_at`: called once due (`[bookings] call_ahead_min` before it), ahead of the walk-ins of
    their class, as the call order does — replayed with everyone waiting and booked, or (the
    simple estimator) the time until it is due. Never a walk-in's wait behind everyone."""
    due = due_at(tx.config, slot_at)
    if tx.config.waits.estimator == "simple":
        return _until_due(tx, service, due)
    state = checking_in(queue_state(tx, inputs), due, service)
    return printed_wait(tx, inputs, service, NORMAL_RANK, tx.at, None, 0, state)


def _until_due(tx: Tx, service: str, due: float) -> WaitEstimate:
    """The simple estimator's wait of a booked visitor: the time until their booking is due."""
    return when_nobody_can_call(tx, service, as_printed(max(0.0, due - tx.at)))


def ticket_wait(tx: Tx, inputs: WaitInputs, row: Row, ahead: int) -> WaitEstimate:
    """The wait shown for a waiting ticket (its row; `ahead`: ahead_of it), as it was printed:
    a booked visitor's, with the simple estimator, the time until due (booked_wait) — not a
    walk-in's count of `ahead` visits; any other by printed_wait."""
    if row["slot_at"] is not None and tx.config.waits.estimator == "simple":
        return _until_due(tx, row["service"], due_at(tx.config, row["slot_at"]))
    return printed_wait(tx, inputs, row["service"], row["priority_rank"], row["queued_at"],
                        row["id"], ahead)


def checking_in(state: QueueState, due: float, service: str) -> QueueState:
    """`state` with the visitor checking in for a booking of `service` due at `due` as the one
    waited for (id None), in place of their booking still to come — and of the others of that
    slot still to come, who will check in after them and so be called after them."""
    booked = [b for b in state.booked if not (b[2] is not None and b[2] >= BOOKING_KEYS
                                              and (b[0], b[1]) == (due, service))]
    return replace(state, booked=[*booked, (due, service, None)])


def printed_wait(tx: Tx, inputs: WaitInputs, service: str, rank: int, queued_at: float,
                 ticket_id: int | None, ahead: int, state: QueueState | None = None,
                 quick: bool = False) -> WaitEstimate:
    """The wait printed for a ticket (`ticket_id` None: one issued now), by the configured
    estimator: the replay (shared/waits/replay.py; `quick`: its one-replay form, for boards) or
    the first, simple one."""
    if tx.config.waits.estimator == "simple":
        minutes = estimate_wait(tx, service, ahead)
        wait = WaitEstimate(minutes, minutes, minutes)
    else:
        state = state or queue_state(tx, inputs)
        wait = replay_estimate(state, service, rank, queued_at, ticket_id, quick)
    return when_nobody_can_call(tx, service, wait, state)


def newcomer_wait(tx: Tx, inputs: WaitInputs, service: str, ahead: int,
                  quick: bool = True, open_ids: Collection[str] | None = None,
                  last: int | None = None) -> WaitEstimate:
    """The wait a new visitor of no priority class of `service`, with `ahead` people before
    them, would be told, by the configured estimator: the replay's (one replay of the whole
    hall serves every service; `quick`: its expected-times form, for boards) or the simple one.
    `open_ids`: the counters open now, when the caller already knows them (the board's hall);
    `last`: the read's newest event id, when the caller has read it."""
    if tx.config.waits.estimator == "simple":
        minutes = estimate_wait(tx, service, ahead)
        wait = WaitEstimate(minutes, minutes, minutes)
    else:
        wait = inputs.newcomer_wait(tx, service, quick, last)
    return when_nobody_can_call(tx, service, wait, open_ids=open_ids)


def when_nobody_can_call(tx: Tx, service: str, wait: WaitEstimate,
                         state: QueueState | None = None,
                         open_ids: Collection[str] | None = None) -> WaitEstimate:
    """The estimate marked `no_counter_open` when no counter that serves `service` is open now
    (closed or paused), with the time the centre opens when that is later today. Whether one
    is open is read from the replay's `state` or the counters `open_ids` when given, else from
    the file."""
    if state is not None:
        open_now = any(c.mode == "open" and service in c.services for c in state.counters)
    elif open_ids is not None:
        open_now = any(cid in open_ids for cid in serving_ids(tx.config, service))
    else:
        open_now = open_counters(tx, service)[0] > 0
    if open_now:
        return wait
    return replace(wait, no_counter_open=True, opens_at=opens_later_today(tx))


def opens_later_today(tx: Tx) -> str | None:
    """The time the centre opens ("HH:MM") when that is later today, else None (once per
    transaction: a board's read asks for every service no counter serves)."""
    if OPENS not in tx.memo:
        local = tx.now.astimezone(tx.config.tz)
        span = tx.config.hours.span(local.date())
        tx.memo[OPENS] = f"{span[0]:%H:%M}" if span is not None and local.time() < span[0] \
            else None
    opens: str | None = tx.memo[OPENS]
    return opens
