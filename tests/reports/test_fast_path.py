"""The daily rollups and columns give exactly the figures the direct queries give."""

from __future__ import annotations

import pytest

from shared.clock import FakeClock
from shared.local_queue import LocalQueue
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
