"""The report's figures agree with an independent recount from the events table alone."""

from __future__ import annotations

import sqlite3

import pytest

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.facts import FactStore
from shared.reports.figures import Scope, counter_figures, ticket_figures, visit_figures
from tests.reports.conftest import refreshed
from tests.reports.random_day import run_random_day
from tests.reports.recount import recount_day

DAY = "2026-11-23"


@pytest.mark.parametrize("seed", [7, 2026])
def test_random_day_recounted_from_events(seed: int, local_queue: LocalQueue, clock: FakeClock,
                                          facts: FactStore, config: CentreConfig):
    """For a random simulated day, every figure the recount can make matches the report's."""
    run_random_day(local_queue, clock, seed, DAY, steps=450)
    refreshed(facts, clock)
    start, end = facts.days.bounds(DAY)
    conn = sqlite3.connect(local_queue.path)
    try:
        want = recount_day(conn, start, end, {c.id: c.services for c in config.counters})
        corrected = conn.execute("SELECT count(*) FROM events WHERE kind = 'outcome_corrected'"
                                 ).fetchone()[0]
    finally:
        conn.close()
    scope = Scope(DAY, DAY)
    got = ticket_figures(facts.conn, scope)["all"]
    assert want["issued"] > 100 and want["expired"] + want["cancelled"] > 0
    assert corrected > 0               # some outcomes were put right with Undo, and counted so
    for key in ("issued", "served", "unresolved", "referred", "no_show", "cancelled", "expired",
                "transferred", "called", "wait_max_s", "within_target", "target_base",
                "ratings", "satisfied", "finished", "estimates"):
        assert got[key] == want[key], key
    for key in ("wait_mean_s", "wait_median_s", "wait_p90_s", "rating_mean", "estimate_bias_s",
                "estimate_abs_error_median_s"):
        assert got[key] == pytest.approx(want[key]), key
    assert got["estimate_within5_pct"] == pytest.approx(100 * want["estimate_within5"] /
                                                        want["estimates"])
    hours = ticket_figures(facts.conn, scope, "hour")
    assert {h: v["issued"] for h, v in hours.items()} == want["hours"]

    v = visit_figures(facts.conn, scope)["all"]
    assert v["calls"] == want["calls"]
    assert v["walkup_mean_s"] == pytest.approx(want["walkup_mean_s"])
    assert v["walkup_max_s"] == max(want["walkups"])
    assert v["service_max_s"] == max(want["service_times"])
    assert v["service_mean_s"] == pytest.approx(sum(want["service_times"]) /
                                                len(want["service_times"]))
    per_counter = visit_figures(facts.conn, scope, "counter")
    assert {c: x["visits"] for c, x in per_counter.items() if x["visits"]} == \
        want["visits_per_counter"]
    counters = counter_figures(facts.conn, scope, "counter")
    assert {c: x["open_s"] for c, x in counters.items() if x["open_s"]} == \
        {c: pytest.approx(s, abs=1) for c, s in want["open_per_counter"].items() if s}
    assert {c: x["idle_waiting_s"] for c, x in counters.items() if x["idle_waiting_s"]} == \
        {c: pytest.approx(s, abs=1) for c, s in want["idle_per_counter"].items() if s}
