"""A day of the centre built with the fake clock, each step at a known minute, so that every
report figure is known by construction (tests/reports/test_known_day.py asserts them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.core.clock import FakeClock
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue

JOB = "employment.job-seeker"      # counters 1, 2, 3, 20; target 10 min
PENSION = "pensions.age"           # counters 4, 5, 6, 20; target 10 min
DAY = "2026-11-23"                 # a Monday; Asia/Baku is UTC+4, the day resets at 03:00
NINE = datetime.fromisoformat("2026-11-23T09:00:00+04:00")


@dataclass
class KnownDay:
    """The tickets of the day by letter, with the estimate printed on each (minutes)."""

    codes: dict[str, str] = field(default_factory=dict)
    printed: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def build_known_day(q: LocalQueue, clock: FakeClock) -> KnownDay:
    """Monday 23 November 2026, 09:00–10:30 local (minutes after 09:00 in brackets):
    counter 1 (aysel) and 4 (rauf) open at [0]; A (job) [0], B (job, veteran) [2],
    D (job) [3]; C (pension) [4]; 1 calls B [5], starts [6]; 4 calls C [6], starts [7]; 1 finishes B served
    [12] and calls A, starts A [14]; 4 finishes C served [19], nobody waits;
    1 finishes A unresolved [20], calls D, D is a no-show [22]; E (pension) [25], cancelled
    [26]; 1 pauses [30] (paused until the day ends); H (job) [45]; counter 2 (leyla) calls H
    [50], starts [51], transfers H to pensions [55] and closes; 4 calls H [56], starts [57],
    finishes referred [59]; 4 closes [60]; F (pension) [90] waits until the day ends.
    Ratings: B 5, C 4, A 2."""
    day = KnownDay()
    tokens = day.tokens

    def at(minute: int) -> None:
        clock.set(NINE + timedelta(minutes=minute))

    def issue(letter: str, service: str, priority: str | None = None) -> None:
        t = q.issue(service, priority=priority, source="kiosk-1")
        day.codes[letter], day.printed[letter], tokens[letter] = t.code, t.estimated_wait_min, t.token

    at(0)
    q.open_counter("1", "aysel")
    q.open_counter("4", "rauf")
    issue("A", JOB)
    at(2)
    issue("B", JOB, "veteran")
    at(3)
    issue("D", JOB)
    at(4)
    issue("C", PENSION)
    at(5)
    assert q.call_next("1").code == day.codes["B"]
    at(6)
    q.start("1")
    assert q.call_next("4").code == day.codes["C"]
    at(7)
    q.start("4")
    at(12)
    q.finish("1", "served")
    assert q.call_next("1").code == day.codes["A"]
    at(14)
    q.start("1")
    at(19)
    q.finish("4", "served")
    try:
        q.call_next("4")
        raise AssertionError("nobody should wait for counter 4")
    except NoTicketWaiting:
        pass
    at(20)
    q.finish("1", "unresolved")
    assert q.call_next("1").code == day.codes["D"]
    at(22)
    q.no_show("1")
    at(25)
    issue("E", PENSION)
    at(26)
    q.cancel(day.codes["E"])
    at(30)
    q.pause_counter("1")
    at(45)
    issue("H", JOB)
    at(50)
    assert q.call_next("2", staff="leyla").code == day.codes["H"]
    at(51)
    q.start("2")
    at(55)
    q.transfer("2", PENSION)
    q.close_counter("2")
    at(56)
    assert q.call_next("4").code == day.codes["H"]
    at(57)
    q.start("4")
    at(59)
    q.finish("4", "referred")
    at(60)
    q.close_counter("4")
    at(80)
    q.rate(tokens["B"], 5)
    q.rate(tokens["C"], 4)
    q.rate(tokens["A"], 2)
    at(90)
    issue("F", PENSION)
    # The next morning's first write ends the day: F expires, counter 1 (paused) closes.
    clock.set("2026-11-24T09:00:00+04:00")
    q.open_counter("3", "aysel")
    return day
