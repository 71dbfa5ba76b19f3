"""The planner's profile recommendation (planning/profile_plan.py) on a small hall worked out
by hand: a pensions window swamped while the insurance window next to it sits idle."""

from __future__ import annotations

from planning.profile_plan import day_of, figures, recommend
from planning.scenario import load_scenario
from shared.core.counter_profiles import call_rules

HALL = """
[scenario]
name = "two windows"
date = "2026-11-23"
spread = 0
walk_up_s = [0, 0]
no_show = 0
transfer = 0

[[counter]]
id = "4"
services = ["pensions"]
[[counter]]
id = "14"
services = ["insurance"]
[[counter]]
id = "20"
services = ["*"]          # staffed by nobody today

[[shift]]
counters = ["4", "14"]
open = "09:00"
close = "12:00"
"""


def _hall(tmp_path):
    visitors = "".join(f'\n[[visitor]]\nat = "09:{m:02d}"\nservice = "pensions.age"\n'
                       f"minutes = 6\n" for m in range(0, 40, 2))
    visitors += '\n[[visitor]]\nat = "09:30"\nservice = "insurance.record"\nminutes = 5\n'
    path = tmp_path / "hall.toml"
    path.write_text(HALL + visitors, encoding="utf-8")
    return load_scenario(path)


def test_the_idle_window_is_told_to_help_and_the_hours_stay(tmp_path):
    """Twenty pension visitors in 40 minutes at one pensions window, one insurance visitor: the
    insurance window is recommended a profile that also calls pensions; more are called within
    target and it sits idle less while people wait; the shifts (counter-hours) are unchanged."""
    scenario = _hall(tmp_path)
    rec = recommend(scenario, seeds=(1,), budget=40)
    alike, best = rec.alike, rec.recommended
    assert best.within_target > alike.within_target + 0.2
    assert best.idle_waiting_min < alike.idle_waiting_min / 2
    assert "14" in rec.plan and set(rec.plan["14"]) <= {9, 10, 11}
    assert "pensions.age" in call_rules(scenario.centre, "14", rec.plan["14"][9]).levels
    day = day_of(scenario, 1)
    assert day.spans == {"4": ((day.spans["4"][0]),), "14": ((day.spans["14"][0]),)}
    again = figures([day], scenario.centre, rec.plan)
    assert again.within_target == best.within_target         # the same seed, the same day
