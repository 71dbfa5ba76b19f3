"""The preview before a profile change (planning/preview.py): the rest of today played in
memory by the call order, replayed on a copy of the live queue file — the real call_next on a
fake clock, the same seed, the same draws — calls every ticket at the same moment."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from planning.preview import preview, read_live, rules_at, served_by
from planning.rest_of_day import DayStart, Visit, play
from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue


class QueueCalls:
    """The Next of a real queue (a copy of the live file) on a fake clock."""

    def __init__(self, queue: LocalQueue, clock: FakeClock, start: DayStart):
        self.queue, self.clock, self.tz = queue, clock, queue.config.tz

    def arrive(self, visit: Visit, at: float) -> None:
        self.clock.set(datetime.fromtimestamp(at, self.tz))
        assert self.queue.issue(visit.service, priority=visit.priority).id == visit.id

    def next(self, counter: str, at: float) -> int | None:
        self.clock.set(datetime.fromtimestamp(at, self.tz))
        try:
            return self.queue.call_next(counter).id
        except NoTicketWaiting:
            return None


@pytest.fixture
def live(tmp_path: Path):
    """A morning at a small hall: counters 4, 6, 7, 14 open, some visits in progress, people
    waiting for pensions, insurance and benefits, counter 6 running its default profile."""
    config = load_config()
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=config.tz))
    q = LocalQueue(tmp_path / "live.sqlite", config, clock)
    for c in ("4", "6", "7", "14"):
        q.open_counter(c, f"staff-{c}")
    mix = ["pensions.age", "insurance.record", "benefits.child", "pensions.survivor"]
    for k in range(40):
        q.issue(mix[k % 4], priority="veteran" if k % 9 == 0 else None)
        clock.advance(minutes=2)
        if k % 5 == 0:
            for c in ("4", "6", "7"):
                with contextlib.suppress(NoTicketWaiting):
                    q.call_next(c)
    yield q, clock, tmp_path
    q.close()


def test_the_preview_replayed_on_the_real_queue_matches(live):
    """Played in memory with counter 6 switched to pensions first, and replayed through the
    real call_next on a copy of the live file with the same seed: the same ticket is called at
    the same moment, every one."""
    q, clock, tmp = live
    state = read_live(q.path, q.config, clock.now(), q.profiles_now())
    result = preview(state, "6", "pensions-first", seed=3)
    copy_path = q.backup(tmp / "copy.sqlite")
    copy_clock = FakeClock(clock.now())
    fast = replace(q.config, waits=replace(q.config.waits, estimator="simple"))  # no one reads them
    copy = LocalQueue(copy_path, fast, copy_clock)
    try:
        copy.switch_profile("6", "pensions-first", "aysel", manager=True)
        start = result.changed.start
        replayed = play(start, QueueCalls(copy, copy_clock, start), served_by(q.config))
    finally:
        copy.close()
    assert replayed.called == result.changed.called
    assert sum(1 for c in replayed.called.values() if c is not None) > 40
    assert result.now.called != result.changed.called          # the switch changes the day


def test_the_preview_is_the_same_for_the_same_seed(live):
    """Same live state and seed, same prediction; the side with no change equals the day as
    the counters run now."""
    q, clock, _ = live
    state = read_live(q.path, q.config, clock.now(), q.profiles_now())
    first, again = preview(state, "6", "lunch-cover", 5), preview(state, "6", "lunch-cover", 5)
    assert first.changed.called == again.changed.called and first.now.called == again.now.called
    same = preview(state, "6", "", 5)                          # "switch" to what it runs
    assert same.changed.called == same.now.called
    assert rules_at(state)("6", state.now).name == ""
