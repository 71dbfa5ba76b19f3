"""A scenario learned from a centre's own history: arrivals per hour (on the chosen weekday or
all days), the service mix, priority shares, visit times and their spread, walk-ups, no-shows,
transfers, and when each counter usually opens, pauses and closes — read from the events and
tickets of its queue database, opened read-only."""

from __future__ import annotations

import json
import math
import sqlite3
import statistics
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

from planning.scenario import Scenario, Shift
from shared.config.centre import WEEKDAYS, CentreConfig
from shared.core.clock import to_datetime
from shared.core.errors import NovbeError
from shared.percentile import percentile_of
from shared.waits.habits import learn_habits


def parse_range(text: str) -> tuple[date, date]:
    """`2026-11-01..2026-11-30` (or one date) → (first, last); NovbeError naming the problem."""
    parts = text.split("..")
    try:
        first = date.fromisoformat(parts[0].strip())
        last = date.fromisoformat(parts[-1].strip()) if len(parts) == 2 else first
    except ValueError:
        raise NovbeError(f"--learn-from needs FIRST..LAST dates like 2026-11-01..2026-11-30, "
                         f"got {text!r}") from None
    if len(parts) > 2 or last < first:
        raise NovbeError(f"--learn-from: {text!r} is not a range with its first day first")
    return first, last


MAX_LEARN_DAYS = 366      # one SQL variable per day: a year at most


class LearnRangeTooLong(NovbeError):
    """The days to learn from span more than MAX_LEARN_DAYS."""

    def __init__(self, first: date, last: date):
        self.first, self.last, self.days = first, last, (last - first).days + 1
        super().__init__(f"learn from at most {MAX_LEARN_DAYS} days at a time, not {self.days} "
                         f"({first} to {last})")


def learn_scenario(db_path: str | Path, centre: CentreConfig, first: date, last: date,
                   weekday: str | None = None) -> Scenario:
    """The average day between `first` and `last` (only `weekday`s, e.g. "mon", when given)."""
    path = Path(db_path)
    if not path.exists():
        raise NovbeError(f"no queue database at {path}")
    if (last - first).days + 1 > MAX_LEARN_DAYS:
        raise LearnRangeTooLong(first, last)
    if weekday is not None and weekday not in WEEKDAYS:
        raise NovbeError(f"unknown weekday {weekday!r} (known: {', '.join(WEEKDAYS)})")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _Learner(conn, centre, first, last, weekday).scenario()
    finally:
        conn.close()


class _Learner:
    def __init__(self, conn: sqlite3.Connection, centre: CentreConfig, first: date, last: date,
                 weekday: str | None):
        self.conn, self.centre, self.first, self.last = conn, centre, first, last
        self.weekday = weekday
        self.tz = centre.tz

    def _days(self, column: str = "service_day") -> tuple[str, list[str]]:
        days = [(self.first + timedelta(days=k)) for k in range((self.last - self.first).days + 1)]
        chosen = [d.isoformat() for d in days
                  if self.weekday is None or WEEKDAYS[d.weekday()] == self.weekday]
        return f"{column} IN ({','.join('?' * len(chosen))})", chosen

    def scenario(self) -> Scenario:
        where, days = self._days("t.service_day")
        rows = self.conn.execute(
            "SELECT t.service_day, t.id, t.status, t.called_at, t.started_at, t.finished_at, "
            "t.outcome, t.transfers, e.at, e.details, e.service FROM tickets t JOIN events e "
            f"ON e.ticket_id = t.id AND e.kind = 'issued' WHERE {where}", days).fetchall()
        if not rows:
            which = f" on {self.weekday}" if self.weekday else ""
            raise NovbeError(f"no tickets{which} between {self.first} and {self.last} in this "
                             "database: nothing to learn from")
        open_days = sorted({r[0] for r in rows})
        hours: Counter[int] = Counter()
        mix: Counter[str] = Counter()
        prio: Counter[str] = Counter()
        services: dict[str, list[float]] = {}
        walks, gone_waits = [], []
        called = no_shows = transfers = 0
        for (_day, _tid, status, called_at, started, finished, outcome, moved, at, details,
             issued_for) in rows:
            info = json.loads(details) if details else {}
            hours[to_datetime(at).astimezone(self.tz).hour] += 1
            service = issued_for or info.get("service")
            if service in self.centre.services:
                mix[service] += 1
            if info.get("priority"):
                prio[info["priority"]] += 1
            transfers += 1 if moved else 0
            if called_at is not None:
                called += 1
            if status == "no_show" and called_at is not None and finished is not None:
                no_shows += 1
                gone_waits.append(finished - called_at)
            elif (status == "done" and (started or called_at) and finished
                  and outcome != "day_end" and not moved and service):
                # with no Start the visit runs from its call and its walk-up is unknown
                services.setdefault(service, []).append(finished - (started or called_at))
                if started and called_at is not None and started >= called_at:
                    walks.append(started - called_at)
        total = len(rows)
        service_min = {sid: s.service_min for sid, s in self.centre.services.items()}
        logs = []
        for sid, values in services.items():
            values = [v for v in values if v > 0]
            if len(values) >= 3:
                mean = statistics.fmean(values)
                service_min[sid] = mean / 60
                logs += [math.log(v / mean) for v in values]
        spread = statistics.pstdev(logs) if len(logs) >= 10 else 0.5
        walk = (_quantile(walks, 0.1), _quantile(walks, 0.9)) if len(walks) >= 10 else (15.0, 60.0)
        return Scenario(
            name=f"learned {self.first}..{self.last}" + (f" ({self.weekday})" if self.weekday else ""),
            centre=self.centre, day=self.last + timedelta(days=1),
            visitors=total / len(open_days),
            arrivals={h: n / total for h, n in sorted(hours.items())},
            mix={s: n / total for s, n in mix.items()},
            priority={p: n / total for p, n in prio.items() if self.centre.priority(p) is not None},
            service_min=service_min, spread=min(2.0, spread), walk_up_s=walk,
            no_show=no_shows / called if called else 0.0,
            no_show_wait_s=statistics.median(gone_waits) if gone_waits else 120.0,
            transfer=transfers / total, shifts=tuple(self.shifts(open_days)),
            source=f"learned from {len(open_days)} days",
            notes=f"{total} tickets over {len(open_days)} days")

    def shifts(self, open_days: list[str]) -> list[Shift]:
        """Each counter seen open: its usual opening, longest usual pause and last action."""
        index = {d: k for k, d in enumerate(open_days)}
        rows = self.conn.execute(
            "SELECT at, counter, kind, details FROM events WHERE counter IS NOT NULL ORDER BY id"
        ).fetchall()
        events: list[tuple[int, str, str, float]] = []
        last_seen: dict[str, dict[str, int]] = {}
        known = {c.id for c in self.centre.counters}
        for at, counter, kind, details in rows:
            local = to_datetime(at).astimezone(self.tz)
            day = local.date().isoformat()
            if day not in index or counter not in known:
                continue
            if kind == "counter_closed" and details and "day_end" in details:
                continue
            seconds = local.hour * 3600 + local.minute * 60 + local.second
            events.append((index[day], counter, kind, float(seconds)))
            last_seen.setdefault(counter, {})[day] = seconds
        habits = learn_habits(
            (d, c, k, s) for d, c, k, s in events
            if k in ("counter_opened", "counter_paused", "counter_closed"))
        out = []
        for counter, habit in habits.items():
            if habit.opens_s is None:
                continue
            close = statistics.median(last_seen[counter].values())
            if close <= habit.opens_s:
                continue
            pauses = ((_clock(habit.pause_s[0]), _clock(habit.pause_s[1])),) if habit.pause_s else ()
            out.append(Shift((counter,), _clock(habit.opens_s), _clock(close), pauses))
        return sorted(out, key=lambda s: [int(x) if x.isdigit() else x for x in s.counters])


def _quantile(values: list[float], q: float) -> float:
    return percentile_of(values, q) or 0.0


def _clock(seconds: float) -> time:
    seconds = max(0, min(int(seconds), 24 * 3600 - 60))
    return (datetime.min + timedelta(seconds=seconds)).time().replace(second=0, microsecond=0)
