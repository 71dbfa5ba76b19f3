"""Scenarios learned from a centre's own history (issue 13): three simulated days in a real
queue file are read back as arrivals, mix, visit times, no-shows and the counters' shifts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planning.learn import learn_scenario, parse_range
from planning.scenario import load_scenario
from planning.simulator import simulate
from shared.core.errors import NovbeError

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The normal scenario played on 21, 22 and 23 November 2026 into one queue file."""
    db = tmp_path_factory.mktemp("history") / "centre.sqlite"
    scenario = load_scenario("normal")
    result = simulate(scenario, seed=5, history_days=2, keep_db=db)
    return db, scenario, result


def test_learned_scenario_matches_the_days_it_was_learned_from(history):
    """Visitors per day, hours, mix, no-shows and each counter's opening and lunch come back."""
    db, scenario, result = history
    learned = learn_scenario(db, scenario.centre, *parse_range("2026-11-21..2026-11-23"))
    import sqlite3
    with sqlite3.connect(db) as conn:
        total = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    assert learned.visitors == pytest.approx(total / 3)
    assert abs(learned.visitors - scenario.visitors) < 0.15 * scenario.visitors
    assert set(learned.arrivals) == set(scenario.arrivals)
    assert set(learned.mix) <= set(scenario.centre.services)
    assert learned.mix["pensions.age"] == pytest.approx(scenario.mix["pensions.age"], abs=0.03)
    assert 0.02 < learned.no_show < 0.09 and 0.3 < learned.spread < 0.8
    assert len(learned.shifts) == 20
    # staff go to lunch after their visit (12:30 or 13:15 or a little later), back on time
    pauses = [p for s in learned.shifts for p in s.pauses]
    assert len(pauses) == 20
    assert {(b.hour, b.minute) for _, b in pauses} == {(13, 15), (14, 0)}
    assert all((12, 30) <= (a.hour, a.minute) < (13, 45) for a, _ in pauses)
    assert all(9 <= s.open.hour < 10 for s in learned.shifts)


def test_learning_from_days_without_tickets_says_so(history):
    """An empty range is refused with the dates in the message."""
    db, scenario, _ = history
    with pytest.raises(NovbeError, match="2026-10-01 and 2026-10-31"):
        learn_scenario(db, scenario.centre, *parse_range("2026-10-01..2026-10-31"))
    with pytest.raises(NovbeError, match="FIRST..LAST"):
        parse_range("last month")


def test_cli_learns_saves_and_simulates(history, tmp_path):
    """`novbe --db FILE simulate --learn-from A..B --save F` simulates the learned day and
    writes a scenario file that loads again."""
    db, _, _ = history
    saved = tmp_path / "learned.toml"
    done = subprocess.run(
        [sys.executable, "-m", "novbe", "--db", str(db), "simulate", "--learn-from",
         "2026-11-21..2026-11-23", "--save", str(saved), "--json", "--history-days", "0"],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout[done.stdout.index("["):])[0]
    assert report["visitors"] > 300
    again = load_scenario(saved)
    assert len(again.shifts) == 20 and again.visitors > 300
