"""The daily rollups and columns give exactly the figures the direct queries give."""

from __future__ import annotations

import pytest

from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.columns import ROLLUP_TICKET_DIMS, ROLLUP_VISIT_DIMS, FastFigures
from shared.reports.facts import FactStore
from shared.reports.figures import Scope, ticket_figures, visit_figures
from tests.reports.conftest import refreshed
from tests.reports.known_day import build_known_day
from tests.reports.random_day import run_random_day


def _same(fast: dict, direct: dict) -> None:
    assert fast.keys() == direct.keys()
    for key, figures in direct.items():
        for name, value in figures.items():
            got = fast[key][name]
            assert got == (pytest.approx(value) if isinstance(value, float) else value), \
                (key, name)


def test_fast_figures_equal_direct_ones_over_several_days(local_queue: LocalQueue,
                                                          clock: FakeClock, facts: FactStore):
    """Two random days and the known day: every grouping, every figure, alone and together."""
    run_random_day(local_queue, clock, 11, "2026-11-18", steps=300)
    run_random_day(local_queue, clock, 12, "2026-11-19", steps=300)
    build_known_day(local_queue, clock)
    refreshed(facts, clock)
    for first, last in (("2026-11-18", "2026-11-18"), ("2026-11-18", "2026-11-24"),
                        ("2026-11-23", "2026-11-23")):
        scope = Scope(first, last)
        fast = FastFigures(facts.conn, scope)
        for by in ROLLUP_TICKET_DIMS:
            _same(fast.tickets(by), ticket_figures(facts.conn, scope, by))
        for by in ROLLUP_VISIT_DIMS:
            _same(fast.visits(by), visit_figures(facts.conn, scope, by))


def test_filtered_scopes_are_not_for_the_rollups():
    """A filter narrows rows the daily sums cannot split: those reports read the facts."""
    with pytest.raises(ValueError):
        FastFigures(None, Scope("2026-11-01", "2026-11-30", services=("labour",)))


def test_folding_on_during_the_day_gives_the_facts_of_a_fresh_fold(
        local_queue: LocalQueue, clock: FakeClock, facts: FactStore, config, tmp_path):
    """The live view refreshes after every few events, folding on from where it stopped; at
    any moment its facts are those a fresh fold of the whole day gives."""
    compared = []

    def look(i: int) -> None:
        if i % 20:
            return
        now = clock.now().timestamp()
        facts.refresh(now, rollups=False)
        fresh = FactStore(local_queue.path, config, path=tmp_path / f"fresh-{i}.reports")
        try:
            fresh.refresh(now)
            for table, order in (("report_tickets", "ticket_id"),
                                 ("report_visits", "ticket_id, seq"),
                                 ("report_counters", "counter, staff")):
                sql = f"SELECT * FROM {table} ORDER BY {order}"
                assert facts.conn.execute(sql).fetchall() == fresh.conn.execute(sql).fetchall(), \
                    (i, table)
        finally:
            fresh.close()
        compared.append(i)

    run_random_day(local_queue, clock, 5, "2026-11-23", steps=200, after_step=look)
    assert len(compared) == 10
