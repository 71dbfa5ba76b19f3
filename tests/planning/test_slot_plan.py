"""`novbe plan --bookings`: bookable seats per service and half-hour from simulated days with
bookings — the offer the day would bring, cut until walk-ins meet the target; tables for the
centre config."""

from __future__ import annotations

from planning.scenario import load_scenario
from planning.slot_plan import (
    capacity_of,
    levelled_seats,
    offered_seats,
    plan_slots,
    render_slot_plan,
    wanted_seats,
)
from shared.config.centre import config_document, parse_config

SMALL = """
[scenario]
name = "small"
date = "2026-11-23"
visitors = 24
spread = 0.3
walk_up_s = [10, 20]
no_show = 0
transfer = 0

[arrivals]
"09" = 0.5
"10" = 0.5

[mix]
"pensions.age" = 1.0

[[counter]]
id = "1"
services = ["*"]
[[counter]]
id = "2"
services = ["*"]
[[counter]]
id = "3"
services = ["*"]
[[counter]]
id = "4"
services = ["*"]

[[shift]]
counters = ["1", "2", "3", "4"]
open = "09:00"
close = "12:00"
"""


def test_wanted_seats_follow_the_arrivals(tmp_path):
    """24 visitors in two hours, a third booking: two bookings a half-hour."""
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    wanted = wanted_seats(load_scenario(path), 1 / 3)
    assert set(wanted) == {("pensions.age", h) for h in (18, 19, 20, 21)}
    assert abs(sum(wanted.values()) - 24 / 3) < 0.01


def test_a_levelled_offer_moves_the_busy_half_hours_seats_to_the_others():
    """Lunch (half-hours 25, 26) is busy: none of its seats is sold, they go to the service's
    other half-hours in proportion to their own; the day's offer stays the same; a service
    wanted only when busy keeps its seats."""
    wanted = {("p", 24): 4.0, ("p", 25): 6.0, ("p", 26): 6.0, ("p", 27): 2.0, ("x", 25): 1.0}
    level = levelled_seats(wanted, busy={25, 26}, busy_share=0.0)
    assert level[("p", 25)] == level[("p", 26)] == 0
    assert level[("p", 24)] == 12.0 and level[("p", 27)] == 6.0 and level[("x", 25)] == 1.0
    half = levelled_seats(wanted, busy={25, 26}, busy_share=0.5)
    assert half[("p", 25)] == 3.0 and abs(sum(half.values()) - sum(wanted.values())) < 1e-9
    assert offered_seats({("p", 24): 2.5, ("p", 25): 0.4, ("p", 26): 0.0}) == {
        ("p", 24): 3, ("p", 25): 1, ("p", 26): 0}


def test_a_slot_plan_meets_the_targets_and_reads_as_config(tmp_path):
    """Four counters for 24 visitors meet the targets with the whole offer; the printed tables
    are valid [[bookings.capacity]] entries of the centre config."""
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    scenario = load_scenario(path)
    plan = plan_slots(scenario, 1 / 3, 0.8, [1])
    assert plan.met and plan.factor == 1.0 and plan.booked > 0
    text = render_slot_plan(plan, lambda s: s)
    assert 'hours = "09:00-09:30"' in text and "pensions.age: 09:00-09:30" in text
    document = config_document(scenario.centre)
    document["bookings"]["capacity"] = [{"service": c.service, "hours": f"{c.hours[0]:%H:%M}-"
                                         f"{c.hours[1]:%H:%M}", "seats": c.seats}
                                        for c in capacity_of(plan.seats)]
    assert parse_config(document).bookings.enabled


def test_novbe_simulate_with_bookings_prints_the_figures(tmp_path):
    """`novbe simulate --bookings 0.33 --json`: the day's report and the appointment figures."""
    import json
    import subprocess
    import sys

    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "novbe", "simulate", "--scenario", str(path),
                           "--bookings", "0.33", "--json"], capture_output=True, text=True,
                          timeout=120, check=True)
    (day,) = json.loads(done.stdout)
    assert day["booked"] > 0 and 0 <= day["called_within_5_of_slot"] <= 1 and "day" in day
    bad = subprocess.run([sys.executable, "-m", "novbe", "simulate", "--scenario", str(path),
                          "--bookings", "2"], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "--bookings is the share of visitors who book" in bad.stderr


def test_both_commands_refuse_a_share_outside_0_and_1():
    """`novbe simulate` and `novbe plan` check `--bookings` with the one rule (booked_share)."""
    from argparse import Namespace

    import pytest

    from planning.cli import booked_share
    from shared.core.errors import NovbeError

    assert booked_share(Namespace(bookings=0.25)) == 0.25
    for bad in (0, 1, 2, -0.5):
        with pytest.raises(NovbeError, match="--bookings is the share of visitors who book"):
            booked_share(Namespace(bookings=bad))
