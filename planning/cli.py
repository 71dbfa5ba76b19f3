"""`novbe simulate` and `novbe plan`: the day simulator and the staffing planner on the command
line (registered by novbe/cli.py like the roles' commands). The simulator and planner are
imported by the commands themselves, so every other `novbe` command starts without them."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.core.errors import NovbeError

if TYPE_CHECKING:
    from planning.planner import PlanResult
    from planning.scenario import Scenario
    from shared.config.centre import CentreConfig


def _scenario(ctx: Any) -> Scenario:
    from planning.learn import learn_scenario, parse_range
    from planning.scenario import dump_scenario, load_scenario
    from shared.config.centre import load_config

    args = ctx.args
    if getattr(args, "learn_from", None):
        first, last = parse_range(args.learn_from)
        config = load_config(args.config) if args.config else ctx.config
        scenario = learn_scenario(ctx.db_path, config, first, last, args.weekday)
        if getattr(args, "save", None):
            Path(args.save).write_text(dump_scenario(scenario), encoding="utf-8")
            ctx.out(f"learned scenario saved to {args.save}")
        return scenario
    return load_scenario(args.scenario)


def _centre(scenario: Scenario, args: argparse.Namespace) -> CentreConfig:
    centre = scenario.centre
    if getattr(args, "estimator", None):
        centre = replace(centre, waits=replace(centre.waits, estimator=args.estimator))
    if getattr(args, "fairness", None):
        centre = replace(centre, fairness=replace(centre.fairness, enabled=args.fairness == "on"))
    return centre


def _seeds(args: argparse.Namespace) -> list[int]:
    return list(range(args.seed, args.seed + args.seeds))


def cmd_simulate(ctx: Any) -> int:
    from planning.report import day_report, render_text
    from planning.simulator import simulate

    args = ctx.args
    scenario = _scenario(ctx)
    centre = _centre(scenario, args)
    if args.bookings is not None:
        return _simulate_booked(ctx, scenario, centre)
    reports = [day_report(simulate(scenario, seed, centre, history_days=args.history_days))
               for seed in _seeds(args)]
    if args.json:
        ctx.out(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=1))
    else:
        ctx.out("\n\n".join(render_text(r) for r in reports))
    return 0


def booked_share(args: Any) -> float:
    """`--bookings SHARE` of `novbe simulate` and `novbe plan`, checked: between 0 and 1."""
    if not 0 < args.bookings < 1:
        raise NovbeError(f"--bookings is the share of visitors who book, between 0 and 1, "
                         f"got {args.bookings}")
    return float(args.bookings)


def _simulate_booked(ctx: Any, scenario: Scenario, centre: CentreConfig) -> int:
    """`novbe simulate --bookings SHARE`: the day with SHARE of its regular visitors booked
    (arriving early or late by a drawn margin, some never) beside the same day without."""
    from planning.booked_day import BookingHabits, appointment_figures, simulate_booked
    from planning.report import day_report, render_text

    args = ctx.args
    habits = BookingHabits(share=booked_share(args))
    out: list[Any] = []
    for seed in _seeds(args):
        booked = simulate_booked(scenario, seed, habits, centre=centre)
        twin = simulate_booked(scenario, seed, habits, as_walk_ins=True, centre=centre)
        figures = appointment_figures(booked, twin)
        if args.json:
            out.append({"seed": seed, **figures, "day": day_report(booked.day).to_json()})
        else:
            out.append(render_text(day_report(booked.day)) + "\n" + "\n".join(
                f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}"
                for key, value in figures.items()))
    ctx.out(json.dumps(out, ensure_ascii=False, indent=1) if args.json else "\n\n".join(out))
    return 0


def cmd_plan(ctx: Any) -> int:
    from planning.chart import plan_chart_svg
    from planning.planner import evaluate, find_plan, parse_change, shifts_of
    from planning.scenario import dump_scenario

    args = ctx.args
    if not 0 < args.target <= 100:
        raise NovbeError(f"--target is a percentage between 0 and 100, got {args.target}")
    scenario = _scenario(ctx)
    seeds = _seeds(args)
    say = (lambda _m: None) if args.json else (lambda m: ctx.out(f"  searching: {m}"))
    if args.bookings is not None:
        return _plan_slots(ctx, scenario, seeds, say)
    best = find_plan(scenario, args.target / 100, seeds, progress=say)
    results = [best]
    for text in args.change or []:
        try:
            hours, delta = parse_change(text, sorted(best.plan.counters))
        except ValueError as exc:
            raise NovbeError(str(exc)) from None
        label = (f"{'+' if delta > 0 else '−'}{abs(delta)} counters "
                 f"{hours[0]:02d}:00–{hours[-1] + 1:02d}:00")
        results.append(evaluate(scenario, best.plan.changed(hours, delta), seeds, label))
    target_wait = typical_target(scenario)
    if args.svg:
        svg = plan_chart_svg(results, target_wait, f"{scenario.name}: counters open and p90 wait")
        Path(args.svg).write_text(svg, encoding="utf-8")
    if args.save:
        Path(args.save).write_text(dump_scenario(scenario.with_shifts(shifts_of(best.plan))),
                                   encoding="utf-8")
    recommended = None
    if args.profiles:                 # at the plan's own counter-hours
        from planning.profile_plan import recommend
        recommended = recommend(scenario.with_shifts(shifts_of(best.plan)), seeds,
                                args.profile_budget, progress=say)
    if args.json:
        plans = [r.to_json() for r in results]
        ctx.out(json.dumps({"plans": plans, "profiles": recommended.to_json()} if recommended
                           else plans, ensure_ascii=False, indent=1))
        return 0
    note = hall_note(scenario)
    if note:
        ctx.out(note)
    ctx.out(render_plans(results, args.target / 100))
    if recommended is not None:
        from planning.profile_plan import render_recommendation
        ctx.out("")
        ctx.out(render_recommendation(recommended, scenario.centre))
    if args.svg:
        ctx.out(f"chart written to {args.svg}")
    return 0


def _plan_slots(ctx: Any, scenario: Scenario, seeds: list[int], say: Any) -> int:
    """`novbe plan --bookings SHARE`: bookable seats per service and half-hour that keep the
    walk-ins within target with the scenario's own staffing (planning/slot_plan.py)."""
    from planning.slot_plan import plan_slots, render_slot_plan

    args = ctx.args
    plan = plan_slots(scenario, booked_share(args), args.target / 100, seeds, progress=say)
    if args.json:
        ctx.out(json.dumps({"factor": plan.factor, "met": plan.met, "booked": plan.booked,
                            "walk_ins_within_target": round(plan.walk_ins_within, 4),
                            "called_within_5_of_slot": round(plan.called_within_5, 4),
                            "seats": [{"service": s, "half_hour": h, "seats": n}
                                      for (s, h), n in sorted(plan.seats.items()) if n]},
                           ensure_ascii=False, indent=1))
        return 0
    ctx.out(render_slot_plan(plan, lambda s: scenario.centre.service(s).name("en")))
    return 0


def typical_target(scenario: Scenario) -> float:
    """The target wait most visitors have (by the service mix): the chart's reference line."""
    weights: dict[float, float] = {}
    for sid, share in scenario.mix.items():
        target = scenario.centre.service(sid).target_wait_min
        weights[target] = weights.get(target, 0.0) + share
    return max(weights, key=lambda t: weights[t]) if weights else 10.0


def render_plans(results: list[PlanResult], target: float) -> str:
    """Plans side by side: counters, share within target and p90 wait per hour."""
    hours = sorted({h for r in results for h in r.plan.counters})
    head = f"{'hour':<6}" + "".join(f"{r.label[:26]:>28}" for r in results)
    sub = f"{'':<6}" + "".join(f"{'counters  in target   p90':>28}" for _ in results)
    lines = [head, sub]
    for h in hours:
        cells = "".join(f"{r.plan.counters.get(h, 0):>12}{r.by_hour.get(h, 1):>10.0%}"
                        f"{r.p90_by_hour.get(h, 0):>6.1f}" for r in results)
        lines.append(f"{h:02d}:00 {cells}")
    lines.append("")
    unreachable = results[0].unreachable if results else []
    for r in results:
        r.unreachable = unreachable
        lines.append(plan_sentence(r, target))
    return "\n".join(lines)


def plan_sentence(r: PlanResult, target: float) -> str:
    """What a plan meets and what it cannot, plainly: hours meeting the target, hours missing
    it (those no staffing can save named apart, with their shares), the day's share."""
    hours = sorted(r.by_hour)
    cannot = [h for h in r.unreachable if h in r.by_hour]
    missed = [h for h in hours if r.by_hour[h] < target and h not in cannot]
    met = len(hours) - len(cannot) - len(missed)

    def named(hs: list[int]) -> str:
        return ", ".join(f"{h:02d}:00 ({r.by_hour[h]:.0%})" for h in hs)

    most = max(r.plan.counters.values(), default=0)
    text = [f"{r.label}: {target:.0%} of visitors called within their target wait in {met} of "
            f"{len(hours)} hours"]
    if missed:
        text.append(f"; {named(missed)} fall short with this plan")
    if cannot:
        text.append(f"; {named(cannot)} cannot reach it even with all {len(r.plan.order)} "
                    "counters open — more counters or shorter visits are needed then")
    text.append(f". Over the day {r.within_target:.1%} of visitors are called within target; "
                f"{r.plan.counter_hours} counter-hours, at most {most} counters at once.")
    return "".join(text)


def hall_note(scenario: Scenario) -> str | None:
    """Said before a plan whose scenario brings its own hall of counters."""
    if scenario.config_counters is None:
        return None
    return (f"The scenario {scenario.name!r} brings its own hall: {len(scenario.centre.counters)} "
            f"counters (the centre config has {scenario.config_counters}); the plan is for "
            "that hall.")


def register(sub: Any) -> None:
    """Add `simulate` and `plan` to novbe's subcommands."""
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scenario", default="normal",
                       help="scenario file, or a bundled one by name: normal, busy (default normal)")
        p.add_argument("--learn-from", metavar="FIRST..LAST",
                       help="learn the scenario from the queue database's history in these dates")
        p.add_argument("--weekday", choices=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                       help="with --learn-from: learn only from this weekday")
        p.add_argument("--save", metavar="FILE", help="write the (learned or planned) scenario here")
        p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
        p.add_argument("--seeds", type=int, default=1, help="how many seeds from --seed (default 1)")
        p.add_argument("--json", action="store_true")

    p = sub.add_parser("simulate", help="simulate a centre day on the real queue and report waits "
                       "and the accuracy of the printed estimate",
                       description="Simulate a centre day on the real queue (a temporary file, a "
                       "fake clock) and report waits, within-target shares, counter use and how "
                       "far the printed wait fell from the real one.")
    common(p)
    p.add_argument("--estimator", choices=["replay", "simple"], help="override the config's")
    p.add_argument("--fairness", choices=["on", "off"], help="override the config's")
    p.add_argument("--history-days", type=int, default=1,
                   help="days simulated first for the queue to learn from (default 1)")
    p.add_argument("--bookings", type=float, metavar="SHARE",
                   help="book SHARE (0–1) of the regular visitors ahead (some come early or "
                        "late, some never) and compare with the same day without bookings")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("plan", help="find the fewest counters per hour that meet a target",
                       description="Search the fewest counters open per hour for TARGET % of "
                       "visitors to be called within their service's target wait, by simulation; "
                       "compare with changed plans (e.g. --change 13:-3).")
    common(p)
    p.add_argument("--target", type=float, default=90, help="percent within target (default 90)")
    p.add_argument("--change", action="append", metavar="HOURS:DELTA",
                   help="also simulate the plan changed: 13:-3 = three counters fewer at 13:00, "
                        "12-14:-3 = at 12:00 and 13:00 (repeatable)")
    p.add_argument("--svg", metavar="FILE", help="write the chart of the plans here")
    p.add_argument("--bookings", type=float, metavar="SHARE",
                   help="instead: how many bookable seats per service and half-hour keep "
                        "walk-ins within --target when SHARE (0–1) of visitors book, with the "
                        "scenario's own staffing; prints [[bookings.capacity]] tables")
    p.add_argument("--profiles", action="store_true",
                   help="also recommend each counter's work profile per hour, at the plan's "
                        "counter-hours")
    p.add_argument("--profile-budget", type=int, default=150, metavar="N",
                   help="with --profiles: profile plans tried at most (default 150)")
    p.set_defaults(func=cmd_plan)
