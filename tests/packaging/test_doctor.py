"""`novbe doctor`: each role's checks say in plain words what is wrong, and the exit code is the
worst finding (0 all well, 1 something to look at, 2 the role cannot work)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.printing.simulator import NetworkPrinterSimulator, closed_port_url
from novbe.doctor import (
    FAIL,
    OK,
    WARN,
    Machine,
    check_backup,
    check_clock,
    check_printer,
    check_serving,
    examine,
    serving_url,
    verdict,
)
from shared.core.local_queue import LocalQueue
from tests.server.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def _doctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "novbe", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_server_doctor_on_a_sound_database_with_a_fresh_backup(tmp_path: Path, config):
    """A migrated file with a backup made now: config, database, backup and disk are ✓; the exit
    code is at most 1 (this machine cannot tell whether its clock is synchronised). No server
    runs on the file here: its check is left out (the next tests ask a live one)."""
    db = tmp_path / "q.sqlite"
    LocalQueue(db, config).close()
    assert _doctor("--db", str(db), "backup").returncode == 0
    done = _doctor("--db", str(db), "doctor", "--role", "server", "--skip", "serving", "--json")
    report = json.loads(done.stdout)
    levels = {c["what"]: c["level"] for c in report["checks"]}
    assert levels["queue database"] == OK
    assert levels["last backup"] == OK
    assert levels["centre config"] == OK
    assert levels["disk space"] in (OK, WARN)
    assert "this server" not in levels
    assert done.returncode == report["exit"] <= 1


def test_server_doctor_asks_its_own_server(server: LiveServer):
    """The server role asks this machine's own server: up with its version is ✓; nothing on
    the port is ✗ naming the address and how to start it."""
    found = check_serving(Machine("server", serving=server.url))
    assert found.level in (OK, WARN) and "version" in found.detail and server.url in found.detail
    down = serving_url("0.0.0.0", closed_port_url().split(":")[-1].split("?")[0])
    found = check_serving(Machine("server", serving=down))
    assert found.level == FAIL and down in found.detail
    assert "systemctl enable --now novbe-server" in found.detail


def test_the_server_address_the_doctor_asks():
    """NOVBE_HOST/NOVBE_PORT as the unit passes them: every address is asked on the loopback."""
    assert serving_url("0.0.0.0", "8700") == "http://127.0.0.1:8700"
    assert serving_url("", None) == "http://127.0.0.1:8700"
    assert serving_url("::", 9000) == "http://[::1]:9000"
    assert serving_url("192.0.2.7", "8701") == "http://192.0.2.7:8701"


def test_a_check_the_role_has_not_is_refused_by_name(tmp_path: Path):
    """`--skip printer` on a server: refused, naming the server role's own checks."""
    done = _doctor("--db", str(tmp_path / "q.sqlite"), "doctor", "--role", "server",
                   "--skip", "printer")
    assert done.returncode == 2
    assert "no check printer for the server role" in done.stderr and "serving" in done.stderr


def test_server_doctor_names_a_damaged_database_and_its_backups(tmp_path: Path, config):
    """A file whose pages were overwritten is reported damaged with its backups named, exit 2."""
    db = tmp_path / "q.sqlite"
    queue = LocalQueue(db, config)
    for _ in range(200):
        queue.issue("labour")
    queue.close()
    assert _doctor("--db", str(db), "backup").returncode == 0
    with open(db, "r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xff" * 4096 * 4)
    done = _doctor("--db", str(db), "doctor", "--role", "server")
    assert done.returncode == 2, done.stdout
    line = next(x for x in done.stdout.splitlines() if "queue database" in x)
    assert line.startswith("✗") and ".bak" in line


def test_a_missing_database_and_a_broken_config_are_failures(tmp_path: Path):
    """No queue file and a config that does not parse: both ✗, with what to do."""
    bad = tmp_path / "centre.toml"
    bad.write_text("[centre\nname = 1\n")
    done = _doctor("--db", str(tmp_path / "none.sqlite"), "--config", str(bad), "doctor")
    assert done.returncode == 2
    assert "novbe init" in done.stdout
    assert "centre config" in done.stdout and "TOML" in done.stdout


def test_backup_age_levels(tmp_path: Path):
    """A backup 1 h old is fine, 30 h old is to look at, 4 days old is a failure."""
    db = tmp_path / "q.sqlite"
    db.write_bytes(b"")
    bak = tmp_path / "q.sqlite.20261201-023000.bak"
    bak.write_bytes(b"x")
    now = time.time()
    for age_h, level in ((1, OK), (30, WARN), (96, FAIL)):
        os.utime(bak, (now - age_h * 3600, now - age_h * 3600))
        assert check_backup(Machine("server", db=db, now=lambda: now)).level == level


def test_clock_not_synchronised_is_a_failure():
    """timedatectl saying NTPSynchronized=no fails the clock check with what to do."""
    def fake_run(*_a, **_k):
        return subprocess.CompletedProcess([], 0, stdout="no\n", stderr="")
    finding = check_clock(Machine("server", run=fake_run))
    assert finding.level == FAIL and "timedatectl set-ntp true" in finding.detail


def test_kiosk_doctor_reads_a_real_network_printers_state():
    """A TCP printer (a real socket): ready is ✓, out of paper and offline are ✗ saying so; a
    closed port is ✗ naming the address."""
    printer = NetworkPrinterSimulator()
    try:
        assert check_printer(Machine("kiosk", printer=printer.url)).level == OK
        printer.set_state("paper_out")
        finding = check_printer(Machine("kiosk", printer=printer.url))
        assert finding.level == FAIL and "paper out" in finding.detail
        printer.set_state("offline")
        finding = check_printer(Machine("kiosk", printer=printer.url))
        assert finding.level == FAIL and "offline" in finding.detail
    finally:
        printer.close()
    closed = closed_port_url()
    finding = check_printer(Machine("kiosk", printer=closed))
    assert finding.level == FAIL and closed.split("//")[1] in finding.detail


def test_kiosk_doctor_against_a_live_server(server: LiveServer):
    """With the server up: its version, the clock against it, and the token — a good token is
    accepted, a made-up one is refused with what to do."""
    good = examine(Machine("kiosk", server=server.url, token=server.device_token,
                           printer="dummy://"))
    by = {f.what: f for f in good}
    assert by["server"].level in (OK, WARN) and "version" in by["server"].detail
    assert by["device token"].level == OK
    assert by["clock against the server"].level == OK
    bad = {f.what: f for f in examine(Machine("kiosk", server=server.url, token="made-up",
                                              printer="dummy://"))}
    assert bad["device token"].level == FAIL and "novbe device add" in bad["device token"].detail
    assert verdict(list(bad.values())) == 2


def test_board_doctor_when_the_server_is_down():
    """A board whose server cannot be reached: ✗ server with the URL, exit 2."""
    found = examine(Machine("board", server="http://127.0.0.1:9", token="t"))
    server = next(f for f in found if f.what == "server")
    assert server.level == FAIL and "127.0.0.1:9" in server.detail
    assert verdict(found) == 2


@pytest.fixture
def server(tmp_path: Path, config, clock):
    from tests.server.live import live_server

    with live_server(tmp_path / "q.sqlite", config, clock) as live:
        yield live
