"""The work-profile figures of a centre's report, on a day played on a real queue: calls by
profile level per counter, within-target share per profile, idle-while-waiting per hour."""

from __future__ import annotations

from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.facts import FactStore
from shared.reports.report import build_report
from shared.reports.request import make_request
from tests.reports.conftest import refreshed


def test_calls_by_level_within_target_by_profile_and_idle_by_hour(
        local_queue: LocalQueue, clock: FakeClock, facts: FactStore, config):
    """Counter 6 runs pensions first: a pension call is primary, the insurance one backup (no
    pension waited), a call by code is direct; it sat idle 5 minutes at 10:00 while an
    insurance visitor waited; the pensions-first first calls were both within target."""
    q = local_queue
    q.open_counter("6", "rauf")
    q.switch_profile("6", "pensions-first", "rauf")
    insurance = q.issue("insurance.record").code          # 10:00, nobody calls for 5 minutes
    clock.advance(minutes=5)
    q.issue("pensions.age")
    q.call_next("6")                                       # the pension: primary
    clock.advance(minutes=2)
    assert q.call_next("6").code == insurance              # backup: no pension waits
    clock.advance(minutes=2)
    direct = q.issue("pensions.survivor").code
    q.call("6", direct)                                    # by its code
    clock.advance(minutes=2)
    day = clock.now().astimezone(config.tz).date()
    report = build_report(refreshed(facts, clock).conn, config, make_request(config, day, day),
                          "en", profiles=True)

    levels = {r["key"]: r for r in report.table("profile_levels").rows}
    assert (levels["6"]["calls_primary"], levels["6"]["calls_backup"],
            levels["6"]["calls_direct"]) == (1, 1, 1)
    within = {r["key"]: r for r in report.table("profile_within").rows}
    assert within["pensions-first"]["called"] == 2
    assert within["pensions-first"]["within_target_pct"] == 100.0
    assert within["pensions-first"]["label"] == "Pensions first"
    assert [r["label"] for r in report.table("profile_within").rows
            if r["key"] != "pensions-first"] == ["Called by its code"]
    idle = {r["key"]: r for r in report.table("idle_hours").rows}
    assert idle["6"]["idle_h10"] == 300
    assert [c.label for c in report.table("idle_hours").columns] == ["Counter", "10:00"]
