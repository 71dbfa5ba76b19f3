"""National figures over the central PostgreSQL: one centre's equal its own report, two centres'
equal their own reports combined, and the side-by-side comparison agrees with both."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from central.reports import central_reader, compare_centres, national_report, pick_centres
from central.schema import CentralError
from shared.percentile import percentile
from shared.reports.facts import FactStore
from shared.reports.report import Report, build_report
from shared.reports.request import make_request
from tests.central.activity import CENTRES, two_busy_centres
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

ADDITIVE = ("issued", "served", "unresolved", "referred", "no_show", "cancelled", "expired",
            "transferred", "called", "ratings", "satisfied", "finished", "estimates",
            "within_target", "target_base")


def _local(config: Any, db_path: Path, request: Any, now: float) -> tuple[Report, list[int]]:
    store = FactStore(db_path, config)
    try:
        store.refresh(now)
        report = build_report(store.conn, config, request, "en")
        waits = [r[0] for r in store.conn.execute(
            "SELECT wait_s FROM report_tickets WHERE wait_s IS NOT NULL")]
    finally:
        store.close()
    return report, waits


def _figures(report: Report, table: str) -> dict[Any, dict[str, Any]]:
    return {row["key"]: {k: v for k, v in row.items() if k != "label"}
            for row in report.table(table).rows}


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("filters", [{}, {"services": ("labour", "pensions.age")},
                                     {"counters": ("20",)}], ids=["rollups", "services", "counter"])
def test_one_centre_nationally_equals_its_own_report(tmp_path: Path, central: CentralDb,
                                                     filters: dict[str, Any]) -> None:
    """Every figure of every table of a centre's own report comes out the same from the
    central copy (PostgreSQL, the same definitions) — unfiltered (daily rollups) and filtered
    (the facts read directly, with the centre column)."""
    centres, now = two_busy_centres(tmp_path, central)
    config, db_path = centres["nord"]
    request = make_request(config, "2026-11-23", "2026-11-24", "service", **filters)
    local, _ = _local(config, db_path, request, now)
    with central_reader(central.admin_url, refresh_facts=False) as conn:
        from central.facts import refresh, rollups_ready
        refresh(conn, now=now)
        conn.commit()
        assert rollups_ready(conn)
        remote = national_report(conn, request, ("nord",), "en")
    national_only = ("bookings_centres",       # central/bookings/report.py
                     "profile_levels_centres", "profile_within_centres")  # profile_report.py
    assert [t.id for t in remote.tables if t.id not in national_only] == \
        [t.id for t in local.tables]
    for table in local.tables:
        mine, theirs = _figures(local, table.id), _figures(remote, table.id)
        assert mine.keys() == theirs.keys(), table.id
        for key, figures in mine.items():
            for name, value in figures.items():
                assert _close(value, theirs[key][name]), (table.id, key, name, value,
                                                          theirs[key][name])
    assert local.summary["issued"] > 20


def test_two_centres_nationally_equal_their_reports_combined(tmp_path: Path,
                                                             central: CentralDb) -> None:
    """Over both centres: counts are the sums of each centre's own, means their weighted
    means, maxima the larger, shares the pooled shares, the median the median of all waits;
    the side-by-side rows equal each centre's own summary."""
    centres, now = two_busy_centres(tmp_path, central)
    own: dict[str, Report] = {}
    waits: list[int] = []
    for cid, (config, db_path) in centres.items():
        request = make_request(config, "2026-11-23", "2026-11-24", "service")
        own[cid], w = _local(config, db_path, request, now)
        waits += w
    with central_reader(central.admin_url, refresh_facts=False) as conn:
        from central.facts import refresh
        done = refresh(conn, now=now)
        conn.commit()
        chosen = pick_centres(conn, "all")
    # real histories (day changes, expiries, late ratings) pass the screen whole
    assert {c: (r.set_aside, r.problem) for c, r in done.items()} == {
        c: (0, None) for c in CENTRES}
    with central_reader(central.admin_url, refresh_facts=False) as conn:
        both = national_report(conn, request, chosen, "en").summary
        side = compare_centres(conn, request, chosen, "en").table.rows
    assert chosen == CENTRES
    a, b = own["nord"].summary, own["sud"].summary
    for name in ADDITIVE:
        assert both[name] == a[name] + b[name], name
    assert both["wait_max_s"] == max(a["wait_max_s"], b["wait_max_s"])
    assert _close(both["wait_mean_s"], (a["wait_mean_s"] * a["called"] + b["wait_mean_s"]
                                        * b["called"]) / (a["called"] + b["called"]))
    assert _close(both["within_target_pct"], 100 * (a["within_target"] + b["within_target"])
                  / (a["target_base"] + b["target_base"]))
    assert _close(both["satisfied_pct"], 100 * (a["satisfied"] + b["satisfied"])
                  / (a["ratings"] + b["ratings"]))
    assert _close(both["wait_median_s"], percentile([(w, 1) for w in waits], 0.5))
    assert _close(both["wait_p90_s"], percentile([(w, 1) for w in waits], 0.9))
    assert [r["key"] for r in side] == ["nord", "sud", "*"]
    for row, summary in zip(side, (a, b, both), strict=True):
        for name in ("issued", "served", "wait_mean_s", "wait_median_s", "within_target_pct",
                     "satisfied_pct", "estimate_within5_pct"):
            assert _close(row[name], summary[name]), (row["key"], name)


def test_unknown_centre_is_named(tmp_path: Path, central: CentralDb) -> None:
    """Asking for a centre the central database does not know names it and the known ones."""
    two_busy_centres(tmp_path, central)
    with central_reader(central.admin_url) as conn, pytest.raises(CentralError,
                                                                  match="unknown centre 'mars'"):
        pick_centres(conn, "nord,mars")


def test_a_reader_reports_without_writing(tmp_path: Path, central: CentralDb) -> None:
    """A read-only report login gets the figures the owner refreshed, and cannot refresh."""
    from central import schema as central_schema
    from central.facts import can_refresh

    centres, now = two_busy_centres(tmp_path, central)
    config, _ = centres["sud"]
    request = make_request(config, "2026-11-23", "2026-11-24", "service")
    with central_reader(central.admin_url, refresh_facts=False) as conn:
        from central.facts import refresh
        refresh(conn, now=now)
        conn.commit()
        by_owner = national_report(conn, request, CENTRES, "en").summary
    central_schema.add_reader(central.admin_url, "ministry", "ministry-password-1")
    try:
        url = central.cluster.url("ministry", "ministry-password-1", central.name)
        with central_reader(url) as conn:
            assert not can_refresh(conn)
            assert national_report(conn, request, CENTRES, "en").summary == by_owner
    finally:
        import psycopg
        with psycopg.connect(central.admin_url, autocommit=True) as pg:
            pg.execute("DROP OWNED BY ministry")
            pg.execute("DROP ROLE ministry")
