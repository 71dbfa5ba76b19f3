"""Day-one advice on a valid config: check-config and serve say plainly how to make the ticket's
QR code work; the kiosk refuses the shipped staff PIN (the demo keeps it)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from shared.config.centre import default_config_path
from shared.config.setup_checks import config_warnings, serve_warnings

ROOT = Path(__file__).resolve().parents[2]


def novbe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "novbe", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def centre_file(tmp_path: Path, public_url: str = "", pin: str = "2580") -> Path:
    text = default_config_path().read_text(encoding="utf-8")
    text = text.replace('public_url = ""', f'public_url = "{public_url}"')
    text = text.replace('staff_pin = "2580"', f'staff_pin = "{pin}"')
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_config_tells_how_to_make_the_qr_work_and_warns_of_the_pin():
    """The shipped config is valid (exit 0) but check-config says the QR code is off and how
    to turn it on (server address on the centre's network, serve --host, phones on that
    network), and that the PIN is the shipped one."""
    done = novbe("check-config", str(default_config_path()))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert ": OK — 12 categories" in out
    assert "warning: centre.public_url: is empty: tickets are printed without a QR code" in out
    assert "novbe serve --host 0.0.0.0" in out and "centre's network" in out and "Wi-Fi" in out
    assert "warning: kiosk.staff_pin: is the shipped PIN 2580" in out


def test_a_ready_config_has_no_advice(tmp_path):
    """public_url on the network and an own PIN: check-config says OK and nothing else."""
    done = novbe("check-config", str(centre_file(tmp_path, "http://192.168.1.10:8700", "7391")))
    assert done.returncode == 0 and "warning" not in done.stdout, done.stdout


def test_loopback_public_url_is_called_out(config):
    """A public_url of 127.0.0.1 is the phone itself: the QR code would lead nowhere."""
    warnings = config_warnings(replace(config, public_url="http://127.0.0.1:8700"))
    assert [w.key for w in warnings] == ["centre.public_url", "kiosk.staff_pin"]
    assert "the phone itself" in warnings[0].problem


def test_serve_says_when_phones_cannot_reach_it(config):
    """serve on 127.0.0.1 (or on another port than public_url's) cannot be reached by phones."""
    public = replace(config, public_url="http://192.168.1.10:8700")
    assert [str(w).split(":")[0] for w in serve_warnings(public, "127.0.0.1", 8700)] == ["serve --host"]
    assert serve_warnings(public, "0.0.0.0", 8700) == []
    assert "port 8700" in serve_warnings(public, "0.0.0.0", 9000)[0].problem
    assert serve_warnings(config, "0.0.0.0", 8700)[0].key == "centre.public_url"


def test_kiosk_refuses_the_shipped_pin(tmp_path):
    """`novbe kiosk` with the shipped PIN stops before any window, saying what to change."""
    done = novbe("--db", str(tmp_path / "q.sqlite"), "kiosk", "--windowed",
                 env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2
    assert "staff PIN is still the shipped 2580" in done.stderr and "[kiosk] staff_pin" in done.stderr
