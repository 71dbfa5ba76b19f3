"""Every report figure of days built with the fake clock, each known by construction."""

from __future__ import annotations

import pytest

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.facts import FactStore
from shared.reports.figures import Scope, counter_figures, ticket_figures, visit_figures
from shared.reports.report import build_report
from shared.reports.request import make_request
from tests.reports.conftest import refreshed
from tests.reports.known_day import DAY, JOB, PENSION, build_known_day

MONDAY = Scope(DAY, DAY)


@pytest.fixture
def known(local_queue: LocalQueue, clock: FakeClock, facts: FactStore):
    day = build_known_day(local_queue, clock)
    refreshed(facts, clock)
    return day, facts


def test_ticket_figures_of_the_known_day(known):
    """Issued, outcomes, waits, within target, satisfaction and the printed wait's truth."""
    day, facts = known
    f = ticket_figures(facts.conn, MONDAY)["all"]
    assert {k: f[k] for k in ("issued", "served", "unresolved", "referred", "no_show",
                              "cancelled", "expired", "day_end", "open", "transferred",
                              "called")} == {
        "issued": 7, "served": 2, "unresolved": 1, "referred": 1, "no_show": 1, "cancelled": 1,
        "expired": 1, "day_end": 0, "open": 0, "transferred": 1, "called": 5}
    # waits: B 3 min, C 2, A 12, D 17, H 5 → sorted 120 180 300 720 1020 s
    assert (f["wait_mean_s"], f["wait_median_s"], f["wait_p90_s"], f["wait_max_s"]) == \
        (468.0, 300.0, 900.0, 1020)
    # within 10 min: B, C, H; the base adds F, expired after 16.5 h uncalled (E left after 1 min)
    assert (f["within_target"], f["target_base"], f["within_target_pct"]) == (3, 6, 50.0)
    assert (f["ratings"], f["rating_mean"], f["satisfied"], f["finished"]) == (3, 11 / 3, 2, 4)
    assert f["satisfied_pct"] == pytest.approx(200 / 3) and f["response_pct"] == 75.0
    real = {"A": 720, "B": 180, "C": 120, "D": 1020, "H": 300}
    errors = sorted(real[k] - 60 * day.printed[k] for k in real)
    assert day.printed["D"] > 0          # D had A and B ahead: the ticket promised a wait
    assert f["estimates"] == 5
    assert f["estimate_bias_s"] == pytest.approx(sum(errors) / 5)
    assert f["estimate_abs_error_median_s"] == sorted(abs(e) for e in errors)[2]
    assert f["estimate_within5_pct"] == 100.0 * sum(abs(e) <= 300 for e in errors) / 5


def test_figures_by_service_hour_and_priority(known):
    """Tickets count under the service they were issued for; hour is the local hour of issue."""
    _, facts = known
    by_service = ticket_figures(facts.conn, MONDAY, "service")
    job, pension = by_service[JOB], by_service[PENSION]
    assert (job["issued"], job["served"], job["unresolved"], job["referred"], job["no_show"],
            job["transferred"]) == (4, 1, 1, 1, 1, 1)
    assert (job["wait_mean_s"], job["wait_median_s"], job["wait_p90_s"]) == (555.0, 510.0, 930.0)
    assert (job["within_target"], job["target_base"]) == (2, 4)
    assert (pension["issued"], pension["served"], pension["cancelled"], pension["expired"],
            pension["within_target"], pension["target_base"]) == (3, 1, 1, 1, 1, 2)
    by_hour = ticket_figures(facts.conn, MONDAY, "hour")
    assert {h: v["issued"] for h, v in by_hour.items()} == {9: 6, 10: 1}
    assert {k: v["issued"] for k, v in ticket_figures(facts.conn, MONDAY, "weekday_hour").items()} \
        == {9: 6, 10: 1}                                  # Monday (0) × hour
    prio = ticket_figures(facts.conn, MONDAY, "priority")
    assert (prio["veteran"]["issued"], prio["veteran"]["wait_mean_s"]) == (1, 180.0)
    assert (prio["none"]["issued"], prio["none"]["wait_mean_s"]) == (6, 540.0)


def test_visit_and_counter_figures(known):
    """Walk-up and service times; per counter and staff: visits, time open, idle while waited."""
    _, facts = known
    v = visit_figures(facts.conn, MONDAY)["all"]
    assert (v["calls"], v["visits"], v["no_shows"], v["transferred_on"]) == (6, 4, 1, 1)
    assert (v["walkup_mean_s"], v["walkup_median_s"], v["walkup_p90_s"], v["walkup_max_s"]) == \
        (72.0, 60.0, 96.0, 120)
    assert (v["service_mean_s"], v["service_median_s"], v["service_p90_s"], v["service_max_s"]) \
        == (360.0, 360.0, 576.0, 720)
    by_counter = visit_figures(facts.conn, MONDAY, "counter")
    assert {c: (x["calls"], x["visits"], x["walkup_mean_s"], x["service_mean_s"])
            for c, x in by_counter.items()} == {
        "1": (3, 2, 90.0, 360.0), "2": (1, 0, 60.0, 240.0), "4": (2, 2, 60.0, 420.0)}
    assert counter_figures(facts.conn, MONDAY, "counter") == {
        "1": {"open_s": 1800, "idle_waiting_s": 300},    # A waited while 1 was free 09:00–09:05
        "2": {"open_s": 300, "idle_waiting_s": 0},
        "4": {"open_s": 3600, "idle_waiting_s": 240}}    # C 2 min, E 1 min, H 1 min
    assert counter_figures(facts.conn, MONDAY, "staff") == {
        "aysel": {"open_s": 1800, "idle_waiting_s": 300},
        "leyla": {"open_s": 300, "idle_waiting_s": 0},
        "rauf": {"open_s": 3600, "idle_waiting_s": 240}}
    assert visit_figures(facts.conn, MONDAY, "staff")["rauf"]["visits"] == 2


def test_filters_narrow_every_figure(known):
    """A counter filter keeps the tickets seen there; a service filter their visits."""
    _, facts = known
    at4 = Scope(DAY, DAY, counters=("4",))
    assert ticket_figures(facts.conn, at4)["all"]["issued"] == 2          # C and H
    assert counter_figures(facts.conn, at4, "counter") == {"4": {"open_s": 3600,
                                                                 "idle_waiting_s": 240}}
    pensions = Scope(DAY, DAY, services=(PENSION,))
    assert visit_figures(facts.conn, pensions)["all"]["calls"] == 2       # C, and H's second


def test_report_tables_carry_the_figures(known, config: CentreConfig):
    """The report's tables (page, exports, CLI) hold the same figures, labelled in az/ru/en."""
    _, facts = known
    req = make_request(config, DAY, DAY, "counter")
    report = build_report(facts.conn, config, req, "en")
    assert report.summary["issued"] == 7 and report.summary["service_median_s"] == 360.0
    by_counter = {r["key"]: r for r in report.table("by_counter").rows}
    assert by_counter["4"]["idle_waiting_s"] == 240 and by_counter["4"]["label"] == "Counter 4"
    assert [r["label"] for r in report.table("staff").rows] == ["aysel", "leyla", "rauf"]
    heat = report.table("heatmap").rows
    assert [(r["weekday"], r["hour"], r["issued"]) for r in heat] == \
        [("Monday", "09:00", 6), ("Monday", "10:00", 1)]
    assert report.table("satisfaction").rows[0]["ratings"] == 3
    az = build_report(facts.conn, config, make_request(config, DAY, DAY), "az")
    assert az.table("heatmap").rows[0]["weekday"] == "Bazar ertəsi"
    assert az.table("by_service").rows[0]["label"] == config.service(JOB).name("az")


def test_day_spanning_the_reset_hour(local_queue: LocalQueue, clock: FakeClock,
                                     facts: FactStore):
    """Tickets after midnight and before 03:00 belong to the evening's service day; the day's
    end (03:00) expires who still waits and closes the counter, whenever it is written."""
    q = local_queue
    clock.set("2026-11-25T23:50:00+04:00")                  # Wednesday evening
    x = q.issue(JOB)
    clock.set("2026-11-25T23:55:00+04:00")
    q.open_counter("3", "aysel")
    clock.set("2026-11-26T00:10:00+04:00")                  # after midnight, same service day
    assert q.call_next("3").code == x.code
    clock.set("2026-11-26T00:12:00+04:00")
    q.start("3")
    clock.set("2026-11-26T00:20:00+04:00")
    q.finish("3")
    clock.set("2026-11-26T02:30:00+04:00")
    y = q.issue(JOB)
    clock.set("2026-11-26T03:30:00+04:00")                  # the next day's first write
    q.issue(JOB)
    clock.set("2026-11-26T03:40:00+04:00")
    refreshed(facts, clock)
    wed, thu = Scope("2026-11-25", "2026-11-25"), Scope("2026-11-26", "2026-11-26")
    f = ticket_figures(facts.conn, wed)["all"]
    assert (f["issued"], f["served"], f["expired"], f["wait_mean_s"]) == (2, 1, 1, 1200.0)
    assert (f["within_target"], f["target_base"]) == (0, 2)      # X 20 min, Y 30 min uncalled
    assert {k: v["issued"] for k, v in ticket_figures(facts.conn, wed, "weekday_hour").items()} \
        == {202: 1, 223: 1}                                  # Wednesday (2), 02:00 and 23:00
    left = facts.conn.execute("SELECT left_uncalled_s FROM report_tickets WHERE ticket_id = ?",
                              (y.id,)).fetchone()[0]
    assert left == 1800                                      # until 03:00, not until 03:30
    assert counter_figures(facts.conn, wed, "counter") == {
        "3": {"open_s": 11100, "idle_waiting_s": 2700}}      # 23:55–03:00; X 15 min, Y 30 min
    assert visit_figures(facts.conn, wed)["all"]["service_mean_s"] == 480.0
    g = ticket_figures(facts.conn, thu)["all"]
    assert (g["issued"], g["open"], g["called"]) == (1, 1, 0)
    assert counter_figures(facts.conn, thu, "counter") == {}


def test_facts_follow_new_events_and_rebuild_the_same(known, local_queue: LocalQueue,
                                                      clock: FakeClock):
    """A later rating re-folds its ticket's day only; a full rebuild gives the same facts."""
    day, facts = known
    clock.set("2026-11-24T10:00:00+04:00")
    local_queue.rate(day.tokens["H"], 1)                 # H's rating comes the next morning
    assert facts.refresh(clock.now().timestamp()) == [DAY]
    assert ticket_figures(facts.conn, MONDAY)["all"]["ratings"] == 4
    before = facts.conn.execute("SELECT * FROM report_tickets ORDER BY ticket_id").fetchall()
    facts.rebuild(clock.now().timestamp())
    assert facts.conn.execute("SELECT * FROM report_tickets ORDER BY ticket_id").fetchall() == before
