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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planning.booked_day import BookingHabits, appointment_figures, simulate_booked  # noqa: E402
from planning.scenario import load_scenario  # noqa: E402


def seed_figures(scenario_name: str, seed: int, habits: BookingHabits) -> dict[str, float]:
    """One seed: the day with bookings and its walk-in twin, and their figures."""
    scenario = load_scenario(scenario_name)
    started = time.perf_counter()
    booked = simulate_booked(scenario, seed, habits)
    twin = simulate_booked(scenario, seed, habits, as_walk_ins=True)
    figures = appointment_figures(booked, twin)
    figures["seed"] = seed
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
            "booked": sum(int(r["booked"]) for r in rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="busy")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--share", type=float, default=1 / 3, help="share of regular visitors booked")
    ap.add_argument("--seats", type=int, default=40, help="seats a slot per service")
    ap.add_argument("--no-show", type=float, default=0.08)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-national", action="store_true",
                    help="leave out the national side (a throwaway PostgreSQL: the bookings "
                         "race and the national report over a year)")
    ap.add_argument("--quick-national", action="store_true",
                    help="smaller national runs (a smoke test)")
    args = ap.parse_args(argv)
    habits = BookingHabits(share=args.share, seats=args.seats, no_show=args.no_show)
    rows = [seed_figures(args.scenario, seed, habits) for seed in range(1, args.seeds + 1)]
    out = {"scenario": args.scenario, "share": round(args.share, 3), "seats": args.seats,
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
    for r in rows:
        print(f"{r['seed']:>4} {r['booked']:>6} {r['called_within_5_of_slot']:>14.1%} "
              f"{r['walk_in_p90_min']:>9.1f} m {r['walk_in_p90_as_walk_ins_min']:>9.1f} m "
              f"{r['printed_within_5']:>10.1%} {r['run_s']:>6}")
    print(f"all  {out['booked']:>6} {out['called_within_5_of_slot']:>14.1%} "
          f"{out['walk_in_p90_min']:>9.1f} m {out['walk_in_p90_as_walk_ins_min']:>9.1f} m "
          f"{out['printed_within_5']:>10.1%}   p90 ratio {out['walk_in_p90_ratio']}")
    print(f"on-time = checked in by the slot's start; of every checked-in booking (late ones "
          f"within the window too): {out['called_within_5_of_slot_all_checked_in']:.1%} "
          f"within 5 min")
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
