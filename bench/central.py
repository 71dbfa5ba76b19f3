"""Benchmark of shipping a centre's event log to the central PostgreSQL.

    .venv/bin/python bench/central.py            # prints a table
    .venv/bin/python bench/central.py --json     # prints one JSON object
    .venv/bin/python bench/central.py --quick    # smaller runs, for a smoke test

Starts a throwaway PostgreSQL (Debian's binaries, as in the tests) and measures:
  ship_events_per_s       shipping throughput of a long backlog (batches of 5,000)
  week_offline_*          a week of the busiest centre (1,646 visitors a day, 7 days, bulk-made
                          with plain SQL in the shape the queue writes) shipped when the link
                          comes back: events and seconds to catch up
  call_next_*             the queue's call_next p50/p99 with no shipping, then while the
                          server's shipper (a process of its own) works through a backlog
Benchmarks print figures; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from central import schema as central_schema  # noqa: E402
from server.shipping.process import ShipperProcess  # noqa: E402
from server.shipping.shipper import Shipper  # noqa: E402
from shared.config.central import CentralSettings  # noqa: E402
from shared.config.centre import load_config  # noqa: E402
from shared.core.clock import FakeClock  # noqa: E402
from shared.core.errors import NoTicketWaiting  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402
from shared.percentile import percentile_of  # noqa: E402
from shared.store import database as store  # noqa: E402
from tests.central.pg_cluster import Cluster, make_cluster  # noqa: E402

BUSIEST_PER_DAY = 1646
SERVICES = ("employment.job-seeker", "labour", "pensions.age", "social-legal", "benefits.child")
COUNTERS = [str(i) for i in range(1, 21)]
PASSWORD = "bench-centre-password"
MONDAY_10AM = "2026-11-23T06:00:00+00:00"




def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def bulk_events(db_path: Path, days: int, per_day: int, seed: int = 1,
                start: float = 1795420800.0) -> int:
    """A centre's event log of `days` days at `per_day` visitors, in the shape the queue
    writes (issued, called, started, finished; 40 % rated), inserted with plain SQL."""
    db = store.connect(db_path)
    db.conn.close()
    rnd = random.Random(seed)
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    rows: list[tuple[Any, ...]] = []
    ticket = conn.execute("SELECT coalesce(max(ticket_id), 0) FROM events").fetchone()[0]
    for day in range(days):
        opening = start + day * 86400 + 5 * 3600   # 09:00 Baku
        for i in range(per_day):
            ticket += 1
            service = rnd.choice(SERVICES)
            code = f"A-{i + 1:03d}"
            at = opening + i * (9 * 3600 / per_day)
            counter, staff = rnd.choice(COUNTERS), f"staff-{rnd.randint(1, 60)}"
            called = at + rnd.randint(30, 900)
            started = called + rnd.randint(10, 90)
            finished = started + rnd.randint(120, 900)
            rows += [
                (at, "issued", ticket, code, service, None, None, "kiosk-1",
                 json.dumps({"service": service, "priority": None, "language": "az",
                             "estimate_min": 5, "ahead": 3})),
                (called, "called", ticket, code, service, counter, staff, None, None),
                (started, "started", ticket, code, service, counter, staff, None, None),
                (finished, "finished", ticket, code, service, counter, staff, None,
                 json.dumps({"outcome": "served"})),
            ]
            if rnd.random() < 0.4:
                rows.append((finished + 60, "rated", ticket, code, service, counter, staff, None,
                             json.dumps({"score": rnd.randint(3, 5)})))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO events(at, kind, ticket_id, code, service, counter, staff, "
                     "source, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return len(rows)


def new_central(cluster: Cluster, name: str, centre: str) -> str:
    """A fresh central database with one centre; returns the centre's URL."""
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    admin = cluster.url(database=name)
    central_schema.init(admin, lambda _: None)
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        role = central_schema.role_for(centre)
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(f'DROP OWNED BY "{role}" CASCADE')
            conn.execute(f'DROP ROLE "{role}"')
    central_schema.add_centre(admin, centre, PASSWORD)
    return cluster.url(central_schema.role_for(centre), PASSWORD, name)


def bench_week_offline(cluster: Cluster, workdir: Path, days: int) -> dict[str, Any]:
    """A week of the busiest centre shipped at once when the link returns."""
    db_path = workdir / "week.sqlite"
    n = bulk_events(db_path, days, BUSIEST_PER_DAY)
    url = new_central(cluster, "bench_week", "ganja")
    shipper = Shipper(db_path, CentralSettings(url, "ganja"), load_config())
    started = time.perf_counter()
    sent = shipper.ship_pending()
    took = time.perf_counter() - started
    status = shipper.status(ask_central=True)
    shipper.close()
    assert sent == n and status.pending == 0, (sent, n, status)
    return {"week_offline_days": days, "week_offline_visitors": days * BUSIEST_PER_DAY,
            "week_offline_events": n, "week_offline_catch_up_s": round(took, 2),
            "ship_events_per_s": round(n / took)}


def _call_next_latencies(queue: LocalQueue, clock: FakeClock, n: int) -> list[float]:
    out = []
    counters = ("1", "2", "3", "20")
    for c in counters:
        queue.open_counter(c)
    for i in range(n):
        queue.issue("employment.job-seeker")
        clock.advance(seconds=1)
        started = time.perf_counter()
        with contextlib.suppress(NoTicketWaiting):
            queue.call_next(counters[i % len(counters)])
        out.append(time.perf_counter() - started)
    return out


def bench_call_next(cluster: Cluster, workdir: Path, calls: int, backlog_days: int,
                    rounds: int = 3) -> dict[str, Any]:
    """call_next p50/p99 without shipping and while the server's shipper (a process of its
    own) works through a backlog, in alternating rounds (the machine is shared: alternating
    spreads its noise over both)."""
    latencies: dict[str, list[float]] = {"without": [], "while_shipping": []}
    shipped_meanwhile: list[int] = []
    backlog = 0
    for n in range(rounds):
        for label in ("without", "while_shipping"):
            db_path = workdir / f"calls-{label}-{n}.sqlite"
            backlog = bulk_events(db_path, backlog_days, BUSIEST_PER_DAY, seed=2)
            clock = FakeClock(MONDAY_10AM)
            queue = LocalQueue(db_path, load_config(), clock)
            shipper = None
            if label == "while_shipping":
                url = new_central(cluster, "bench_calls", "sumgait")
                shipper = ShipperProcess(db_path, CentralSettings(url, "sumgait"),
                                         load_config(), idle_poll_s=0.05).start()
            try:
                if shipper:      # the process is up and shipping before the calls start
                    deadline = time.monotonic() + 30
                    while (shipper.status().acknowledged_id or 0) == 0 and \
                            time.monotonic() < deadline:
                        time.sleep(0.05)
                latencies[label] += _call_next_latencies(queue, clock, calls)
                if shipper:
                    shipped_meanwhile.append(shipper.status().acknowledged_id or 0)
            finally:
                if shipper:
                    shipper.stop()
                queue.close()
    out: dict[str, Any] = {}
    for label, values in latencies.items():
        out[f"call_next_{label}_p50_ms"] = ms(percentile_of(values, 0.5))
        out[f"call_next_{label}_p99_ms"] = ms(percentile_of(values, 0.99))
    out["call_next_calls_each"] = len(latencies["without"])
    out["call_next_backlog_events"] = backlog
    out["call_next_shipped_meanwhile_min"] = min(shipped_meanwhile)
    return out


SERVICE_IDS = ("employment.job-seeker", "employment.unemployment", "labour", "pensions.age",
               "benefits.child", "social-legal", "insurance", "disability")


def bulk_national_facts(cluster: Cluster, name: str, centres: int, days: int,
                        per_day: int) -> str:
    """A central database whose report facts hold `centres` centres × `days` service days ×
    `per_day` tickets (one visit each, 40 % rated), made with plain SQL (generate_series);
    returns the owner's URL."""
    from shared.config.versions import canonical

    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = cluster.url(database=name)
    central_schema.init(url, lambda _: None)
    config = load_config()
    services = [s for s in SERVICE_IDS if s in config.services] or list(config.services)[:8]
    with psycopg.connect(url, autocommit=True) as conn:
        for c in range(1, centres + 1):
            cid = f"centre-{c}"
            conn.execute("INSERT INTO novbe.centres VALUES (%s, %s)", (cid, f"bench_{c}"))
            digest, body = canonical(config)
            body = body.replace('"id":"dost-abseron"', f'"id":"{cid}"', 1)
            conn.execute("INSERT INTO novbe.config_versions VALUES (%s, %s, 1, 0, %s::jsonb)",
                         (cid, digest, body))
            conn.execute("INSERT INTO novbe.report_targets SELECT %s, id, (target * 60)::int "
                         "FROM jsonb_to_recordset(%s::jsonb) AS s(id text, target float8)",
                         (cid, json.dumps([{"id": s.id, "target": s.target_wait_min}
                                           for s in config.services.values()])))
        svc = "(ARRAY[" + ",".join(f"'{s}'" for s in services) + "])"
        cat = "(ARRAY[" + ",".join(f"'{config.services[s].category}'" for s in services) + "])"
        n = len(services)
        conn.execute(f"""
            INSERT INTO novbe.report_tickets
            SELECT 'centre-' || c, d * 10000 + i, to_char(date '2026-01-05' + d, 'YYYY-MM-DD'),
                   1767571200 + d * 86400 + i * 40, 9 + (i * 9 / {per_day}), d % 5,
                   {svc}[1 + (i * 7 + d) % {n}], {cat}[1 + (i * 7 + d) % {n}],
                   CASE WHEN i % 50 = 0 THEN 'veteran' END, 5 + i % 20, i % 15,
                   1767571200 + d * 86400 + i * 40 + w, w,
                   CASE WHEN i % 17 = 0 THEN 'no_show' ELSE 'served' END,
                   1767571200 + d * 86400 + i * 40 + w + 600, NULL, (i % 31 = 0)::int,
                   CASE WHEN i % 5 < 2 THEN 3 + i % 3 END, w - (5 + i % 20) * 60
            FROM generate_series(1, {centres}) c, generate_series(0, {days - 1}) d,
                 generate_series(1, {per_day}) i,
                 LATERAL (SELECT ((i * 7919 + d * 104729 + c * 31) % 1800)::int AS w) x""")
        conn.execute("""
            INSERT INTO novbe.report_visits
            SELECT centre_id, ticket_id, 1, service_day, service, category, priority,
                   (1 + ticket_id % 20)::text, 'staff-' || (ticket_id % 60), hour, called_at,
                   called_at + 30, ended_at, outcome, 30, 570
            FROM novbe.report_tickets""")
        conn.execute(f"""
            INSERT INTO novbe.report_counters
            SELECT 'centre-' || c, to_char(date '2026-01-05' + d, 'YYYY-MM-DD'), k::text,
                   'staff-' || k, 30000, (k * d) % 3000
            FROM generate_series(1, {centres}) c, generate_series(0, {days - 1}) d,
                 generate_series(1, 20) k""")
    from central.facts import ensure_rollups, write_rollups
    with psycopg.connect(url) as conn:
        with conn.transaction():
            ensure_rollups(conn)
        days_made = [r[0] for r in conn.execute(
            "SELECT DISTINCT service_day FROM novbe.report_tickets ORDER BY 1")]
        for c in range(1, centres + 1):
            with conn.transaction():
                write_rollups(conn, f"centre-{c}", days_made)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


def bench_national(cluster: Cluster, centres: int, days: int, per_day: int,
                   runs: int) -> dict[str, Any]:
    """p50 of a one-year national report (every table) and of the centres side by side."""
    from central.reports import central_reader, compare_centres, national_report
    from shared.reports.request import make_request

    started = time.perf_counter()
    url = bulk_national_facts(cluster, "bench_national", centres, days, per_day)
    made = time.perf_counter() - started
    reports, sides = [], []
    with central_reader(url, refresh_facts=False) as conn:
        ids = tuple(f"centre-{c}" for c in range(1, centres + 1))
        request = make_request(load_config(), "2026-01-01", "2026-12-31", "service")
        for _ in range(runs):
            t0 = time.perf_counter()
            report = national_report(conn, request, ids, "en")
            t1 = time.perf_counter()
            compare_centres(conn, request, ids, "en", together=report.summary)
            t2 = time.perf_counter()
            reports.append(t1 - t0)
            sides.append(t2 - t1)
        tickets = report.summary["issued"]
    return {"national_centres": centres, "national_tickets": tickets,
            "national_facts_and_rollups_made_s": round(made, 1),
            "national_year_report_p50_s": round(percentile_of(reports, 0.5), 3),
            "national_year_report_max_s": round(max(reports), 3),
            "national_side_by_side_p50_s": round(percentile_of(sides, 0.5), 3)}


def bench_fold(cluster: Cluster, workdir: Path, days: int) -> dict[str, Any]:
    """Folding shipped events into the central report facts (novbe central refresh)."""
    from central.facts import refresh
    from central.reports import central_reader

    db_path = workdir / "fold.sqlite"
    n = bulk_events(db_path, days, BUSIEST_PER_DAY, seed=3)
    url = new_central(cluster, "bench_fold", "shaki")
    shipper = Shipper(db_path, CentralSettings(url, "shaki"), load_config())
    shipper.record_config()
    shipper.ship_pending()
    shipper.close()
    admin = cluster.url(database="bench_fold")
    with central_reader(admin, refresh_facts=False) as conn:
        started = time.perf_counter()
        refresh(conn)
        conn.commit()
        took = time.perf_counter() - started
    return {"fold_events": n, "fold_s": round(took, 2), "fold_events_per_s": round(n / took)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    days, calls, backlog = (2, 300, 3) if args.quick else (7, 1000, 20)
    national = (7, 20, 686, 3) if args.quick else (7, 250, 686, 3)   # ≈ 1.2 M tickets
    cluster = make_cluster()
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "machine": platform.processor() or platform.machine()}
    try:
        with tempfile.TemporaryDirectory(prefix="novbe-bench-central-") as tmp:
            work = Path(tmp)
            figures.update(bench_week_offline(cluster, work, days))
            figures.update(bench_call_next(cluster, work, calls, backlog))
            figures.update(bench_fold(cluster, work, days))
            figures.update(bench_national(cluster, *national))
    finally:
        cluster.destroy()
    if args.json:
        print(json.dumps(figures))
    else:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
