"""Benchmark of the reports on a year of the busiest centre.

    .venv/bin/python bench/reports.py             # prints a table
    .venv/bin/python bench/reports.py --json      # prints one JSON object
    .venv/bin/python bench/reports.py --days 20   # a smaller history, for a smoke test

The history is bulk-made with plain SQL inserts (not through the queue): `--per-day` visitors
(default 1,646, the busiest recorded day) on `--days` working days (default 250) — tickets and
their events (issued with the printed wait, called, started, finished / no-show, rated), 20
counters opened and closed each day — and, today, a busy morning still going on.

Figures:
  build_s              first fold of the whole event log into the report facts (once per file)
  day_report_*         a one-day report (every table), p50 / p99
  year_report_*        a report over the whole history (target p99 < 1 s)
  live_refresh_*       the live view's refresh after an event (issue, then re-read), p50 / p99
                       (target p99 < 250 ms)
  call_next_*          call_next p50 / p99 alone, and while another process builds year reports
                       in a loop
Benchmarks print figures; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.config.centre import CentreConfig, load_config  # noqa: E402
from shared.core.clock import FakeClock  # noqa: E402
from shared.core.errors import NoTicketWaiting  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402
from shared.core.service_day import day_start  # noqa: E402
from shared.percentile import percentile_of  # noqa: E402
from shared.reports.facts import FactStore, facts_path  # noqa: E402
from shared.reports.live import hall_view  # noqa: E402
from shared.reports.report import build_report  # noqa: E402
from shared.reports.request import make_request  # noqa: E402
from shared.store import database as store  # noqa: E402

COUNTERS = [str(n) for n in range(1, 21)]
TODAY = date(2026, 11, 30)          # a Monday; the history is the 250 working days before it




def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def working_days(n: int, before: date) -> list[date]:
    days: list[date] = []
    d = before - timedelta(days=1)
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return sorted(days)


def _day_rows(config: CentreConfig, day: date, per_day: int, rng: random.Random,
              next_tid: int, until_hour: float | None = None) -> tuple[list, list]:
    """Tickets and events of one day (events in time order), ticket ids from next_tid."""
    tz, reset = config.tz, config.day_reset_hour
    opening = datetime.combine(day, datetime.min.time(), tz).replace(hour=9).timestamp()
    services = [(s.id, s.prefix) for s in config.services.values()]
    serving = {c.id: c.services for c in config.counters}
    span = 8.5 * 3600 if until_hour is None else (until_hour - 9) * 3600
    arrivals = sorted(opening + rng.uniform(0, span) for _ in range(per_day))
    free_at = {c: opening for c in COUNTERS}
    staff = {c: f"staff{int(c):02d}" for c in COUNTERS}
    now_cut = None if until_hour is None else opening + span
    events: list[tuple] = []
    tickets: list[tuple] = []
    for c in COUNTERS:
        events.append((opening - 60, "counter_opened", None, None, None, c, staff[c], None, None))
    numbers: dict[str, int] = {}
    day_iso = day.isoformat()
    for i, at in enumerate(arrivals):
        tid = next_tid + i
        svc, prefix = rng.choice(services)
        numbers[prefix] = numbers.get(prefix, 0) + 1
        code = f"{prefix}-{(numbers[prefix] - 1) % 999 + 1:03d}"
        prio = "veteran" if rng.random() < 0.06 else None
        candidates = [c for c in COUNTERS if svc in serving[c]] or COUNTERS
        counter = min(candidates, key=lambda c: free_at[c])
        called = max(at + rng.uniform(5, 40), free_at[counter])
        wait = called - at
        est = max(0, int(round(wait / 60 + rng.gauss(0, 2))))
        events.append((at, "issued", tid, code, svc, None, None, "kiosk-1",
                       json.dumps({"priority": prio, "language": "az", "ahead": int(wait // 300),
                                   "estimate_min": est})))
        if now_cut is not None and called > now_cut:        # still waiting now
            tickets.append((tid, code, prefix, numbers[prefix], svc, svc, prio, 1000, "az",
                            "kiosk-1", f"tok{tid}", "waiting", day_iso, at, at, None, None,
                            None, None, None, None, None))
            continue
        events.append((called, "called", tid, code, svc, counter, staff[counter], None, None))
        if rng.random() < 0.03:
            end = called + 120
            events.append((end, "no_show", tid, code, svc, counter, staff[counter], None, None))
            status, outcome, started = "no_show", None, None
        else:
            started = called + rng.uniform(20, 120)
            end = started + rng.lognormvariate(5.9, 0.5)      # median ≈ 6 min
            outcome = rng.choices(("served", "unresolved", "referred"), (0.93, 0.04, 0.03))[0]
            events.append((started, "started", tid, code, svc, counter, staff[counter], None, None))
            events.append((end, "finished", tid, code, svc, counter, staff[counter], None,
                           json.dumps({"outcome": outcome})))
            status = "done"
            if rng.random() < 0.3:
                score = rng.choices((5, 4, 3, 2, 1), (0.7, 0.2, 0.05, 0.03, 0.02))[0]
                events.append((end + 60, "rated", tid, code, svc, counter, staff[counter], None,
                               json.dumps({"score": score})))
        free_at[counter] = end
        tickets.append((tid, code, prefix, numbers[prefix], svc, svc, prio, 1000, "az", "kiosk-1",
                        f"tok{tid}", status, day_iso, at, at, called, started, end, counter,
                        staff[counter], outcome, None))
    if until_hour is None:
        close = day_start(day + timedelta(days=1), tz, reset).timestamp() - 9 * 3600
        for c in COUNTERS:
            events.append((max(close, free_at[c] + 1), "counter_closed", None, None, None, c,
                           staff[c], None, None))
    events.sort(key=lambda e: e[0])
    return tickets, events


def build_history(path: Path, config: CentreConfig, days: int, per_day: int) -> dict[str, float]:
    """The year, bulk-inserted with plain SQL; today's busy morning on top."""
    t0 = time.perf_counter()
    db = store.connect(path)
    conn = db.conn
    conn.execute("PRAGMA synchronous = OFF")
    rng = random.Random(12)
    tid = 1
    ticket_sql = ("INSERT INTO tickets(id, code, prefix, number, service, issued_service, priority, "
                  "priority_rank, language, source, token, status, service_day, issued_at, "
                  "queued_at, called_at, started_at, finished_at, counter, staff, outcome, rating) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    event_sql = ("INSERT INTO events(at, kind, ticket_id, code, service, counter, staff, source, "
                 "details) VALUES (?,?,?,?,?,?,?,?,?)")
    n_events = 0
    for i, day in enumerate([*working_days(days, TODAY), TODAY]):
        today = day == TODAY
        tickets, events = _day_rows(config, day, per_day if not today else 1100, rng, tid,
                                    until_hour=12.0 if today else None)
        conn.execute("BEGIN")
        conn.executemany(ticket_sql, tickets)
        conn.executemany(event_sql, events)
        conn.execute("COMMIT")
        tid += len(tickets)
        n_events += len(events)
        if i % 50 == 0:
            print(f"  … {day} ({tid - 1} tickets, {n_events} events)", file=sys.stderr)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO meta(key, value) VALUES ('service_day', ?) ON CONFLICT(key) "
                 "DO UPDATE SET value = excluded.value", (TODAY.isoformat(),))
    for c in COUNTERS:
        conn.execute("INSERT OR REPLACE INTO counters(id, state, staff, updated_at) "
                     "VALUES (?, 'open', ?, 0)", (c, f"staff{int(c):02d}"))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return {"tickets": tid - 1, "events": n_events, "history_build_s": time.perf_counter() - t0}


def _year_reports_forever(path: str, first: str, last: str, stop: multiprocessing.Event,
                          count: multiprocessing.Value) -> None:
    config = load_config()
    facts = FactStore(path, config)
    req = make_request(config, first, last, "service")
    while not stop.is_set():
        with facts.reading() as cur:
            build_report(cur, config, req, "en")
        with count.get_lock():
            count.value += 1


def call_next_latencies(q: LocalQueue, clock: FakeClock, n: int) -> list[float]:
    out = []
    counters = ["1", "2", "3", "20"]
    for i in range(n):
        clock.advance(seconds=2)
        q.issue("employment.job-seeker")
        t = time.perf_counter()
        with contextlib.suppress(NoTicketWaiting):
            q.call_next(counters[i % len(counters)])
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--per-day", type=int, default=1646)
    parser.add_argument("--db", help="reuse (or make) the history in this file")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    config = load_config()
    tmp = tempfile.TemporaryDirectory(prefix="novbe-bench-reports-")
    path = Path(args.db) if args.db else Path(tmp.name) / "year.sqlite"
    out: dict[str, object] = {
        "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(),
                    "load_before": os.getloadavg()[0]},
        "days": args.days, "per_day": args.per_day}
    if not path.exists():
        out.update(build_history(path, config, args.days, args.per_day))
    facts_path(path).unlink(missing_ok=True)
    clock = FakeClock(datetime.combine(TODAY, datetime.min.time(), config.tz)
                      .replace(hour=12).astimezone(UTC))
    facts = FactStore(path, config)
    t = time.perf_counter()
    facts.refresh(clock.now().timestamp())
    out["build_s"] = round(time.perf_counter() - t, 2)
    hist = working_days(args.days, TODAY)
    one = hist[len(hist) // 2].isoformat()
    first, last = hist[0].isoformat(), hist[-1].isoformat()

    def timed(req_first: str, req_last: str, runs: int) -> list[float]:
        req = make_request(config, req_first, req_last, "service")
        times = []
        for _ in range(runs):
            s = time.perf_counter()
            with facts.reading() as cur:
                build_report(cur, config, req, "en")
            times.append(time.perf_counter() - s)
        return times

    day = timed(one, one, args.runs * 2)
    year = timed(first, last, args.runs)
    out.update(day_report_p50_ms=ms(percentile_of(day, 0.5)), day_report_p99_ms=ms(percentile_of(day, 0.99)),
               year_report_p50_ms=ms(percentile_of(year, 0.5)),
               year_report_p99_ms=ms(percentile_of(year, 0.99)))

    q = LocalQueue(path, config, clock, verify=False)
    live = []
    for _ in range(args.runs * 4):
        clock.advance(seconds=3)
        q.issue("pensions.age")
        s = time.perf_counter()
        hall_view(q.snapshot(), facts, config, clock.now(), "en")
        live.append(time.perf_counter() - s)
    out.update(live_refresh_p50_ms=ms(percentile_of(live, 0.5)),
               live_refresh_p99_ms=ms(percentile_of(live, 0.99)))

    alone = call_next_latencies(q, clock, 300)
    stop, count = multiprocessing.Event(), multiprocessing.Value("i", 0)
    worker = multiprocessing.Process(target=_year_reports_forever,
                                     args=(str(path), first, last, stop, count))
    worker.start()
    time.sleep(1.0)
    busy = call_next_latencies(q, clock, 300)
    stop.set()
    worker.join(60)
    out.update(call_next_alone_p50_ms=ms(percentile_of(alone, 0.5)),
               call_next_alone_p99_ms=ms(percentile_of(alone, 0.99)),
               call_next_during_year_report_p50_ms=ms(percentile_of(busy, 0.5)),
               call_next_during_year_report_p99_ms=ms(percentile_of(busy, 0.99)),
               year_reports_during=count.value)
    out["machine"]["load_after"] = os.getloadavg()[0]  # type: ignore[index]
    out["facts_file_mb"] = round(facts.path.stat().st_size / 1e6, 1)
    out["queue_file_mb"] = round(path.stat().st_size / 1e6, 1)
    q.close()
    facts.close()
    if args.json:
        print(json.dumps(out, indent=1))
        return
    for key, value in out.items():
        print(f"{key:<40} {value}")


if __name__ == "__main__":
    main()
