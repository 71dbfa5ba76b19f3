"""Appointments on a simulated busy day (issue 20): a third of the regular visitors booked ahead
(planning/booked_day.py), each seed played twice — with the bookings, and with those same
visitors arriving as walk-ins at the same moments — on the real queue.

Prints, per seed and over the seeds: the share of on-time bookings called within 5 minutes of
their slot (`called_within_5_of_slot`; on time: checked in by the slot's start — beside it the
share of every checked-in booking, late ones within the window too), the walk-ins' p90 wait beside the same day without
bookings, and the printed wait's accuracy (share within 5 minutes) for walk-ins. The national
side adds `double_bookings` and `lost_bookings` to the same JSON from its concurrency run.

    .venv/bin/python bench/appointments.py              # table
    .venv/bin/python bench/appointments.py --json       # figures as JSON
    .venv/bin/python bench/appointments.py --seeds 1 --share 0.25 --seats 3
    .venv/bin/python bench/appointments.py --seats 40   # 40 seats every slot (round three's)

The slots' seats are by default those `novbe plan --bookings` ships (levelled away from the busy
half-hours; a visitor finding a slot full takes the nearest free one).

Targets (issue 20): ≥ 95 % called within 5 min of the slot; walk-in p90 ≤ 110 % of the day
without bookings; printed waits ≥ 90 % within 5 min. Prints figures; passes or fails nothing."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planning.booked_day import BookingHabits, appointment_figures, simulate_booked  # noqa: E402
from planning.scenario import load_scenario  # noqa: E402
from planning.slot_plan import (  # noqa: E402
    BUSY_SHARE,
    busy_half_hours,
    capacity_of,
    levelled_seats,
    offered_seats,
    wanted_seats,
)
from shared.config.bookings import SlotCapacity  # noqa: E402


def planned_capacity(scenario_name: str, share: float, plan_seeds: list[int],
                     busy_share: float) -> tuple[tuple[SlotCapacity, ...], list[int]]:
    """The seats `novbe plan --bookings` would ship with its whole offer: the bookings the day
    would bring per service and half-hour, levelled away from the half-hours that are busy on
    the `plan_seeds` days without bookings (other days than the bench's seeds, as a centre
    plans from its past days); with the busy half-hours."""
    scenario = load_scenario(scenario_name)
    days = [simulate_booked(scenario, seed, BookingHabits(share=0.0)) for seed in plan_seeds]
    busy = busy_half_hours(days)
    seats = offered_seats(levelled_seats(wanted_seats(scenario, share), busy, busy_share))
    return capacity_of(seats), sorted(busy)


def seed_figures(scenario_name: str, seed: int, habits: BookingHabits,
                 capacity: tuple[SlotCapacity, ...] | None = None) -> dict[str, float]:
    """One seed: the day with bookings (its slots' seats `capacity`, else `habits.seats` each)
    and its walk-in twin, and their figures."""
    scenario = load_scenario(scenario_name)
    started = time.perf_counter()
    booked = simulate_booked(scenario, seed, habits, capacity=capacity)
    twin = simulate_booked(scenario, seed, habits, as_walk_ins=True)
    figures = appointment_figures(booked, twin)
    figures["seed"] = seed
    figures["moved"] = sum(1 for b in booked.booked if b.moved_s)      # took another slot
    figures["moved_median_min"] = statistics.median(
        [abs(b.moved_s) / 60 for b in booked.booked if b.moved_s] or [0.0])
    figures["refused"] = len(twin.booked_visitors - booked.booked_visitors)   # walked in
    figures["run_s"] = round(time.perf_counter() - started, 1)
    return figures


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    """Over the seeds: shares pooled as means, the p90 ratio of the means."""
    def mean(key: str) -> float:
        return statistics.fmean(r[key] for r in rows)
    base = mean("walk_in_p90_as_walk_ins_min")
    return {"called_within_5_of_slot": round(mean("called_within_5_of_slot"), 4),
            "called_within_5_of_slot_all_checked_in":
                round(mean("called_within_5_of_slot_all_checked_in"), 4),
            "walk_in_p90_min": round(mean("walk_in_p90_min"), 2),
            "walk_in_p90_as_walk_ins_min": round(base, 2),
            "walk_in_p90_ratio": round(mean("walk_in_p90_min") / base, 3) if base else 1.0,
            "printed_within_5": round(mean("printed_within_5"), 4),
            "booked": sum(int(r["booked"]) for r in rows),
            "moved": sum(int(r["moved"]) for r in rows),
            "refused": sum(int(r["refused"]) for r in rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="busy")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--share", type=float, default=1 / 3, help="share of regular visitors booked")
    ap.add_argument("--seats", type=int, default=None,
                    help="seats a slot per service, the same every half-hour (the default: the "
                         "planned seats, as --planned)")
    ap.add_argument("--no-show", type=float, default=0.08)
    ap.add_argument("--planned", action="store_true",
                    help="the slots' seats as `novbe plan --bookings` ships them (levelled away "
                         "from busy half-hours; a full slot: the nearest free one) instead of "
                         "--seats a slot")
    ap.add_argument("--busy-share", type=float, default=BUSY_SHARE,
                    help="with --planned: share of a busy half-hour's seats still sold")
    ap.add_argument("--plan-seeds", default="101",
                    help="with --planned: the days (seeds) the plan is made from, comma-separated")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-national", action="store_true",
                    help="leave out the national side (a throwaway PostgreSQL: the bookings "
                         "race and the national report over a year)")
    ap.add_argument("--quick-national", action="store_true",
                    help="smaller national runs (a smoke test)")
    args = ap.parse_args(argv)
    if args.seats is not None and args.seats < 0:
        ap.error(f"--seats: {args.seats} is below 0")
    args.planned = args.planned or args.seats is None
    # with --planned the slots' seats come from the plan; `seats` then only fills a gap
    habits = BookingHabits(share=args.share, seats=40 if args.seats is None else args.seats,
                           no_show=args.no_show)
    capacity, busy = None, []
    if args.planned:
        plan_seeds = [int(s) for s in args.plan_seeds.split(",")]
        capacity, busy = planned_capacity(args.scenario, args.share, plan_seeds, args.busy_share)
    rows = [seed_figures(args.scenario, seed, habits, capacity)
            for seed in range(1, args.seeds + 1)]
    out = {"scenario": args.scenario, "share": round(args.share, 3),
           "seats": "planned" if args.planned else args.seats,
           "busy_half_hours": [f"{h // 2:02d}:{30 * (h % 2):02d}" for h in busy],
           "busy_share": args.busy_share if args.planned else None,
           "machine": f"{platform.machine()}, {platform.python_version()}",
           "seeds": rows, **summary(rows)}
    if not args.no_national:
        from appointments_national import national_figures  # bench/appointments_national.py

        out |= national_figures(quick=args.quick_national)
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"{'seed':>4} {'booked':>6} {'≤5 min of slot':>14} {'walk-in p90':>11} "
          f"{'as walk-ins':>11} {'printed ±5':>10} {'run s':>6}")
    def share(row: dict[str, Any], key: str) -> str:     # of no booking at all: nothing to say
        return f"{row[key]:>14.1%}" if row["booked"] else f"{'–':>14}"

    for r in rows:
        print(f"{r['seed']:>4} {r['booked']:>6} {share(r, 'called_within_5_of_slot')} "
              f"{r['walk_in_p90_min']:>9.1f} m {r['walk_in_p90_as_walk_ins_min']:>9.1f} m "
              f"{r['printed_within_5']:>10.1%} {r['run_s']:>6}")
    print(f"all  {out['booked']:>6} {share(out, 'called_within_5_of_slot')} "
          f"{out['walk_in_p90_min']:>9.1f} m {out['walk_in_p90_as_walk_ins_min']:>9.1f} m "
          f"{out['printed_within_5']:>10.1%}   p90 ratio {out['walk_in_p90_ratio']}")
    print(f"on-time = checked in by the slot's start; of every checked-in booking (late ones "
          f"within the window too): {share(out, 'called_within_5_of_slot_all_checked_in').strip()} "
          f"within 5 min")
    if args.planned:
        print(f"planned seats (busy half-hours {', '.join(out['busy_half_hours']) or 'none'}: "
              f"{args.busy_share:.0%} sold): {out['moved']} bookings took the nearest free slot, "
              f"{out['refused']} found none and walked in")
    for key in ("race_requests", "race_booked", "double_bookings", "lost_bookings",
                "booking_request_p50_ms",
                "booking_request_p99_ms", "race_request_p50_ms", "race_request_p99_ms",
                "national_report_bookings", "national_report_seconds",
                "seats_push_rows_before", "seats_push_rows_first", "seats_push_rows_unchanged",
                "seats_push_rows_after_one_booking"):
        if key in out:
            print(f"{key:30} {out[key]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
