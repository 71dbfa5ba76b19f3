"""Benchmark of work profiles (issue 22) on the shipped busy day.

    .venv/bin/python bench/profiles.py            # prints a table
    .venv/bin/python bench/profiles.py --json     # prints one JSON object
    .venv/bin/python bench/profiles.py --quick    # one seed, a small search budget

Figures:
  within_target_*            share of the day's visitors called within their service's target
                             wait: every counter serving its own services alike (its default
                             profile) against the planner's recommended profiles, at the same
                             counter-hours (the scenario's shifts), mean over the seeds
  within_target_gain_points  recommended − alike, in percentage points (target >= 5)
  idle_while_waiting_*       minutes counters sat free while someone waited whom a profile
                             they could run would have called, summed over the day
  idle_while_waiting_cut_pct how much the recommended profiles cut it (target >= 50)
  preview_s_*                the manager's preview of one change on the live state of a busy
                             day at 11:00 (the rest of the day played twice): median and max
                             over the seeds (target < 5 s)
  call_order_read_p99_ms     the candidates call_next reads through the waiting indexes and
                             the call order's choice, in one read transaction, with 1,000 waiting
                             and --history past tickets (the write and its fsync not counted:
                             bench/queue_ops.py measures call_next whole)
Benchmarks print figures; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planning.preview import preview, read_live  # noqa: E402
from planning.profile_plan import day_of, figures, recommend  # noqa: E402
from planning.scenario import load_scenario  # noqa: E402
from shared.config.centre import load_config  # noqa: E402
from shared.core import calling, counter_profiles  # noqa: E402
from shared.core.call_order import choose  # noqa: E402
from shared.core.clock import FakeClock  # noqa: E402
from shared.core.errors import NoTicketWaiting  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402
from shared.percentile import percentile_of  # noqa: E402


def bench_plan(seeds: list[int], budget: int) -> dict:
    scenario = load_scenario("busy")
    rec = recommend(scenario, seeds[:1], budget)            # searched on the first seed …
    days = [day_of(scenario, s) for s in seeds]             # … judged on every seed
    alike = figures(days, scenario.centre, {})
    best = figures(days, scenario.centre, rec.plan)
    cut = 100 * (1 - best.idle_waiting_min / alike.idle_waiting_min) \
        if alike.idle_waiting_min else 0.0
    return {"seeds": seeds, "plans_tried": rec.tried, "search_s": round(rec.seconds, 1),
            "within_target_alike_pct": round(100 * alike.within_target, 2),
            "within_target_recommended_pct": round(100 * best.within_target, 2),
            "within_target_gain_points": round(100 * (best.within_target - alike.within_target), 2),
            "idle_while_waiting_alike_min": round(alike.idle_waiting_min, 1),
            "idle_while_waiting_recommended_min": round(best.idle_waiting_min, 1),
            "idle_while_waiting_cut_pct": round(cut, 1),
            "wait_mean_alike_min": round(alike.wait_mean_min, 2),
            "wait_mean_recommended_min": round(best.wait_mean_min, 2)}


def busy_live_queue(workdir: Path, seed: int) -> tuple[LocalQueue, FakeClock]:
    """A live queue at 11:00 of the busy day: the morning's visitors issued at the shipped
    config's counters, all open, a quarter of them pressing Next at every third arrival (a
    hall behind its queue, visits in progress)."""
    scenario = load_scenario("busy")
    config = load_config()
    day = day_of(scenario, seed)
    tz = config.tz
    eleven = datetime.combine(scenario.day, datetime.min.time(), tz).replace(hour=11)
    clock = FakeClock(datetime.fromtimestamp(day.arrivals[0].at, tz))
    fast = replace(config, waits=replace(config.waits, estimator="simple"))  # nobody reads them
    q = LocalQueue(workdir / f"live-{seed}.sqlite", fast, clock, verify=False)
    q.db.conn.execute("PRAGMA synchronous = OFF")
    for c in config.counters:
        q.open_counter(c.id, f"staff-{c.id}")
    for k, v in enumerate(day.arrivals, start=1):
        if v.at >= eleven.timestamp():
            break
        clock.set(datetime.fromtimestamp(v.at, tz))
        if v.service in config.services:
            q.issue(v.service, priority=v.priority)
        if k % 3 == 0:                             # a quarter of the hall presses Next
            for c in config.counters[(k // 3) % 4::4]:
                with contextlib.suppress(NoTicketWaiting):
                    q.call_next(c.id)
    clock.set(eleven)
    return q, clock


def bench_preview(workdir: Path, seeds: list[int]) -> dict:
    times, sizes = [], []
    for seed in seeds:
        q, clock = busy_live_queue(workdir, seed)
        try:
            state = read_live(q.path, q.config, clock.now(), q.profiles_now())
            result = preview(state, "6", "lunch-cover", seed)
            times.append(result.seconds)
            sizes.append((len(result.now.start.waiting), len(result.now.start.arrivals)))
        finally:
            q.close()
    return {"preview_s_median": round(statistics.median(times), 3),
            "preview_s_max": round(max(times), 3),
            "preview_waiting_and_to_come": sizes}


def bench_read(workdir: Path, history: int, n: int) -> dict:
    """The read half of call_next at counter 20 (serves all) under its profile, timed."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import queue_ops

    db = workdir / "history.sqlite"
    queue_ops.build_history(db, history)
    config = load_config()
    q = LocalQueue(db, config, FakeClock(datetime.now().astimezone()), verify=False)
    services = list(config.services)
    for i in range(1000):
        q.issue(services[i % len(services)], priority="veteran" if i % 7 == 0 else None)
    lat = []
    try:
        for k in range(n):
            profile = ("", "help-others", "two-to-one", "pensions-first")[k % 4]
            s = time.perf_counter()
            with q._tx() as tx:                     # the read inside call_next's transaction
                rules = counter_profiles.call_rules(config, "20", profile)
                found = calling.candidates_for(tx, rules.levels, rules.target_min,
                                               rules.backup_after)
                choose(found, rules, [], tx.at, counter_profiles.fairness_of(config))
            lat.append(time.perf_counter() - s)
    finally:
        q.close()
    return {"history_tickets": history,
            "call_order_read_p50_ms": round(1000 * statistics.median(lat), 3),
            "call_order_read_p99_ms": round(1000 * percentile_of(lat, 0.99), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="one seed, a small search")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budget", type=int, default=120, help="profile plans tried at most")
    parser.add_argument("--history", type=int, default=1_000_000,
                        help="past tickets for the read figure (0: skip it)")
    parser.add_argument("--reads", type=int, default=500)
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.budget, args.history, args.reads = 1, 30, 20_000, 100
    seeds = list(range(1, args.seeds + 1))
    result: dict = {"cpus": os.cpu_count()}
    result |= bench_plan(seeds, args.budget)
    with tempfile.TemporaryDirectory(prefix="novbe-bench-profiles-") as tmp:
        result |= bench_preview(Path(tmp), seeds)
        if args.history:
            result |= bench_read(Path(tmp), args.history, args.reads)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"Növbə work profiles — busy day, seeds {seeds}, {result['plans_tried']} plans tried "
          f"in {result['search_s']} s")
    rows = [("within target, alike → recommended (%)", "within_target_alike_pct",
             "within_target_recommended_pct", ""),
            ("within-target gain (points)", "within_target_gain_points", None, ">= 5"),
            ("idle while waiting, alike → rec. (min)", "idle_while_waiting_alike_min",
             "idle_while_waiting_recommended_min", ""),
            ("idle-while-waiting cut (%)", "idle_while_waiting_cut_pct", None, ">= 50"),
            ("mean wait, alike → rec. (min)", "wait_mean_alike_min", "wait_mean_recommended_min", ""),
            ("preview of a change, median / max (s)", "preview_s_median", "preview_s_max", "< 5"),
            ("call order read p50 / p99 (ms)", "call_order_read_p50_ms", "call_order_read_p99_ms", "")]
    for label, a, b, target in rows:
        if a not in result:
            continue
        value = f"{result[a]} → {result[b]}" if b and "→" in label else (
            f"{result[a]} / {result[b]}" if b else str(result[a]))
        print(f"{label:<42} {value:>22}  {target}")
    print(f"(load average {os.getloadavg()[0]:.1f} on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
