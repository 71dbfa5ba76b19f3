"""The kiosk's commands: issue --print, reprint, and kiosk's options — `kiosk` and a printed
issue in a real `novbe` process (the program as a kiosk PC starts it), the rest in this one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PIL import Image, ImageChops

from kiosk.printing.simulator import closed_port_url
from kiosk.raster import decode
from kiosk.render import render_ticket
from shared.config.centre import default_config_path
from shared.core.local_queue import LocalQueue
from tests.novbe_cli import novbe_in_process

pytestmark = pytest.mark.slow  # the CLI as its own process


def novbe(*args: str) -> subprocess.CompletedProcess:
    """`python -m novbe ARGS…` as its own process (for `kiosk`, which must never start its window
    in the test's own process, and for the start-up of a kiosk PC's command)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "novbe", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def novbe_here(*args: str) -> subprocess.CompletedProcess:
    """`novbe ARGS…` in this process: what the command does and says, without ~1 CPU-s of
    start-up."""
    return novbe_in_process(args)


def test_issue_print_to_file_writes_the_tickets_escpos_bytes(db_path, config, tmp_path):
    """`novbe issue SERVICE --print file://PATH` writes raw ESC/POS that decodes to the ticket."""
    out = tmp_path / "ticket.bin"
    result = novbe("--db", str(db_path), "issue", "pensions.age", "--lang", "ru", "--print", f"file://{out}")
    assert result.returncode == 0, result.stderr
    queue = LocalQueue(db_path, config)
    ticket = queue.ticket("B-001")
    expected = render_ticket(ticket, config)
    assert ImageChops.difference(decode(out.read_bytes(), 576).convert("L"), expected.convert("L")).getbbox() is None
    assert [e.kind for e in queue.events() if e.ticket_id == ticket.id] == ["issued", "printed"]
    queue.close()


def test_reprint_to_preview_folder(db_path, config, tmp_path):
    """`novbe reprint CODE --print preview://DIR` writes the same ticket as a PNG."""
    assert novbe_here("--db", str(db_path), "issue", "employment.vacancies", "--lang", "az").returncode == 0
    result = novbe_here("--db", str(db_path), "reprint", "A-001", "--print", f"preview://{tmp_path}/p")
    assert result.returncode == 0, result.stderr
    [png] = list((tmp_path / "p").glob("*.png"))
    queue = LocalQueue(db_path, config)
    with Image.open(png) as img:
        assert img.tobytes() == render_ticket(queue.ticket("A-001"), config).tobytes()
    queue.close()


def test_issue_with_the_printer_off_keeps_the_ticket_and_fails_loudly(db_path, config):
    """The ticket is committed first; the print failure is an exit code, a message and an event."""
    result = novbe_here("--db", str(db_path), "issue", "pensions.age", "--print", closed_port_url())
    assert result.returncode == 4
    assert "B-001 is issued but was not printed" in result.stderr
    queue = LocalQueue(db_path, config)
    assert queue.ticket("B-001").status == "waiting"
    assert [e.kind for e in queue.events() if e.kind.startswith("print")] == ["printer_offline"]
    queue.close()


def test_bad_printer_url_is_a_clear_error(db_path):
    """An unknown scheme names the schemes that exist."""
    result = novbe_here("--db", str(db_path), "issue", "pensions.age", "--print", "lpt://1")
    assert result.returncode == 2 and "tcp://" in result.stderr


def test_kiosk_remote_mode_needs_a_token(db_path):
    """`novbe kiosk --server URL` without --token says what is missing."""
    result = novbe("--db", str(db_path), "kiosk", "--server", "http://127.0.0.1:9", "--windowed")
    assert result.returncode != 0 and "--token" in result.stderr


def test_kiosk_refuses_the_implicit_preview_printer(db_path, tmp_path):
    """With no --printer and a config naming no printer, `novbe kiosk` (local or remote) refuses
    to start, saying how to name one: tickets never silently become PNG files."""
    own = tmp_path / "centre.toml"      # the shipped PIN changed, as any kiosk must
    own.write_text(default_config_path().read_text(encoding="utf-8")
                   .replace('staff_pin = "2580"', 'staff_pin = "7391"'), encoding="utf-8")
    local = novbe("--config", str(own), "--db", str(db_path), "kiosk", "--windowed")
    remote = novbe("--config", str(own), "--db", str(db_path), "kiosk", "--server",
                   "http://127.0.0.1:9", "--token", "t" * 32, "--windowed")
    for result in (local, remote):
        assert result.returncode == 2, result.stderr
        assert "no printer named" in result.stderr and "--printer preview://" in result.stderr
    assert not list(tmp_path.rglob("*.png"))


def test_a_named_preview_printer_is_said_out_loud(db_path, config, tmp_path):
    """Told --printer preview://DIR, the CLI says the tickets become PNG files (here through
    reprint, which shares the rule and needs no screen)."""
    assert novbe_here("--db", str(db_path), "issue", "employment.vacancies").returncode == 0
    refused = novbe_here("--db", str(db_path), "reprint", "A-001")
    assert refused.returncode == 2 and "give --print URL" in refused.stderr
    result = novbe_here("--db", str(db_path), "reprint", "A-001", "--print", f"preview://{tmp_path}/p")
    assert result.returncode == 0, result.stderr
    assert f"each ticket becomes a PNG file in {tmp_path}/p" in result.stderr
