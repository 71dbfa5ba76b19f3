"""History survives a restore (issue 24, item 4): a restored centre ships its new history as a
new generation, the central copy keeps the old one apart and folds the current one, and
`central status` never says "up to date" while the central copy holds rows this file cannot
account for (ids beyond its newest event, rows that differ)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from central.app import _national
from central.reports import central_reader, national_report
from novbe.cli import main
from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.request import make_request
from tests.central.activity import central_rows, file_generation, local_rows
from tests.central.conftest import CentralDb, centre_config_path
from tests.conftest import MONDAY_10AM

DAY = "2026-11-23"


def _issue(db_path: Path, config_path: Path, clock: FakeClock, n: int) -> None:
    queue = LocalQueue(db_path, load_config(config_path), clock)
    try:
        for _ in range(n):
            queue.issue("labour", language="az", source="kiosk-1")
            clock.advance(seconds=20)
    finally:
        queue.close()


def _status(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    capsys.readouterr()
    code = main([*args, "status", "--json"])
    return code, json.loads(capsys.readouterr().out)


def _nationally_issued(url: str, centre: str) -> int:
    with central_reader(url) as conn:
        config = load_config()
        report = national_report(conn, make_request(config, DAY, DAY), (centre,), "en")
        conn.commit()
    return int(report.summary["issued"])


def test_backup_20_restore_5_ships_the_new_history_apart(
        tmp_path: Path, central: CentralDb, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's scenario: 10 issued and shipped, `novbe backup`, 20 more shipped, `novbe
    restore`, 5 new: until the new history is shipped status is not "up to date"; then the
    central copy holds it whole as the current generation (15 issued nationally), the old
    history of 30 kept apart under its own generation, and `central status URL` says so."""
    url = central.add_centre("rest")
    config_path = centre_config_path(tmp_path, "rest", url)
    db_path = tmp_path / "rest.sqlite"
    clock = FakeClock(MONDAY_10AM)
    args = ["--db", str(db_path), "--config", str(config_path), "central"]
    _issue(db_path, config_path, clock, 10)
    assert main([*args, "push"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "--config", str(config_path), "backup"]) == 0
    backup = capsys.readouterr().out.strip().splitlines()[-1]
    _issue(db_path, config_path, clock, 20)
    assert main([*args, "push"]) == 0
    old = file_generation(db_path)
    assert _nationally_issued(central.admin_url, "rest") == 30

    assert main(["--db", str(db_path), "--config", str(config_path), "restore", backup]) == 0
    _issue(db_path, config_path, clock, 5)
    new = file_generation(db_path)
    assert new not in ("", old)
    code, status = _status(args, capsys)
    assert code == 1 and status["generation"] == new and status["pending"] > 0
    assert main([*args, "push"]) == 0
    code, status = _status(args, capsys)
    assert code == 0 and status["pending"] == 0 and status["differs"] == status["unplaced"] == 0
    assert central_rows(central.admin_url, "rest") == local_rows(db_path)
    with psycopg.connect(central.admin_url) as conn:
        kept = dict(conn.execute("SELECT generation, count(*) FILTER (WHERE kind = 'issued') "
                                 "FROM novbe.events WHERE centre_id = 'rest' GROUP BY 1"))
    assert kept == {old: 30, new: 15}
    assert _nationally_issued(central.admin_url, "rest") == 15
    _, _, _, as_of, incomplete = _national(central.admin_url, "en", DAY, DAY, "service", "rest")
    assert f"current history {new[:8]} (1 older kept apart)" in as_of["rest"]
    assert incomplete == {}
    capsys.readouterr()
    assert main(["central", "status", central.admin_url]) == 0
    said = capsys.readouterr().out
    assert f"rest: complete — {len(local_rows(db_path))} events of history {new}, 1 older " \
           "kept apart" in said
    assert main(["central", "drop-rows", central.admin_url, "rest", "--old-generations"]) == 0
    assert "and 1 older histories" in capsys.readouterr().out
    assert main(["central", "status", central.admin_url]) == 0
    assert f"rest: complete — {len(local_rows(db_path))} events of history {new}; " \
           in capsys.readouterr().out
    assert _nationally_issued(central.admin_url, "rest") == 15


def test_ids_the_centre_cannot_place_or_that_differ_are_alerts(
        tmp_path: Path, central: CentralDb, capsys: pytest.CaptureFixture[str]) -> None:
    """An event id 2^62 in the centre's own central rows, and a row that differs from the
    file's: shipping goes on, status says NOT up to date and names them (the owner sees them
    too) until the owner drops the id and the centre reships its history as a new generation."""
    url = central.add_centre("odd")
    config_path = centre_config_path(tmp_path, "odd", url)
    db_path = tmp_path / "odd.sqlite"
    clock = FakeClock(MONDAY_10AM)
    args = ["--db", str(db_path), "--config", str(config_path), "central"]
    _issue(db_path, config_path, clock, 5)
    assert main([*args, "push"]) == 0
    history = file_generation(db_path)
    newest = local_rows(db_path)[-1]
    with psycopg.connect(central.centre_url("odd"), autocommit=True) as pg:
        for eid in (2**62, newest[0] + 1):       # beyond; and where the next event will go
            pg.execute("INSERT INTO novbe.events (centre_id, generation, id, at, kind) "
                       "VALUES ('odd', %s, %s, %s, 'counter_opened')", (history, eid, newest[1]))
    code, status = _status(args, capsys)
    assert code == 1 and status["unplaced"] == 2 and status["pending"] == 0
    _issue(db_path, config_path, clock, 3)        # the next event id meets the crafted row
    assert main([*args, "push"]) == 0
    code, status = _status(args, capsys)
    assert code == 1 and status["unplaced"] == 1 and status["differs"] == 1
    assert status["acknowledged_id"] == local_rows(db_path)[-1][0]   # shipping went on
    assert main([*args, "status"]) == 1
    said = capsys.readouterr().out
    assert "NOT up to date: 1 events the central copy holds differ" in said
    assert "beyond the newest one here" in said
    assert main(["central", "status", central.admin_url]) == 1
    said = capsys.readouterr().out
    assert "odd: INCOMPLETE" in said and "shipping alert" in said

    assert main(["central", "drop-rows", central.admin_url, "odd", "--events",
                 f"{2**62}"]) == 0
    code, status = _status(args, capsys)
    assert code == 1 and status["unplaced"] == 0 and status["differs"] == 1
    assert main([*args, "reship"]) == 0
    code, status = _status(args, capsys)
    assert code == 0 and status["generation"] not in ("", history)
    assert central_rows(central.admin_url, "odd") == local_rows(db_path)
