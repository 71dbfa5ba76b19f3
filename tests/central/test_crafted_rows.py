"""One centre's login inserting crafted rows (row-level security lets it add its own): the
database refuses what it can, the fold sets the rest aside with a reason, that centre is marked
incomplete, and every other centre refreshes and reports as before — on the command line and
on the national page (real uvicorn, httpx)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from central.facts import refresh
from central.reports import central_reader, national_report
from novbe.cli import main
from server.auth.accounts import Accounts
from server.shipping.shipper import Shipper
from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.request import make_request
from tests.central.activity import file_generation, visits
from tests.central.conftest import CentralDb, centre_config_path
from tests.conftest import MONDAY_10AM
from tests.e2e.test_central_page import national_server
from tests.server.live import add_account

DAY = "2026-11-23"
AGENCY = ("ministry", "agency-password-1")
INSERT = ("INSERT INTO novbe.events (centre_id, generation, id, at, kind, ticket_id, service, "
          "details) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")


def _shipped_centre(tmp_path: Path, central: CentralDb, centre_id: str, seed: int) -> Path:
    url = central.add_centre(centre_id)
    config = load_config(centre_config_path(tmp_path, centre_id, url))
    db_path = tmp_path / f"{centre_id}.sqlite"
    clock = FakeClock(MONDAY_10AM)
    queue = LocalQueue(db_path, config, clock)
    visits(queue, clock, 25, seed=seed)
    queue.close()
    assert config.central is not None
    shipper = Shipper(db_path, config.central, config)
    shipper.record_config()
    shipper.ship_pending()
    shipper.close()
    return db_path


def _summary(url: str, centre: str) -> dict[str, Any]:
    with central_reader(url, refresh_facts=False) as conn:
        config = load_config()
        report = national_report(conn, make_request(config, DAY, DAY), (centre,), "en")
    return {k: v for k, v in report.summary.items() if k not in ("label", "key")}


def _one(db_path: Path, sql: str) -> Any:
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute(sql).fetchone()
    finally:
        conn.close()


def test_the_database_refuses_nonsense_from_a_centres_login(tmp_path: Path,
                                                            central: CentralDb) -> None:
    """NaN, ±Infinity and 1e300 times, non-JSON details, a nonsense kind, a config body that is
    not an object, and a shipped_at of its own choosing are refused by PostgreSQL itself."""
    db_path = _shipped_centre(tmp_path, central, "sud", 2)
    history = file_generation(db_path)
    bad: list[tuple[Any, ...]] = [
        (900, float("nan"), "called", 1, None, None),
        (901, float("inf"), "called", 1, None, None),
        (902, float("-inf"), "called", 1, None, None),
        (903, 1e300, "called", 1, None, None),
        (904, 1795413600.0, "called", 1, None, "not json {"),
        (905, 1795413600.0, "called", 1, None, "[1, 2]"),
        (906, 1795413600.0, "DROP TABLE", None, None, None),
        (-5, 1795413600.0, "called", 1, None, None),
    ]
    with psycopg.connect(central.centre_url("sud"), autocommit=True) as pg:
        for row in bad:
            with pytest.raises(psycopg.errors.CheckViolation):
                pg.execute(INSERT, ("sud", history, *row))
        with pytest.raises(psycopg.errors.CheckViolation):
            pg.execute("INSERT INTO novbe.config_versions (centre_id, generation, hash, "
                       "from_event_id, recorded_at, body) VALUES ('sud', %s, 'x', 1, "
                       "1795413600, '[]')", (history,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            pg.execute("INSERT INTO novbe.events (centre_id, generation, id, at, kind, "
                       "shipped_at) VALUES ('sud', %s, 907, 1795413600, 'called', "
                       "'2099-01-01')", (history,))


def _craft(central: CentralDb, db_path: Path) -> int:
    """Rows the database takes (or took before c003) that no real centre writes: returns how
    many events were crafted."""
    history = file_generation(db_path)
    base = float(_one(db_path, "SELECT max(at) FROM events")[0])
    finished = _one(db_path, "SELECT ticket_id, at FROM events WHERE kind = 'finished' "
                             "ORDER BY id LIMIT 1")
    issued = int(_one(db_path, "SELECT ticket_id FROM events WHERE kind = 'issued' LIMIT 1")[0])
    body = json.loads(_one(db_path, "SELECT body FROM config_versions")[0])
    with central.admin() as owner:      # as in a database migrated before c003 (NOT VALID)
        owner.execute("ALTER TABLE novbe.events DROP CONSTRAINT events_at_sane, "
                      "DROP CONSTRAINT events_details_json")
    rows: list[tuple[Any, ...]] = [
        (10_001, base - 1e8, "issued", 900_001, "labour", None),          # plausible, 2023
        (10_002, base, "called", 900_001, "labour", None),                # a wait of 10^8 s
        (10_003, finished[1] + 60, "rated", finished[0], None, '{"score": 1000}'),
        (10_004, finished[1] + 61, "rated", finished[0], None, '{"score": -1000}'),
        (10_005, base, "issued", 900_002, "astrology", None),             # unknown service
        (10_006, base, "issued", issued, "labour", None),                 # a duplicate issue
        (10_007, float("nan"), "called", 900_001, None, None),
        (10_008, float("inf"), "counter_opened", None, None, None),
        (10_009, 1e300, "counter_opened", None, None, None),
        (10_010, base, "finished", issued, None, "<<not json>>"),
    ]
    bad_zone = {**body, "centre": {**body["centre"], "timezone": "Mars/Olympus_Mons"}}
    with psycopg.connect(central.centre_url("sud"), autocommit=True) as pg:
        for row in rows:
            pg.execute(INSERT, ("sud", history, *row))
        for n, version in enumerate((bad_zone, {"centre": {"id": "sud"}})):
            pg.execute("INSERT INTO novbe.config_versions (centre_id, generation, hash, "
                       "from_event_id, recorded_at, body) VALUES ('sud', %s, %s, %s, %s, %s)",
                       (history, f"crafted{n}", 20_000 + n, base, json.dumps(version)))
    return len(rows)


def _a_centre_with_no_usable_config(central: CentralDb) -> None:
    """Centre `aaa` (refreshed first): events, and only a config version that does not parse."""
    central.add_centre("aaa")
    with psycopg.connect(central.centre_url("aaa"), autocommit=True) as pg:
        pg.execute("INSERT INTO novbe.generations (centre_id, generation) VALUES ('aaa', 'ab')")
        pg.execute(INSERT, ("aaa", "ab", 1, 1795413600.0, "counter_opened", None, None, None))
        pg.execute("INSERT INTO novbe.config_versions (centre_id, generation, hash, "
                   "from_event_id, recorded_at, body) VALUES ('aaa', 'ab', 'h', 1, 1795413600, "
                   "'{\"centre\": {\"id\": \"aaa\", \"timezone\": \"Nowhere/At_All\"}}')")


def test_crafted_rows_are_set_aside_and_other_centres_report_as_before(
        tmp_path: Path, central: CentralDb, capsys: pytest.CaptureFixture[str]) -> None:
    """A wait of 10^8 s, ratings of ±1000, an unknown service, a duplicate issue, NaN/Infinity/
    1e300 times, non-JSON details and config versions with a bad time zone or missing keys:
    refresh goes on for every centre (a centre with no usable config fails alone), nord's
    figures do not move, sud's count only its real rows and are marked incomplete — in
    `central refresh`, `central status URL`, the CLI report and the national page — until the
    owner drops the rows."""
    _shipped_centre(tmp_path, central, "nord", 1)
    sud = _shipped_centre(tmp_path, central, "sud", 2)
    with central_reader(central.admin_url) as conn:
        conn.commit()
    before = {c: _summary(central.admin_url, c) for c in ("nord", "sud")}
    crafted = _craft(central, sud)
    _a_centre_with_no_usable_config(central)

    with central_reader(central.admin_url, refresh_facts=False) as conn:
        done = refresh(conn)
        conn.commit()
    assert done["aaa"].problem is not None and "no usable config" in done["aaa"].problem
    assert done["nord"].problem is None and done["sud"].problem is None
    assert done["sud"].set_aside == crafted - 1 + 2     # all but the 2023 issue; 2 configs
    assert _summary(central.admin_url, "nord") == before["nord"]
    after = _summary(central.admin_url, "sud")
    assert after == before["sud"]
    assert after["rating_mean"] is None or 1 <= after["rating_mean"] <= 5

    assert main(["central", "status", central.admin_url]) == 1
    out = capsys.readouterr().out
    assert "nord: complete" in out and "sud: INCOMPLETE" in out and "aaa: INCOMPLETE" in out
    first = int(_one(sud, "SELECT ticket_id FROM events WHERE kind = 'issued'")[0])
    for reason in ("after ticket 900001 was issued", "rating 1000", "rating -1000",
                   "unknown service 'astrology'", f"ticket {first} issued again",
                   "not a finite number", "not between 2000 and 2100",
                   "details are not JSON", "unknown time zone", "missing key"):
        assert reason in out, reason

    assert main(["report", "--central", central.admin_url, "--centres", "all", "--from", DAY,
                 "--to", DAY, "--format", "json", "--lang", "en"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "incomplete figures" in report["centre"] and "Sud" in report["centre"]

    accounts = Accounts(tmp_path / "agency.sqlite")
    add_account(accounts, *AGENCY, "manager")
    with national_server(central.admin_url, accounts) as base, \
            httpx.Client(base_url=base, headers={"Origin": base}) as web:
        assert web.post("/login", data={"username": AGENCY[0], "password": AGENCY[1]},
                        follow_redirects=False).status_code == 303
        page = web.get("/national", params={"from": DAY, "to": DAY, "lang": "en"})
        assert page.status_code == 200
        assert 'id="incomplete"' in page.text and "rows set aside" in page.text
        data = web.get("/national.json", params={"from": DAY, "to": DAY}).json()
        assert set(data["incomplete"]) == {"aaa", "sud"}
        rows = {r["key"]: r for r in data["centres"]}
        assert rows["nord"]["issued"] == before["nord"]["issued"]

    assert main(["central", "drop-rows", central.admin_url, "sud", "--set-aside"]) == 0
    assert f"dropped {crafted - 1} events, 2 config versions" in capsys.readouterr().out
    with central_reader(central.admin_url) as conn:
        conn.commit()
    assert main(["central", "status", central.admin_url, "--json"]) == 1
    health = {h["centre_id"]: h for h in json.loads(capsys.readouterr().out)}
    assert health["sud"]["complete"] and health["nord"]["complete"]
    assert not health["aaa"]["complete"]
    assert _summary(central.admin_url, "sud") == before["sud"]
