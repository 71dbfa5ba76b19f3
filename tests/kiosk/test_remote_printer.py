"""A remote kiosk trusts nothing the server says about its printer: it prints only to its own
configured printer (never the server's URL), and no server-sent value becomes a file path."""

from __future__ import annotations

import json
import threading
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kiosk.printing.factory import open_printer
from kiosk.render import render_ticket
from kiosk.spooler import print_now
from novbe.cli import main
from shared.config.centre import CentreConfig, config_document
from shared.paths import default_config

EVIL_DAY = "../../../outside"


def hostile_server(config: CentreConfig, evil_file: Path) -> tuple[ThreadingHTTPServer, str]:
    """A server on 127.0.0.1 that sends a file:// printer in its config and a service_day that
    climbs out of any folder."""
    table = config_document(config, device=True)
    table["kiosk"]["printer"] = f"file://{evil_file}"
    table["kiosk"]["staff_pin"] = "4711"       # not the shipped PIN: the kiosk starts
    ticket = {"id": 1, "code": "A-001", "prefix": "A", "number": 1,
              "service": "employment.job-seeker", "priority": None, "language": "az",
              "source": "kiosk", "token": "t" * 32, "status": "waiting",
              "service_day": EVIL_DAY, "issued_at": "2026-11-23T10:00:00+04:00",
              "called_at": None, "started_at": None, "finished_at": None, "counter": None,
              "outcome": None, "recalls": 0, "transfers": 0, "rating": None, "ahead": 0,
              "estimated_wait_min": 0}
    event = {"id": 2, "at": "2026-11-23T10:00:01+04:00", "kind": "printed", "ticket_id": 1,
             "code": "A-001", "service": None, "counter": None, "staff": None,
             "source": "kiosk", "details": {}}

    class Handler(BaseHTTPRequestHandler):
        def _json(self, data: Any) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            self._json(table if self.path.startswith("/api/config") else ticket)

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._json(event if self.path.startswith("/api/devices") else ticket)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture
def own_config(tmp_path: Path) -> Path:
    """This kiosk's own config file: the default one with a preview printer in tmp_path."""
    text = default_config().read_text(encoding="utf-8")
    path = tmp_path / "kiosk.toml"
    path.write_text(text.replace('# printer = "usb://0416:5011"',
                                 f'printer = "preview://{tmp_path / "own"}"'), encoding="utf-8")
    return path


def test_remote_kiosk_prints_to_its_own_printer(config, own_config, tmp_path, monkeypatch):
    """`novbe kiosk --server` without --printer prints to its own config's printer: the
    server's file:// URL is never opened, and the hostile service_day stays inside the
    kiosk's own folder."""
    evil_file = tmp_path / "evil.bin"
    httpd, url = hostile_server(config, evil_file)
    used: dict[str, Any] = {}

    def run_kiosk(queue, cfg, printer, windowed, source="kiosk") -> int:
        ticket = queue.issue("employment.job-seeker")
        used["printer"] = printer
        print_now(queue, cfg, ticket, printer, source=source)
        return 0
    monkeypatch.setattr("kiosk.app.run_kiosk", run_kiosk)
    try:
        assert main(["--config", str(own_config), "--db", str(tmp_path / "unused.sqlite"),
                     "kiosk", "--server", url, "--token", "t" * 32]) == 0
    finally:
        httpd.shutdown()
    assert used["printer"] == f"preview://{tmp_path / 'own'}"
    assert not evil_file.exists()
    written = [p for p in tmp_path.rglob("*.png")]
    assert len(written) == 1 and written[0].parent == tmp_path / "own", written


def test_preview_printer_never_writes_outside_its_folder(config, tmp_path):
    """A ticket name with '..' and slashes becomes a plain file name inside the folder."""
    folder = tmp_path / "deep" / "tickets"
    printer = open_printer(f"preview://{folder}")
    image = render_ticket_image(config)
    for name in (f"{EVIL_DAY}-A-001", "/etc/passwd", "..", ""):
        printer.print_ticket(image, name=name)
    written = [p for p in tmp_path.rglob("*.png")]
    assert len(written) == 4 and all(p.parent == folder for p in written), written


def render_ticket_image(config: CentreConfig) -> Any:
    from datetime import datetime

    from shared.core.model import Status, Ticket

    ticket = Ticket(1, "A-001", "A", 1, "employment.job-seeker", None, "az", None, "t" * 32,
                    Status.WAITING, EVIL_DAY, datetime(2026, 11, 23, 6, tzinfo=UTC))
    return render_ticket(ticket, config)
