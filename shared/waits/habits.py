"""When each counter usually opens and pauses, learned from its events of the last days: the
wait estimate counts on a counter that usually opens soon and off one about to go to lunch."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

HABIT_DAYS = 7
MIN_PAUSE_S = 10 * 60        # shorter pauses are not a habit worth planning on


@dataclass(frozen=True)
class CounterHabit:
    """Seconds after the start of a service day: when the counter usually opens, and its usual
    longest pause (start, end), when it pauses on at least half of its days."""

    opens_s: float | None = None
    pause_s: tuple[float, float] | None = None


def learn_habits(events: Iterable[tuple[int, str, str, float]]) -> dict[str, CounterHabit]:
    """Habits from (day number, counter, kind, seconds into that day) rows of counter events
    (kinds counter_opened, counter_paused, counter_closed), in time order."""
    days: dict[str, dict[int, list[tuple[str, float]]]] = {}
    for day, counter, kind, at in events:
        days.setdefault(counter, {}).setdefault(day, []).append((kind, at))
    habits: dict[str, CounterHabit] = {}
    for counter, per_day in days.items():
        opens: list[float] = []
        pauses: list[tuple[float, float]] = []
        for rows in per_day.values():
            first_open = next((at for kind, at in rows if kind == "counter_opened"), None)
            if first_open is not None:
                opens.append(first_open)
            longest: tuple[float, float] | None = None
            paused_at: float | None = None
            for kind, at in rows:
                if kind == "counter_paused":
                    paused_at = at
                elif paused_at is not None and kind in ("counter_opened", "counter_closed"):
                    if at - paused_at >= MIN_PAUSE_S and (
                            longest is None or at - paused_at > longest[1] - longest[0]):
                        longest = (paused_at, at)
                    paused_at = None
            if longest:
                pauses.append(longest)
        pause = None
        if pauses and len(pauses) * 2 >= len(per_day):
            pause = (statistics.median(p[0] for p in pauses), statistics.median(p[1] for p in pauses))
        habits[counter] = CounterHabit(statistics.median(opens) if opens else None, pause)
    return habits
