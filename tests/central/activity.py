"""A centre's day driven through the real LocalQueue and a fake clock: visitors issued for a
few services, called at counters, served or not, some rating their visit; and the comparison
of a centre's own event log with its central copy."""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.errors import CentreClosed, NoTicketWaiting
from shared.core.local_queue import LocalQueue

SERVICES = ("employment.job-seeker", "labour", "pensions.age", "social-legal")
COUNTERS = ("3", "4", "15", "20")
COLUMNS = "id, at, kind, ticket_id, code, service, counter, staff, source, details"


def visits(queue: LocalQueue, clock: FakeClock, n: int, seed: int = 1) -> int:
    """n visitors through the queue, a few seconds of fake time apart; returns how many got a
    ticket (the centre closes at 18:00)."""
    rnd = random.Random(seed)
    for counter in COUNTERS:
        queue.open_counter(counter, staff=f"staff-{counter}")
    issued = 0
    for _ in range(n):
        try:
            queue.issue(rnd.choice(SERVICES), language=rnd.choice(("az", "ru")),
                                 source="kiosk-1")
        except CentreClosed:
            break
        issued += 1
        clock.advance(seconds=rnd.randint(5, 40))
        counter = rnd.choice(COUNTERS)
        try:
            queue.call_next(counter)
        except NoTicketWaiting:
            continue
        clock.advance(seconds=rnd.randint(5, 30))
        if rnd.random() < 0.1:
            queue.no_show(counter)
            continue
        queue.start(counter)
        clock.advance(seconds=rnd.randint(60, 300))
        done = queue.finish(counter)
        if rnd.random() < 0.4:
            queue.rate(done.token, rnd.randint(3, 5))
    return issued


def next_morning(clock: FakeClock, days: int = 1) -> None:
    """Move the fake clock to 09:05 (Baku) `days` working days later."""
    now = clock.now() + timedelta(days=days)
    while now.astimezone(clock_tz()).weekday() >= 5:
        now += timedelta(days=1)
    local = now.astimezone(clock_tz()).replace(hour=9, minute=5, second=0, microsecond=0)
    clock.set(local)


def clock_tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Baku")


def local_rows(db_path: Path) -> list[tuple[Any, ...]]:
    """The centre's own event log, row for row."""
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute(f"SELECT {COLUMNS} FROM events ORDER BY id").fetchall()
    finally:
        conn.close()


def file_generation(db_path: Path) -> str:
    """The queue file's current generation (shared/store/identity.py)."""
    from shared.store import identity

    conn = sqlite3.connect(str(db_path))
    try:
        return identity.generation(conn)
    finally:
        conn.close()


def central_rows(admin_url: str, centre_id: str) -> list[tuple[Any, ...]]:
    """The central copy of one centre's event log (its current history), row for row."""
    with psycopg.connect(admin_url) as conn:
        return [tuple(r) for r in conn.execute(
            f"SELECT {COLUMNS} FROM novbe.events WHERE centre_id = %s AND generation = "
            "(SELECT generation FROM novbe.generations WHERE centre_id = %s "
            "ORDER BY announced_at DESC LIMIT 1) ORDER BY id", (centre_id, centre_id))]


CENTRES = ("nord", "sud")


def two_busy_centres(tmp_path: Path, central: Any) -> tuple[dict[str, Any], float]:
    """Two centres, two days of visitors each, shipped: {centre: (config, queue file)} and
    the fake clock's final instant."""
    from server.shipping.shipper import Shipper
    from tests.central.conftest import centre_config_path
    from tests.conftest import MONDAY_10AM

    out: dict[str, Any] = {}
    clock = FakeClock(MONDAY_10AM)
    for n, cid in enumerate(CENTRES):
        url = central.add_centre(cid)
        config = load_config(centre_config_path(tmp_path, cid, url))
        db_path = tmp_path / f"{cid}.sqlite"
        queue = LocalQueue(db_path, config, clock)
        clock.set(MONDAY_10AM)
        visits(queue, clock, 70 + 30 * n, seed=20 + n)
        next_morning(clock)
        visits(queue, clock, 90 - 20 * n, seed=30 + n)
        queue.close()
        assert config.central is not None
        shipper = Shipper(db_path, config.central, config)
        shipper.record_config()
        shipper.ship_pending()
        shipper.close()
        out[cid] = (config, db_path)
    return out, clock.now().timestamp()
