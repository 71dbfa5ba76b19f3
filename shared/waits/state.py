"""What the wait estimate reads, as plain values gathered by the queue in one read: the waiting
tickets, the counters as they are now, the recent visit times (shaped from the queue's rows
here), and what it prints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Entry = tuple[int, float, int | None]   # a waiting ticket in the replay: rank, queue time, id
# A booked visitor the replay calls when due, ahead of walk-ins (shared/core/booked_order.py):
# (due: the slot's start less the call-ahead, service, ticket id — or a key of its own for a
# booking not checked in yet).
Booked = tuple[float, str, int | None]


@dataclass(frozen=True)
class WaitingTicket:
    """A ticket waiting to be called, as the queue orders them."""

    id: int
    service: str
    rank: int                 # priority rank: lower is called first
    queued_at: float          # epoch seconds


@dataclass(frozen=True)
class CounterNow:
    """A counter as it is now."""

    id: str
    services: tuple[str, ...]
    mode: str                 # open | paused | closed
    visit_service: str | None = None   # the service of the visitor at the counter, if any
    visit_since: float | None = None   # when that visitor was called (epoch)
    visit_started: float | None = None  # when their visit started (epoch), None while called
    mode_since: float | None = None    # when the counter was paused (epoch)
    opens_at: float | None = None      # when it usually opens today (epoch), from its habits
    pause: tuple[float, float] | None = None  # its usual pause today (epoch start, end)


@dataclass(frozen=True)
class QueueState:
    """Everything the estimate reads, gathered by the queue in one read."""

    now: float
    waiting: Sequence[WaitingTicket]            # in call order
    counters: Sequence[CounterNow]
    visits: Mapping[str, Sequence[float]]       # service → recent visit seconds (call → end)
    service_min: dict[str, float]               # service → configured minutes (the prior)
    recent_priority: Sequence[tuple[str, int, float]] = ()  # (service, rank, issued_at)
    pause_min: float = 45.0                     # how long a pause usually lasts
    normal_rank: int = 1000
    fairness_multiple: float = 0.0              # > 0: the fairness rule with this multiple
    target_min: dict[str, float] = field(default_factory=dict)
    service_s: Mapping[str, Sequence[float]] = field(default_factory=dict)  # start → finish
    walk_ups_s: Sequence[float] = ()            # call → start of recent visits
    no_shows_s: Sequence[float] = ()            # call → no-show of recent no-shows
    # booked visitors: checked in (their tickets, not in `waiting`) or due to come, by slot
    booked: Sequence[Booked] = ()
    # the pooled visit-time shapes (VisitTimes.shape), worked out once: the queue passes the
    # same dict to every state made from the same recent visits and configured minutes
    shapes: dict[str, list[float]] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class WaitEstimate:
    """The printed wait: a point and the range around it (equal when no range is needed).
    `no_counter_open`: no counter that serves the service is open now (none signed in yet, or
    all paused) — the minutes are a guess nobody should be promised: ticket, kiosk, board and
    phone say so in words instead (shared/waits/text.py), with `opens_at` ("09:00") when the
    centre opens later today."""

    minutes: int
    low: int
    high: int
    no_counter_open: bool = False
    opens_at: str | None = None

    @property
    def is_range(self) -> bool:
        return self.high > self.low



@dataclass(frozen=True)
class RecentVisits:
    """Recent visit times, as the estimate reads them."""

    visits: dict[str, list[float]]      # service → call → end (walk-up, service or no-show)
    service: dict[str, list[float]]     # service → start (else call, no Start) → finish
    walk_ups: list[float]               # call → start, all services
    no_shows: list[float]               # call → no-show, all services


def recent_visits(rows: Iterable[tuple[str, str, float, float | None, float]],
                  per_service: int = 30, pooled: int = 200) -> RecentVisits:
    """RecentVisits from (service, status, called_at, started_at, finished_at) rows, newest
    first: `per_service` visits of each service, `pooled` walk-ups and no-shows."""
    visits: dict[str, list[float]] = {}
    service: dict[str, list[float]] = {}
    walks: list[float] = []
    gone: list[float] = []
    for sid, status, called, started, finished in rows:
        if finished is None or called is None or finished <= called:
            continue
        v = visits.setdefault(sid, [])
        if len(v) < per_service:
            v.append(finished - called)
        if status == "no_show":
            if len(gone) < pooled:
                gone.append(finished - called)
            continue
        sv = service.setdefault(sid, [])
        if started is None:             # nobody pressed Start: the visit runs from its call
            if len(sv) < per_service:
                sv.append(finished - called)
        elif started >= called:
            if len(sv) < per_service and finished > started:
                sv.append(finished - started)
            if len(walks) < pooled:
                walks.append(started - called)
    return RecentVisits(visits, service, walks, gone)
