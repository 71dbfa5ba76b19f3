"""The day simulator (issue 13) drives the real LocalQueue: a hand-checkable day gives exactly the
waits worked out on paper, a seed gives the same report every time, scenarios are validated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planning.report import day_report
from planning.scenario import ScenarioError, load_scenario, parse_scenario
from planning.simulator import simulate

ONE_COUNTER = """
[scenario]
name = "one counter"
date = "2026-11-23"
spread = 0            # every visit takes exactly its minutes
walk_up_s = [0, 0]
no_show = 0
transfer = 0

[[counter]]
id = "1"
services = ["*"]

[[shift]]
counters = ["1"]
open = "09:00"
close = "12:00"

[[visitor]]
at = "09:00"
service = "employment.job-seeker"
minutes = 10
[[visitor]]
at = "09:02"
service = "employment.job-seeker"
minutes = 10
[[visitor]]
at = "09:05"
service = "pensions.age"
minutes = 5
[[visitor]]
at = "09:06"
service = "pensions.age"
priority = "veteran"
minutes = 4
"""


def test_one_counter_day_gives_the_waits_worked_out_by_hand(tmp_path):
    """One counter, visits of fixed length: A 09:00 is called at once (0); when A ends at 09:10
    the veteran D (09:06) goes first (4), then B 09:02 at 09:14 (12), then C 09:05 at 09:24 (19)."""
    path = tmp_path / "one.toml"
    path.write_text(ONE_COUNTER, encoding="utf-8")
    result = simulate(load_scenario(path), seed=1, history_days=0)
    waits = [round(t.wait_min, 6) for t in result.tickets]
    assert waits == [0, 12, 19, 4]
    report = day_report(result)
    assert (report.visitors, report.called, report.not_called) == (4, 4, 0)
    assert report.waits.max == 19 and report.waits.mean == pytest.approx(35 / 4)
    # the counter was busy 10 + 4 + 10 + 5 minutes of the 180 it was open (09:00–12:00)
    assert report.by_counter["1"] == pytest.approx(29 / 180)


def test_staff_who_never_press_start_get_the_same_day_filed_as_it_went(tmp_path):
    """With start_pressed = 0 every visit ends with Next alone: the same waits as the day worked
    out by hand, every visit filed as served — but a 30-second visit, shorter than the walk-up
    time, is filed as "did not come", and the report counts it."""
    path = tmp_path / "next-only.toml"
    path.write_text(ONE_COUNTER.replace("transfer = 0", "transfer = 0\nstart_pressed = 0"),
                    encoding="utf-8")
    result = simulate(load_scenario(path), seed=1, history_days=0)
    assert [round(t.wait_min, 6) for t in result.tickets] == [0, 12, 19, 4]
    assert day_report(result).misrecorded == 0
    quick = ONE_COUNTER.replace("transfer = 0", "transfer = 0\nstart_pressed = 0").replace(
        "minutes = 4", "minutes = 0.5")
    path.write_text(quick, encoding="utf-8")
    report = day_report(simulate(load_scenario(path), seed=1, history_days=0))
    assert report.misrecorded == 1 and report.no_shows == 0


def test_the_first_ticket_is_printed_no_wait_only_when_the_counter_is_free(tmp_path):
    """A is issued with the counter open and free: "no wait"; B, with the counter busy, never."""
    path = tmp_path / "one.toml"
    path.write_text(ONE_COUNTER, encoding="utf-8")
    printed = [t.printed_min for t in simulate(load_scenario(path), 1, history_days=0).tickets]
    assert printed[0] == 0 and all(p > 0 for p in printed[1:])


def test_same_seed_same_report_other_seed_other_day():
    """The normal scenario played twice with seed 7 gives the same figures; seed 8 another day."""
    scenario = load_scenario("normal")
    first = day_report(simulate(scenario, 7)).to_json()
    again = day_report(simulate(scenario, 7)).to_json()
    other = day_report(simulate(scenario, 8)).to_json()
    for report in (first, again, other):
        report.pop("run_seconds")
    assert first == again
    assert first != other
    assert first["visitors"] > 300 and first["accuracy"]["tickets"] == first["called"]


def test_bundled_scenarios_load():
    """normal (≈ 400 visitors, 20 counters) and busy (1,646, 36 counters, ≈ 18 % priority)."""
    normal, busy = load_scenario("normal"), load_scenario("busy")
    assert normal.visitors == 400 and len(normal.centre.counters) == 20
    assert busy.visitors == 1646 and len(busy.centre.counters) == 36
    assert sum(busy.priority.values()) == pytest.approx(0.18)
    assert all(shift.pauses for shift in busy.shifts)


def test_a_broken_scenario_names_every_problem(tmp_path):
    """Unknown services, bad times and shares are each named with their key."""
    with pytest.raises(ScenarioError) as err:
        parse_scenario({
            "scenario": {"visitors": -5, "no_show": 2},
            "arrivals": {"25": 0.5, "09": 1},
            "mix": {"no-such-service": 1},
            "shift": [{"counters": ["99"], "open": "9am"}],
            "oops": {},
        }, "bad.toml")
    text = "\n".join(err.value.problems)
    for key in ("scenario.visitors", "scenario.no_show", "arrivals.25", "mix.no-such-service",
                "shift[0].counters", "shift[0]", "oops"):
        assert f"bad.toml: {key}:" in text, key


def test_cli_simulate_prints_the_report_as_json(tmp_path):
    """`novbe simulate --scenario FILE --json` prints one report per seed."""
    path = tmp_path / "one.toml"
    path.write_text(ONE_COUNTER, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "novbe", "simulate", "--scenario", str(path),
                           "--seeds", "2", "--json", "--history-days", "0"],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)
    assert [r["seed"] for r in reports] == [1, 2]
    assert reports[0]["waits"]["max"] == 19


def test_cli_simulate_names_a_missing_scenario():
    """A scenario that does not exist is named, with the bundled ones, and exit code 2."""
    done = subprocess.run([sys.executable, "-m", "novbe", "simulate", "--scenario", "nope"],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert done.returncode == 2
    assert "nope" in done.stderr and "busy" in done.stderr and "normal" in done.stderr
