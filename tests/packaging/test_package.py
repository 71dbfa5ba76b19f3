"""The Debian package: its files and control data, unit files systemd accepts, maintainer
scripts that parse, and the installed tree running the server and `novbe doctor`."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tomllib
from pathlib import Path

import httpx
import pytest

from tests.packaging.conftest import ROOT, BuiltPackage

# Slow: the first test builds the whole package (a venv with Qt): minutes on a busy machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
UNITS = ("novbe-server.service", "novbe-kiosk.service", "novbe-board.service",
         "novbe-backup.service", "novbe-backup.timer", "novbe-central.service",
         "novbe-central-refresh.service", "novbe-central-refresh.timer")


def _control(deb: Path) -> dict[str, str]:
    text = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True,
                          check=True).stdout
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def test_the_package_is_named_and_versioned_from_the_project(package: BuiltPackage):
    """novbe_<pyproject version>_<dpkg arch>.deb, with the control fields dpkg needs."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert package.deb.name == f"novbe_{version}_{arch}.deb"
    control = _control(package.deb)
    assert (control["Package"], control["Version"], control["Architecture"]) == ("novbe", version, arch)
    assert "python3 (>= 3.11)" in control["Depends"] and "espeak-ng" in control["Depends"]
    assert "cage" in control["Recommends"]


def test_the_package_holds_every_part(package: BuiltPackage):
    """dpkg-deb's listing has the venv, the command on PATH, the units, the udev rule, the
    settings (as conffiles) and the docs; the maintainer scripts are there and parse."""
    listing = subprocess.run(["dpkg-deb", "-c", str(package.deb)], capture_output=True,
                             text=True, check=True).stdout
    for path in ("./opt/novbe/venv/bin/novbe", "./usr/bin/novbe -> /opt/novbe/venv/bin/novbe",
                 "./etc/novbe/novbe.env", "./etc/novbe/centre.toml",
                 "./lib/udev/rules.d/60-novbe-printers.rules",
                 "./usr/share/doc/novbe/install.md", "./usr/share/doc/novbe/changelog.gz",
                 *[f"./lib/systemd/system/{u}" for u in UNITS]):
        assert path in listing, f"{path} is not in the package"
    assert "root/root" in listing and " novbe/" not in listing   # files are root's
    info = Path(package.root.parent / "control")
    subprocess.run(["dpkg-deb", "-e", str(package.deb), str(info)], check=True)
    assert (info / "conffiles").read_text().split() == ["/etc/novbe/novbe.env",
                                                        "/etc/novbe/centre.toml"]
    for script in ("preinst", "postinst", "prerm", "postrm"):
        assert os.access(info / script, os.X_OK)
        assert subprocess.run(["sh", "-n", str(info / script)]).returncode == 0
    venv_bin = package.root / "opt/novbe/venv/bin"
    assert (venv_bin / "novbe").read_text().startswith("#!/opt/novbe/venv/bin/python\n")
    assert "/tmp" not in (venv_bin.parent / "pyvenv.cfg").read_text()


def test_systemd_accepts_every_unit(package: BuiltPackage, tmp_path: Path):
    """`systemd-analyze verify` on each unit, in a root made of the package's files and the
    system's own units (the programs outside the package stand in as executables)."""
    root = tmp_path / "root"
    shutil.copytree(package.root, root, symlinks=True)
    shutil.copytree("/lib/systemd/system", root / "lib/systemd/system", symlinks=True,
                    dirs_exist_ok=True)
    for program in ("/usr/bin/cage",):
        stand_in = root / program.lstrip("/")
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.write_text("#!/bin/sh\n")
        stand_in.chmod(0o755)
    for unit in UNITS:
        done = subprocess.run(["systemd-analyze", "verify", f"--root={root}", unit],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and not done.stderr.strip(), f"{unit}: {done.stderr}"


def test_hardening_of_the_server_unit(package: BuiltPackage):
    """The server unit runs as novbe on a read-only system with only its data dir writable."""
    unit = (package.root / "lib/systemd/system/novbe-server.service").read_text()
    for line in ("User=novbe", "ProtectSystem=strict", "ReadWritePaths=/var/lib/novbe",
                 "NoNewPrivileges=yes", "PrivateTmp=yes", "Restart=on-failure"):
        assert line in unit
    kiosk = (package.root / "lib/systemd/system/novbe-kiosk.service").read_text()
    assert "/usr/bin/cage" in kiosk and "Restart=always" in kiosk and "TTYPath=/dev/tty7" in kiosk


def test_the_installed_tree_runs_the_server_and_the_doctor(package: BuiltPackage, tmp_path: Path):
    """From the unpacked package alone (its venv on Debian's python3): `novbe init`, `novbe
    serve` answering /api/health with the package's version, and `novbe doctor --role server`
    seeing it (exit 0 or 1: a fresh file has no backup yet)."""
    db = tmp_path / "q.sqlite"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
           "NOVBE_DATA": str(tmp_path)}
    novbe = [str(package.python), "-m", "novbe", "--db", str(db)]
    assert subprocess.run([*novbe, "init"], env=env, cwd=tmp_path, timeout=120).returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*novbe, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = None
        for _ in range(600):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    pytest.fail(f"the server exited: {server.stdout.read()[-2000:]}")
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(0.1)       # started yet? (returns at once if it exited)
        assert health is not None and health.status_code == 200
        version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
        assert health.json() == {"ok": True, "version": version}
        doctor = subprocess.run([*novbe, "doctor", "--role", "server", "--server",
                                 f"http://127.0.0.1:{port}"], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=120)
        assert doctor.returncode <= 1, doctor.stdout + doctor.stderr
        assert "✓ queue database" in doctor.stdout
        assert f"✓ this server: http://127.0.0.1:{port}: up, version {version}" in doctor.stdout
        site = next((package.root / "opt/novbe/venv/lib").glob("python3*/site-packages"))
        assert not (site / "novbe").is_symlink() and (site / "novbe/__init__.py").exists()
    finally:
        server.terminate()
        server.wait(30)
