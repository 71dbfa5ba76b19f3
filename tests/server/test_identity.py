"""Counter device tokens name the counters they may act for, and the staff name in an event
comes from the signed-in identity — never from the request body."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from novbe.cli import main
from server.auth.accounts import Accounts
from tests.server.live import LiveServer

JOB = "employment.job-seeker"


def test_staff_cannot_write_another_name_into_events(server: LiveServer):
    """A signed-in staff member sending {"staff": "rauf"} is refused; without it the event
    carries their own name."""
    server.queue.issue(JOB)
    staff = server.staff_client("aysel", counter="1")
    forged = staff.api("POST", "/api/counters/1/next", json={"staff": "rauf"})
    assert forged.status_code == 403, forged.text
    assert "signed in as aysel" in forged.json()["message"]
    assert staff.api("POST", "/api/counters/1/next").status_code == 200
    called = [e for e in server.queue.events() if e.kind == "called"]
    assert [e.staff for e in called] == ["aysel"]
    staff.close()


def test_a_device_cannot_name_the_staff(server: LiveServer):
    """A counter device's request naming a staff member is refused (403): nobody signed in."""
    server.queue.issue(JOB)
    with server.device_client("counter") as pc:
        for action in ("open", "next"):
            response = pc.post(f"/api/counters/1/{action}", json={"staff": "aysel"})
            assert response.status_code == 403, response.text
    assert not [e for e in server.queue.events() if e.staff == "aysel"]


def test_a_counter_token_acts_only_for_its_counters(server: LiveServer):
    """A token made for counters 3 and 4 calls at 3, and is refused at 5 with a message
    naming the counters it has."""
    server.queue.issue(JOB)
    token = server.accounts.add_device("window-3", role="counter", counters=["3", "4"])
    with httpx.Client(base_url=server.url, timeout=10,
                      headers={"Authorization": f"Bearer {token}"}) as pc:
        assert pc.post("/api/counters/3/open").status_code == 200
        refused = pc.post("/api/counters/5/open")
        assert refused.status_code == 403
        assert "3, 4" in refused.json()["message"] and "not 5" in refused.json()["message"]
        assert pc.post("/api/counters/5/next").status_code == 403
        server.accounts.set_device_counters("window-3", ["5"])
        assert pc.post("/api/counters/3/next").status_code == 403
        assert pc.post("/api/counters/5/open").status_code == 200


def cli(db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
        *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["--db", str(db_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_sets_a_counter_devices_counters(db_path: Path, monkeypatch, capsys):
    """`novbe device add --role counter --counters 3,4` and `novbe device counters` set what a
    counter token may act for; a counter device without counters or with an unknown one is
    refused with a message."""
    code, _, err = cli(db_path, monkeypatch, capsys, "device", "add", "pc", "--role", "counter")
    assert code == 2 and "--counters" in err
    code, _, err = cli(db_path, monkeypatch, capsys, "device", "add", "pc", "--role", "counter",
                       "--counters", "3,99")
    assert code != 0 and "99" in err
    assert cli(db_path, monkeypatch, capsys, "device", "add", "pc", "--role", "counter",
               "--counters", "3,4")[0] == 0
    assert cli(db_path, monkeypatch, capsys, "device", "counters", "pc", "5")[0] == 0
    code, out, _ = cli(db_path, monkeypatch, capsys, "device", "list")
    assert code == 0 and "pc\tcounter\tcounters 5" in out
    accounts = Accounts(db_path)
    assert accounts.device_counters() == {"pc": ["5"]}
    accounts.close()
    code, _, err = cli(db_path, monkeypatch, capsys, "device", "counters", "nobody", "1")
    assert code == 2 and "nobody" in err
