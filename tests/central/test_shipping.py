"""Shipping centres' event logs to a real PostgreSQL: concurrency, outages, duplicates, a week
offline, and after each the central copy equal to the centres' own logs, row for row."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import httpx
import psycopg
import pytest

from central import schema as central_schema
from server.app import run_server_in_thread
from server.shipping.batches import ship_batch
from server.shipping.shipper import Shipper
from server.shipping.status_api import central_line
from shared.config.central import CentralSettings
from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.central.activity import (
    central_rows,
    file_generation,
    local_rows,
    next_morning,
    visits,
)
from tests.central.conftest import CentralDb, centre_config_path
from tests.conftest import MONDAY_10AM
from tests.server.live import STAFF, StaffClient, add_account


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    """Poll a condition (the shipper works in its own thread) until it holds or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def caught_up(shipper: Shipper) -> Callable[[], bool]:
    def check() -> bool:
        status = shipper.status()
        return status.pending == 0 and status.acknowledged_id == status.local_last_id
    return check


def centre(tmp_path: Path, central: CentralDb, centre_id: str, url: str | None = None,
           clock: FakeClock | None = None) -> tuple[LocalQueue, FakeClock, Path]:
    url = url or central.add_centre(centre_id)
    config = load_config(centre_config_path(tmp_path, centre_id, url))
    clock = clock or FakeClock(MONDAY_10AM)
    db_path = tmp_path / f"{centre_id}.sqlite"
    return LocalQueue(db_path, config, clock), clock, db_path


def test_two_centres_ship_at_once_through_their_servers(tmp_path: Path, central: CentralDb) -> None:
    """Two centres' servers, busy at the same time, each ship their own log in the background;
    the central copy equals each log, and the status API and the manager's view say caught up."""
    servers, queues = [], []
    for cid in ("north", "south"):
        queue, clock, db_path = centre(tmp_path, central, cid)
        from server.auth.accounts import Accounts
        accounts = Accounts(db_path)
        add_account(accounts, "aysel", STAFF["aysel"])
        add_account(accounts, "boss", "boss-password-1", "manager")
        servers.append(run_server_in_thread(queue, queue.config, accounts=accounts, clock=clock))
        queues.append((queue, clock, db_path))
    try:
        workers = [threading.Thread(target=visits, args=(q, c, 120, i))
                   for i, (q, c, _) in enumerate(queues)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        for handle in servers:
            shipper = handle.app.state.shipper
            assert shipper is not None and shipper.centre_id in ("north", "south")
            shipper.push()
            wait_until(caught_up(shipper), what=f"{shipper.centre_id} caught up")
        with StaffClient(servers[0].url) as staff:
            staff.sign_in("aysel", STAFF["aysel"])
            lag = staff.get("/api/central/status").json()
        assert lag["shipping"] is True and lag["pending"] == 0 and lag["lag_seconds"] == 0
        assert lag["acknowledged_id"] == lag["local_last_id"] > 300
        assert httpx.get(servers[0].url + "/api/central/status").status_code == 401
        with httpx.Client(base_url=servers[1].url) as manager:
            manager.post("/manager/login", data={"username": "boss",
                                                 "password": "boss-password-1"})
            page = manager.get("/manager?lang=en").text
            live = manager.get("/manager/live.json?lang=en").json()
        assert '<p class="live-line" id="central-copy">Central copy: Up to date; national ' \
            'bookings pulled' in page                  # the shipped config takes bookings
        assert live["central"].startswith("Central copy: Up to date; national bookings pulled")
    finally:
        for handle in servers:
            handle.stop()
    for (queue, _, db_path), cid in zip(queues, ("north", "south"), strict=True):
        queue.close()
        assert central_rows(central.admin_url, cid) == local_rows(db_path)
    with central.admin() as conn:
        versions = conn.execute("SELECT centre_id, body->'centre'->>'id', "
                                "jsonb_array_length(body->'services') "
                                "FROM novbe.config_versions ORDER BY 1").fetchall()
    assert [(c, i) for c, i, _ in versions] == [("north", "north"), ("south", "south")]
    assert all(n == len(queues[0][0].config.services) for *_, n in versions)


def _blocked_in_insert(conn: psycopg.Connection, centre_id: str) -> bool:
    row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                       "AND wait_event_type = 'Lock'", (f"novbe-shipper-{centre_id}",)).fetchone()
    return bool(row and row[0])


def test_postgres_stopped_in_the_middle_of_a_batch(tmp_path: Path, central: CentralDb) -> None:
    """PostgreSQL dies while a batch is half-way in (its INSERT blocked on a lock): the queue
    works on, the shipper retries with back-off, and after the restart nothing is missing
    and nothing doubled."""
    queue, clock, db_path = centre(tmp_path, central, "east")
    visits(queue, clock, 150, seed=3)
    shipper = Shipper(db_path, queue.config.central, queue.config, batch_size=200,
                      backoff_max_s=0.5, idle_poll_s=0.05)
    blocker = central.admin()
    blocker.autocommit = False
    blocker.execute("LOCK TABLE novbe.events IN EXCLUSIVE MODE")   # the batch's INSERT waits
    shipper.start()
    try:
        with central.admin() as watcher:
            wait_until(lambda: _blocked_in_insert(watcher, "east"), what="shipper mid-batch")
        central.cluster.stop("immediate")          # a crash, the batch's transaction open
        blocker.close()
        visits(queue, clock, 30, seed=4)           # the centre keeps working meanwhile
        wait_until(lambda: shipper.status().reachable is False, what="the failure seen")
        assert shipper.status().pending == len(local_rows(db_path))
        line = central_line(SimpleNamespace(shipper=shipper), "az") or ""
        assert f"{len(local_rows(db_path))} hadisə hələ göndərilməyib" in line
        assert "Mərkəzi verilənlər bazası əlçatan deyil" in line
        central.cluster.start()
        shipper.push()
        wait_until(caught_up(shipper), what="catch-up after the restart")
    finally:
        shipper.stop()
        if not central.cluster._running:
            central.cluster.start()
    queue.close()
    assert central_rows(central.admin_url, "east") == local_rows(db_path)


def test_the_same_batch_delivered_twice_changes_nothing(tmp_path: Path, central: CentralDb) -> None:
    """A batch sent again (its acknowledgement lost), and two shippers of the same centre at
    once, leave exactly one copy of each event."""
    queue, clock, db_path = centre(tmp_path, central, "west")
    visits(queue, clock, 60, seed=5)
    rows = local_rows(db_path)
    history = file_generation(db_path)
    with psycopg.connect(central.centre_url("west")) as pg:
        ship_batch(pg, "west", history, rows[:100], [])
        ship_batch(pg, "west", history, rows[:100], [])      # delivered twice
        ship_batch(pg, "west", history, rows[50:150], [])    # overlapping
    assert central_rows(central.admin_url, "west") == rows[:150]
    visits(queue, clock, 60, seed=6)
    settings = queue.config.central
    assert settings is not None
    twins = [Shipper(db_path, settings, queue.config, batch_size=37) for _ in range(2)]
    workers = [threading.Thread(target=s.ship_pending) for s in twins]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for s in twins:
        s.close()
    queue.close()
    assert central_rows(central.admin_url, "west") == local_rows(db_path)


def test_a_week_offline_then_catching_up(tmp_path: Path, central: CentralDb) -> None:
    """A centre cut off from the central database for a week works on; `novbe central status`
    says it is unreachable and how much waits; once the link is back `novbe central push`
    ships the whole week."""
    from novbe.cli import main

    url = central.add_centre("tovuz")
    config_path = centre_config_path(tmp_path, "tovuz", url)
    queue, clock, db_path = centre(tmp_path, central, "tovuz", url=url)
    visits(queue, clock, 40, seed=7)
    args = ["--db", str(db_path), "--config", str(config_path), "central"]
    assert main([*args, "push"]) == 0
    shipped_before = len(local_rows(db_path))
    central.cluster.stop()                            # the wide-area link goes down
    try:
        for day in range(5):
            next_morning(clock)
            visits(queue, clock, 60, seed=10 + day)
        queue.close()
        week = len(local_rows(db_path)) - shipped_before
        assert week > 500
        assert main([*args, "status", "--json"]) == 1
        assert main([*args, "push"]) == 2             # a clear failure, nothing lost
    finally:
        central.cluster.start()
    assert main([*args, "push"]) == 0
    assert main([*args, "status"]) == 0
    assert central_rows(central.admin_url, "tovuz") == local_rows(db_path)


def test_status_json_while_offline(tmp_path: Path, central: CentralDb,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """While the central database is down, status names the events waiting (from the last
    acknowledgement this machine saw) and the age of the oldest."""
    import json

    from novbe.cli import main

    url = central.add_centre("gusar")
    config_path = centre_config_path(tmp_path, "gusar", url)
    queue, clock, db_path = centre(tmp_path, central, "gusar", url=url)
    visits(queue, clock, 20, seed=1)
    args = ["--db", str(db_path), "--config", str(config_path), "central"]
    assert main([*args, "push"]) == 0
    acknowledged = len(local_rows(db_path))
    visits(queue, clock, 10, seed=2)
    queue.close()
    capsys.readouterr()
    central.cluster.stop()
    try:
        assert main([*args, "status", "--json"]) == 1
    finally:
        central.cluster.start()
    status = json.loads(capsys.readouterr().out)
    assert status["reachable"] is False and status["known_from"] == "last-known"
    assert status["acknowledged_id"] == local_rows(db_path)[acknowledged - 1][0]
    assert status["pending"] == len(local_rows(db_path)) - acknowledged > 0
    assert status["oldest_pending_at"] == local_rows(db_path)[acknowledged][1]


def test_a_centre_cannot_touch_another_centres_rows(tmp_path: Path, central: CentralDb) -> None:
    """With centre A's credentials, adding, reading, changing or deleting centre B's rows is
    refused by PostgreSQL itself; A cannot change its own rows either; a reader reads all and
    writes nothing."""
    from server.shipping.batches import CentralRefused

    qa, ca, path_a = centre(tmp_path, central, "alpha")
    qb, cb, path_b = centre(tmp_path, central, "beta")
    visits(qa, ca, 20, seed=1)
    visits(qb, cb, 20, seed=2)
    for q, path in ((qa, path_a), (qb, path_b)):
        assert q.config.central is not None
        Shipper(path, q.config.central, q.config).ship_pending()
        q.close()
    rows_a = local_rows(path_a)
    with psycopg.connect(central.centre_url("alpha")) as pg:
        with pytest.raises(CentralRefused, match="row-level security"):
            ship_batch(pg, "beta", "", [(10_000, *rows_a[0][1:])], [])
        pg.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            pg.execute("INSERT INTO novbe.config_versions VALUES ('beta', 'x', 1, 0, '{}')")
        pg.rollback()
        assert pg.execute("SELECT count(*) FROM novbe.events WHERE centre_id = 'beta'"
                          ).fetchone() == (0,)
        assert pg.execute("SELECT DISTINCT centre_id FROM novbe.events").fetchall() == [("alpha",)]
        for statement in ("UPDATE novbe.events SET kind = 'x' WHERE centre_id = 'beta'",
                          "UPDATE novbe.events SET kind = 'x' WHERE centre_id = 'alpha'",
                          "DELETE FROM novbe.events",
                          "TRUNCATE novbe.events",
                          "INSERT INTO novbe.centres VALUES ('gamma', 'x')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                pg.execute(statement)
            pg.rollback()
    central_schema.add_reader(central.admin_url, "national_reports", "reader-password-01")
    reader_url = central.cluster.url("national_reports", "reader-password-01", central.name)
    with psycopg.connect(reader_url) as pg:
        assert sorted(r[0] for r in pg.execute("SELECT DISTINCT centre_id FROM novbe.events")) \
            == ["alpha", "beta"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            pg.execute("INSERT INTO novbe.events(centre_id, id, at, kind) "
                       "VALUES ('alpha', 99999, 0, 'x')")
    with psycopg.connect(central.admin_url) as pg:
        pg.execute("DROP OWNED BY national_reports")
        pg.execute("DROP ROLE national_reports")
    assert central_rows(central.admin_url, "alpha") == rows_a
    assert central_rows(central.admin_url, "beta") == local_rows(path_b)


def test_a_centre_that_is_not_registered_is_refused(tmp_path: Path, central: CentralDb) -> None:
    """A config naming a centre id its login does not own gets a clear refusal, not a copy
    filed under another centre."""
    from server.shipping.batches import CentralRefused

    url = central.add_centre("real")
    queue, clock, db_path = centre(tmp_path, central, "real", url=url)
    visits(queue, clock, 5)
    queue.close()
    wrong = CentralSettings(url=url, centre_id="pretender")
    with pytest.raises(CentralRefused, match="pretender"):
        Shipper(db_path, wrong).ship_pending()
    assert central_rows(central.admin_url, "pretender") == []


def test_the_central_line_is_left_out_when_it_cannot_be_read() -> None:
    """A shipper whose status cannot be read (the queue file busy or gone) leaves the manager's
    view without the central line instead of failing it."""
    class Broken:
        def status(self) -> None:
            raise sqlite3.OperationalError("unable to open database file")
    assert central_line(SimpleNamespace(shipper=Broken()), "en") is None


def test_the_central_line_says_not_up_to_date_while_rows_differ() -> None:
    """Nothing pending but rows held centrally that differ or cannot be placed: the manager's
    line says "not up to date" (in az too), never "up to date"."""
    from server.shipping.shipper import ShippingStatus

    status = ShippingStatus("c", 40, 40, 0, None, True, None, None, "shipper", "ab", 1, 1)
    state = SimpleNamespace(shipper=SimpleNamespace(status=lambda: status))
    assert "Not up to date: 2 events" in (central_line(state, "en") or "")
    assert "Aktual deyil" in (central_line(state, "az") or "")
    fine = SimpleNamespace(shipper=SimpleNamespace(status=lambda: ShippingStatus(
        "c", 40, 40, 0, None, True, None, None, "shipper")))
    assert (central_line(fine, "en") or "").endswith("Up to date")
