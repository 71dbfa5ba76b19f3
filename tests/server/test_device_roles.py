"""Device tokens are scoped by role: kiosks issue and report, boards only read, counter devices
act for counters; the kiosk's staff PIN goes to kiosks only."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from server.auth.accounts import AccountError, Accounts
from tests.server.live import LiveServer

JOB = "employment.job-seeker"
READS = ("/api/config", "/api/snapshot", "/api/waiting", "/api/events", "/api/events/last",
         "/api/counters/3")
COUNTER_OPS = ("open", "next", "recall", "start", "finish", "no-show", "pause", "close")


def test_each_role_may_read(server: LiveServer):
    """Kiosk, board and counter tokens all read config, snapshot, events, waiting, counters."""
    for role in ("kiosk", "board", "counter"):
        with server.device_client(role) as device:
            for path in READS:
                assert device.get(path).status_code == 200, (role, path)


def test_a_board_only_reads(server: LiveServer):
    """A board token can neither issue, cancel, report, nor act for any counter."""
    server.queue.issue(JOB)
    with server.device_client("board") as board:
        assert board.post("/api/tickets", json={"service": JOB}).status_code == 403
        assert board.post("/api/tickets/A-001/cancel").status_code == 403
        assert board.post("/api/devices/report",
                          json={"source": "b", "kind": "printed"}).status_code == 403
        for op in COUNTER_OPS:
            assert board.post(f"/api/counters/1/{op}").status_code == 403, op
        assert board.post("/api/counters/1/call", json={"ticket": "A-001"}).status_code == 403
        assert board.post("/api/counters/1/transfer", json={"service": JOB}).status_code == 403
    assert server.queue.counter_state("1").mode == "closed"
    assert server.queue.ticket("A-001").status == "waiting"


def test_a_kiosk_issues_but_does_not_act_for_counters(server: LiveServer):
    """A kiosk token issues, cancels and reports its printer, but cannot open, close or call
    at a counter."""
    server.queue.open_counter("5")
    with server.device_client("kiosk") as kiosk:
        assert kiosk.post("/api/tickets", json={"service": JOB}).status_code == 200
        assert kiosk.post("/api/devices/report",
                          json={"source": "k", "kind": "printed"}).status_code == 200
        for op in COUNTER_OPS:
            response = kiosk.post(f"/api/counters/5/{op}")
            assert response.status_code == 403 and "kiosk" in response.json()["message"], op
        assert kiosk.post("/api/tickets/A-001/cancel").status_code == 200
    assert server.queue.counter_state("5").mode == "open"


def test_a_counter_device_acts_for_counters_but_does_not_issue(server: LiveServer):
    """A counter token opens a counter and calls, but cannot issue or report printers."""
    server.queue.issue(JOB)
    with server.device_client("counter") as counter:
        assert counter.post("/api/tickets", json={"service": JOB}).status_code == 403
        assert counter.post("/api/devices/report",
                            json={"source": "c", "kind": "printed"}).status_code == 403
        assert counter.post("/api/counters/1/open").status_code == 200
        assert counter.post("/api/counters/1/next").json()["code"] == "A-001"
    assert server.queue.counter_state("1").mode == "open"


def test_staff_pin_only_for_kiosk_tokens(server: LiveServer):
    """/api/config carries kiosk.staff_pin for kiosk tokens, not for boards, counters or staff."""
    pin = server.queue.config.kiosk.staff_pin
    with server.device_client("kiosk") as kiosk:
        assert kiosk.get("/api/config").json()["kiosk"]["staff_pin"] == pin
    for role in ("board", "counter"):
        with server.device_client(role) as device:
            config = device.get("/api/config").json()
            assert "staff_pin" not in config["kiosk"], role
    staff = server.staff_client("aysel")
    assert "staff_pin" not in staff.get("/api/config").json()["kiosk"]


def test_tokens_made_before_roles_are_kiosk_tokens(tmp_path: Path):
    """Migration m003 gives device tokens added before roles existed the kiosk role."""
    from shared.store import database as store

    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)              # the schema of m001 + m002
    store.migrations.apply(sqlite_utils.Database(old),
                           stop_before="m003_device_roles_and_issue_requests")
    old.execute("INSERT INTO device_tokens(name, token_hash, created_at) VALUES (?, ?, 0)",
                ("old-kiosk", hashlib.sha256(b"old-token-1234").hexdigest()))
    old.commit()
    old.close()
    accounts = Accounts(path)                # migrates
    assert accounts.device("old-token-1234") == ("old-kiosk", "kiosk")
    assert accounts.device_roles() == {"old-kiosk": "kiosk"}
    with pytest.raises(AccountError):
        accounts.add_device("x", role="admin")
    accounts.close()


def test_a_remote_boards_silent_alert_reaches_a_console(server: LiveServer):
    """A board on another PC that cannot be heard reports it with its own token, and the
    counter console (a staff member signed in over HTTP) shows the alert; heard again, it goes."""
    from shared.client.remote_queue import RemoteQueue

    with RemoteQueue(server.url, server.board_token) as board:
        board.report_device("board-hall", "board_silent", "no audio output device")
        staff = server.staff_client("aysel", counter="3")
        [alert] = staff.get("/counter/state?lang=en").json()["alerts"]
        assert (alert["source"], alert["kind"]) == ("board-hall", "board_silent")
        assert "silent" in alert["text"] and "hall" in alert["text"]
        board.report_device("board-hall", "board_ok")
        assert staff.get("/counter/state?lang=en").json()["alerts"] == []
        staff.close()


def test_a_kiosk_token_may_not_report_a_boards_sound(server: LiveServer):
    """The role check follows the channel list: a kiosk cannot raise a board's sound alert,
    and an unknown kind is refused naming the known ones."""
    with server.device_client("kiosk") as kiosk:
        assert kiosk.post("/api/devices/report",
                          json={"source": "k", "kind": "board_silent"}).status_code == 403
        refused = kiosk.post("/api/devices/report", json={"source": "k", "kind": "on_fire"})
        assert refused.status_code == 422 and "board_silent" in refused.text
