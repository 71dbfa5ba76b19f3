"""Preview before a change: "what if counter 6 switches to lunch cover now?" — the rest of today
played from the live state (the tickets waiting, the visits in progress, the counters as they
are, the visitors still to come at today's rate so far per service) twice with the same draws,
as the counters run now and with the change; predicted waits and within-target share side by
side (planning/rest_of_day.py plays it)."""

from __future__ import annotations

import math
import random
import sqlite3
import time as wall
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from planning.rest_of_day import CounterStart, DayPlayed, DayStart, MemoryCalls, Visit, play
from shared.config.centre import CentreConfig
from shared.core.call_order import CallRules
from shared.core.counter_profiles import ProfileNow, ScheduledSwitch, call_rules, fairness_of
from shared.core.service_day import service_day

SPREAD = 0.5                  # sigma of the lognormal visit time around the service's minutes
MIN_ELAPSED_S = 1800.0        # today's rate so far is counted over at least this long
PAUSE_S = 45 * 60.0           # a paused counter is back this long after it paused


@dataclass(frozen=True)
class LiveState:
    """What the preview reads of the live queue in one read."""

    now: float
    config: CentreConfig
    waiting: list[tuple[int, str, int, float, str | None]]     # id, service, rank, queued, class
    counters: dict[str, tuple[str, float | None]]              # id → (mode, since)
    visiting: dict[str, tuple[str, float]]                     # counter → (service, called)
    issued_today: list[tuple[str, int, float, str | None]]     # service, rank, issued, class
    next_id: int
    profiles: dict[str, ProfileNow]
    scheduled: list[ScheduledSwitch]


def read_live(path: Path, config: CentreConfig, now: datetime,
              profiles: tuple[dict[str, ProfileNow], list[ScheduledSwitch]]) -> LiveState:
    """The live state from the queue's file (a read-only connection: never waits behind a
    write) and its profiles now."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        day = service_day(now, config.tz, config.day_reset_hour).isoformat()
        waiting = conn.execute("SELECT id, service, priority_rank, queued_at, priority FROM "
                               "tickets WHERE status = 'waiting'").fetchall()
        counters = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT id, state, updated_at FROM counters")}
        visiting = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT counter, service, called_at FROM tickets WHERE status IN ('called', "
            "'serving') AND counter IS NOT NULL")}
        issued = conn.execute("SELECT service, priority_rank, issued_at, priority FROM tickets "
                              "WHERE service_day = ?", (day,)).fetchall()
        top = conn.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]
    finally:
        conn.close()
    return LiveState(now.timestamp(), config, waiting, counters, visiting, issued, top + 1,
                     *profiles)


def visit_seconds(config: CentreConfig, service: str, rng: random.Random) -> float:
    mean = config.service(service).service_min
    return rng.lognormvariate(math.log(mean) - SPREAD * SPREAD / 2, SPREAD) * 60


def day_start(live: LiveState, seed: int) -> DayStart:
    """The rest of today as the preview plays it: the same for a seed whatever is changed."""
    cfg, now = live.config, live.now
    def draw(tid: int, service: str) -> float:
        return visit_seconds(cfg, service, random.Random(f"{seed}:{tid}"))
    waiting = []
    for tid, service, rank, queued, klass in live.waiting:
        waiting.append(Visit(tid, service, rank, queued, draw(tid, service), klass))
    local = datetime.fromtimestamp(now, cfg.tz)
    closes = cfg.hours.closing_time(local)
    ends = closes.timestamp() if closes is not None and closes.timestamp() > now else now + 3600
    first = min((r[2] for r in live.issued_today), default=now)
    elapsed = max(MIN_ELAPSED_S, now - first)
    per_service: dict[str, list[tuple[int, str | None]]] = {}
    for service, rank, _, klass in live.issued_today:
        per_service.setdefault(service, []).append((rank, klass))
    arrivals_rng = random.Random(f"{seed}:arrivals")
    times = []
    for service in sorted(per_service):
        rate = len(per_service[service]) / elapsed
        t = now
        while True:
            t += arrivals_rng.expovariate(rate)
            if t >= ends:
                break
            rank, klass = arrivals_rng.choice(per_service[service])
            times.append((t, service, rank, klass))
    arrivals = []
    for k, (t, service, rank, klass) in enumerate(sorted(times)):
        tid = live.next_id + k
        arrivals.append(Visit(tid, service, rank, t, draw(tid, service), klass))
    counters = []
    for c in cfg.counters:
        mode, since = live.counters.get(c.id, ("closed", None))
        free: float | None = now
        if c.id in live.visiting:
            service, called = live.visiting[c.id]
            free = max(now + 30, called + cfg.service(service).service_min * 60)
        elif mode == "paused":
            free = max(now, (since or now) + PAUSE_S)
        elif mode == "closed":
            free = None
        counters.append(CounterStart(c.id, free))
    targets = {s: v.target_wait_min for s, v in cfg.services.items()}
    return DayStart(now, tuple(waiting), tuple(arrivals), tuple(counters), ends,
                    fairness_of(cfg), targets)


def rules_at(live: LiveState, change: tuple[str, str] | None = None):  # noqa: ANN201
    """Each counter's rules at a time: a scheduled switch while it lasts, else the profile it
    runs now (or, for the changed counter, the new one)."""
    cfg = live.config
    cache: dict[tuple[str, str], CallRules] = {}

    def rules(counter: str, at: float) -> CallRules:
        pid = next((s.profile for s in live.scheduled
                    if s.counter == counter and s.starts_at <= at < s.ends_at), None)
        if pid is None:
            pid = change[1] if change and change[0] == counter else live.profiles[counter].profile
        if (counter, pid) not in cache:
            cache[counter, pid] = call_rules(cfg, counter, pid)
        return cache[counter, pid]
    return rules


def served_by(config: CentreConfig):  # noqa: ANN201
    services = {c.id: set(c.services) for c in config.counters}
    return lambda counter, at: services[counter]


@dataclass
class Preview:
    """The rest of today as the counters run now and with the change, side by side."""

    counter: str
    profile: str
    now: DayPlayed
    changed: DayPlayed
    seconds: float

    def to_json(self, config: CentreConfig, lang: str) -> dict[str, Any]:
        from shared.core.profile_text import profile_name

        def side(played: DayPlayed) -> dict[str, Any]:
            waits = [w for w in played.waits_min().values() if w is not None]
            return {"within_target_pct": round(100 * played.within_target(), 1),
                    "wait_mean_min": round(sum(waits) / len(waits), 1) if waits else None,
                    "not_called": sum(1 for c in played.called.values() if c is None),
                    "idle_waiting_min": round(played.idle_waiting_s / 60, 1)}
        services = []
        start = self.now.start
        waits_now, waits_changed = self.now.waits_min(), self.changed.waits_min()
        for sid in sorted({v.service for v in (*start.waiting, *start.arrivals)},
                          key=list(config.services).index):
            ids = [v.id for v in (*start.waiting, *start.arrivals) if v.service == sid]
            mean = lambda ws: round(sum(ws) / len(ws), 1) if ws else None  # noqa: E731
            services.append({
                "service": sid, "name": config.service(sid).name(lang),
                "waiting": sum(1 for v in start.waiting if v.service == sid), "tickets": len(ids),
                "now_min": mean([w for t in ids if (w := waits_now[t]) is not None]),
                "changed_min": mean([w for t in ids if (w := waits_changed[t]) is not None])})
        return {"counter": self.counter, "profile": self.profile,
                "profile_name": profile_name(config, self.profile, lang),
                "now": side(self.now), "changed": side(self.changed), "services": services,
                "seconds": round(self.seconds, 3), "arrivals": len(start.arrivals),
                "waiting": len(start.waiting)}


def preview(live: LiveState, counter: str, profile: str, seed: int = 1) -> Preview:
    """Play the rest of today as it runs now and with `counter` on `profile` from now."""
    began = wall.perf_counter()
    start = day_start(live, seed)
    served = served_by(live.config)
    now = play(start, MemoryCalls(start, rules_at(live)), served)
    changed = play(start, MemoryCalls(start, rules_at(live, (counter, profile))), served)
    return Preview(counter, profile, now, changed, wall.perf_counter() - began)
