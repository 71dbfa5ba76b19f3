"""A random day of the centre, driven through the real queue on the fake clock (whole seconds):
arrivals, priority visitors, counters opening, pausing and changing hands, calls, no-shows,
Next with no Start (and its Undo), transfers, cancellations, ratings — and the next morning's first write ending it."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from shared.core.clock import FakeClock
from shared.core.errors import NovbeError
from shared.core.local_queue import LocalQueue

SERVICES = ("employment.job-seeker", "employment.unemployment", "pensions.age",
            "pensions.disability")            # all with a 10-minute target
COUNTERS = ("1", "2", "4", "5")
STAFF = ("aysel", "rauf", "leyla", "murad", "nigar")


def run_random_day(q: LocalQueue, clock: FakeClock, seed: int, day: str = "2026-11-23",
                   steps: int = 900, after_step: Callable[[int], None] | None = None) -> None:
    """About 09:00–17:00 of `day` (Baku time), then its end on the next morning;
    `after_step(i)` is called after each step (to look at the day while it goes on)."""
    rng = random.Random(seed)
    now = datetime.fromisoformat(f"{day}T09:00:00+04:00")
    tokens: list[str] = []
    for i in range(steps):
        now += timedelta(seconds=rng.randint(5, 60))
        clock.set(now)
        with contextlib.suppress(NovbeError):     # a refused action is part of a real day
            _step(q, rng, tokens)
        if after_step is not None:
            after_step(i)
    for c in COUNTERS[:2]:                          # two counters close properly; the rest
        clock.set(now := now + timedelta(seconds=30))   # are left for the day's end
        with contextlib.suppress(NovbeError):
            q.finish(c)
        with contextlib.suppress(NovbeError):
            q.close_counter(c)
    clock.set(datetime.fromisoformat(f"{day}T05:30:00+04:00") + timedelta(days=1))
    q.issue(SERVICES[0])                            # the next day's first write ends this one


def _step(q: LocalQueue, rng: random.Random, tokens: list[str]) -> None:
    roll = rng.random()
    if roll < 0.32:
        prio = "veteran" if rng.random() < 0.1 else None
        t = q.issue(rng.choice(SERVICES), priority=prio, source="kiosk-1")
        tokens.append(t.token)
        return
    if roll < 0.36 and tokens:
        q.cancel(rng.choice(tokens))
        return
    if roll < 0.42 and tokens:
        q.rate(rng.choice(tokens), rng.randint(1, 5))
        return
    counter = rng.choice(COUNTERS)
    state = q.counter_state(counter)
    if state.mode == "closed":
        q.open_counter(counter, rng.choice(STAFF))
    elif state.mode == "paused":
        if rng.random() < 0.7:
            q.open_counter(counter)
        else:
            q.close_counter(counter)
    elif state.ticket is None:
        r = rng.random()
        if r < 0.8:
            q.call_next(counter)
        elif r < 0.9:
            q.pause_counter(counter)
        else:
            q.open_counter(counter, rng.choice(STAFF))    # another staff member takes over
    elif state.ticket.status == "called":
        r = rng.random()
        if r < 0.7:
            q.start(counter)
        elif r < 0.8:
            q.no_show(counter)
        elif r < 0.85:
            q.recall(counter)
        elif r < 0.9:
            _next(q, rng, counter)                # no Start: the walk-up rule files it
        else:
            q.finish(counter)
    else:
        r = rng.random()
        if r < 0.5:
            q.finish(counter, rng.choice(("served", "served", "served", "unresolved", "referred")))
        elif r < 0.6:
            q.transfer(counter, rng.choice(SERVICES))
        elif r < 0.8:
            _next(q, rng, counter)                # Next while serving: the visit ends as served


def _next(q: LocalQueue, rng: random.Random, counter: str) -> None:
    """Next; now and then the console's Undo puts the outcome it recorded right at once."""
    ended = q.call_next(counter).ended
    if ended is not None and rng.random() < 0.3:
        q.correct(counter, ended.code, "served" if ended.outcome == "no_show" else "no_show")
