"""The national report's work-profile figures over a real PostgreSQL cluster: two centres whose
counters call by profiles (pensions first, 2 regular : 1 priority, their own services) ship
their events; the calls by profile level and the within-target share per profile that the
report shows are recounted here independently, from the shipped `called` and `issued` events
and the centres' targets (tests/e2e/test_national_profiles_page.py prints them on A4)."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import psycopg
import pytest

from central.facts import refresh
from central.reports import central_reader, national_report
from server.shipping.shipper import Shipper
from shared.config.centre import CentreConfig, load_config
from shared.core.clock import FakeClock
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue
from shared.reports.request import make_request
from tests.central.conftest import CentralDb, centre_config_path
from tests.conftest import MONDAY_10AM

pytestmark = pytest.mark.slow  # a PostgreSQL cluster

SERVICES = ("pensions.age", "insurance.record", "pensions.disability", "insurance.contributions")
COUNTERS = ("5", "6", "20")
PROFILES = {"nord": {"6": "pensions-first", "20": "help-others"},
            "sud": {"6": "two-to-one", "5": "two-to-one"}}


def _day(queue: LocalQueue, clock: FakeClock, profiles: dict[str, str], seed: int) -> None:
    """Visitors for pensions and insurance, some of a priority class; counters calling by
    their profiles, now and then a ticket called by its code; at the end, the hall emptied
    and two insurance visitors called at counter 6 alone."""
    rnd = random.Random(seed)
    veteran = queue.config.priorities[0].id
    for counter in COUNTERS:
        queue.open_counter(counter, staff=f"staff-{counter}")
    for counter, profile in profiles.items():
        queue.switch_profile(counter, profile, manager=True)
    for _ in range(30):                                    # a queue builds up first
        queue.issue(rnd.choice(SERVICES), priority=veteran if rnd.random() < 0.25 else None)
        clock.advance(seconds=rnd.randint(20, 90))
    for step in range(90):
        if step < 60:
            queue.issue(rnd.choice(SERVICES), priority=veteran if rnd.random() < 0.25 else None)
        clock.advance(seconds=rnd.randint(30, 150))
        counter = rnd.choice(COUNTERS)
        try:
            if rnd.random() < 0.08:
                waiting = queue.waiting(counter)
                if not waiting:
                    continue
                queue.call(counter, waiting[-1].code)
            else:
                queue.call_next(counter)
        except NoTicketWaiting:
            continue
        clock.advance(seconds=rnd.randint(60, 240))
        queue.finish(counter)
    while True:                    # counter 20 serves everything: the hall empties
        try:
            queue.call_next("20")
        except NoTicketWaiting:
            break
        clock.advance(seconds=90)
        queue.finish("20")
    for _ in range(2):             # then at counter 6 a fresh insurance visitor, alone
        queue.issue("insurance.record")
        clock.advance(seconds=30)
        queue.call_next("6")       # at pensions first: its backup level
        clock.advance(seconds=120)
        queue.finish("6")


def ship_two_centres(tmp_path: Path, central: CentralDb) -> tuple[dict[str, CentreConfig], float]:
    clock = FakeClock(MONDAY_10AM)
    configs = {}
    for n, cid in enumerate(("nord", "sud")):
        url = central.add_centre(cid)
        config = load_config(centre_config_path(tmp_path, cid, url))
        db_path = tmp_path / f"{cid}.sqlite"
        clock.set(MONDAY_10AM)
        queue = LocalQueue(db_path, config, clock)
        _day(queue, clock, PROFILES[cid], seed=40 + n)
        queue.close()
        assert config.central is not None
        shipper = Shipper(db_path, config.central, config)
        shipper.record_config()
        shipper.ship_pending()
        shipper.close()
        configs[cid] = config
    return configs, clock.now().timestamp()


def _recount(admin_url: str, centre: str, config: CentreConfig) -> tuple[Counter[str],
                                                                         dict[str, list[int]]]:
    """From the shipped events alone: calls by level ("primary", "backup", "direct"), and per
    profile of each ticket's first call [called, within target]."""
    levels: Counter[str] = Counter()
    first: dict[int, tuple[str, float]] = {}
    issued: dict[int, tuple[str, float]] = {}
    with psycopg.connect(admin_url) as conn:
        for kind, tid, service, at, details in conn.execute(
                "SELECT kind, ticket_id, service, at, details FROM novbe.events WHERE "
                "centre_id = %s AND kind IN ('issued', 'called') ORDER BY id", (centre,)):
            d = json.loads(details) if isinstance(details, str) else (details or {})
            if kind == "issued":
                issued[tid] = (service, at)
                continue
            levels[d.get("level") or "direct"] += 1
            if tid not in first:
                first[tid] = (d["profile"] if "level" in d else "\x00code", at)
    per_profile: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for tid, (profile, at) in first.items():
        service, issued_at = issued[tid]
        target_s = round(config.service(service).target_wait_min * 60)
        per_profile[profile][0] += 1
        per_profile[profile][1] += int(round(at - issued_at) <= target_s)
    return levels, dict(per_profile)


def test_profile_figures_nationally_are_what_the_shipped_calls_say(
        tmp_path: Path, central: CentralDb) -> None:
    """Per centre: primary, backup and by-code calls, the backup share, and each profile's
    tickets called and share within target equal an independent recount of the shipped
    events; the "all together" rows add the centres up."""
    configs, now = ship_two_centres(tmp_path, central)
    request = make_request(configs["nord"], "2026-11-23", "2026-11-23", "service")
    with central_reader(central.admin_url, refresh_facts=False) as conn:
        refresh(conn, now=now)
        conn.commit()
        report = national_report(conn, request, ("nord", "sud"), "en")
    levels = {r["key"]: r for r in report.table("profile_levels_centres").rows}
    within = {r["key"]: r for r in report.table("profile_within_centres").rows}
    totals: Counter[str] = Counter()
    for centre, config in configs.items():
        counted, per_profile = _recount(central.admin_url, centre, config)
        totals.update(counted)
        row = levels[centre]
        assert (row["calls_primary"], row["calls_backup"], row["calls_direct"]) == \
            (counted["primary"], counted["backup"], counted["direct"])
        assert row["backup_pct"] == pytest.approx(
            100 * counted["backup"] / (counted["primary"] + counted["backup"]))
        for profile, (called, met) in per_profile.items():
            mine = within[f"{centre}:{profile}"]
            assert (mine["called"], mine["within_target"]) == (called, met), (centre, profile)
            assert mine["within_target_pct"] == pytest.approx(100 * met / called)
        assert within[centre]["called"] == sum(c for c, _ in per_profile.values())
    assert levels["nord"]["calls_backup"] > 0                    # pensions first called backups
    assert {"nord:pensions-first", "sud:two-to-one", "nord:\x00code"} <= within.keys()
    assert (levels["all"]["calls_primary"], levels["all"]["calls_backup"]) == \
        (totals["primary"], totals["backup"])
    assert within["all"]["called"] == within["nord"]["called"] + within["sud"]["called"]
    assert within["nord:pensions-first"]["label"] == "— pensions-first"   # ids: names stay home
    assert within["nord:\x00code"]["label"] == "— Called by its code"
