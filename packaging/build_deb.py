"""Build `novbe_<version>_<arch>.deb`: the program in a virtual environment under /opt/novbe
(Debian's python3 as its interpreter), the systemd units, the udev rule for USB receipt
printers, the settings in /etc/novbe/ and the maintainer scripts (user, upgrade with rollback).

    python3 packaging/build_deb.py [--out DIR] [--compress xz|gzip|none]

Run it on the Debian release the package is for (its python3 is the venv's interpreter), with
a Python that has pip (python3-pip). The Python packages come from PyPI (or pip's cache /
--find-links)."""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "packaging"
PREFIX = Path("/opt/novbe")
VENV = PREFIX / "venv"
# Qt parts no Növbə screen uses (web engine, 3D, designer tools…): hundreds of MB.
QT_UNUSED = ("WebEngine", "Quick3D", "3D", "Designer", "Pdf", "Charts", "DataVisualization",
             "Graphs", "Location", "Bluetooth", "Nfc", "Sensors", "SerialBus", "RemoteObjects",
             "Scxml", "StateMachine", "TextToSpeech", "SpatialAudio", "HttpServer", "WebView",
             "VirtualKeyboard", "ShaderTools")
KEEP_QT = ("QtCore", "QtGui", "QtWidgets", "QtMultimedia", "QtSvg", "QtNetwork", "QtDBus",
           "QtOpenGL", "QtWaylandClient", "QtXcbQpa")
DEPENDS = ("python3 (>= 3.11)", "python3-venv", "adduser", "systemd", "espeak-ng",
           "fonts-dejavu-core", "libegl1", "libgl1", "libopengl0", "libglib2.0-0", "libfontconfig1",
           "libfreetype6", "libdbus-1-3", "libnss3", "libxkbcommon0", "libpulse0",
           "libasound2t64 | libasound2", "libgstreamer1.0-0", "gstreamer1.0-plugins-base")
RECOMMENDS = ("cage", "xwayland", "libxkbcommon-x11-0", "libxcb-cursor0", "rsync")


class BuildFailed(Exception):
    """The package could not be built; the message says which step and why."""


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def run(cmd: list[str], step: str, **kw: object) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise BuildFailed(f"{step}: {' '.join(cmd[:4])}… exited {done.returncode}:\n"
                          f"{(done.stderr or done.stdout)[-2000:]}")


def build_venv(stage: Path, python: str, find_links: str | None) -> None:
    """The venv at its final path inside the staging tree, then made to live at /opt/novbe.
    The builder's pip installs into it (`--python`): no ensurepip run first (5 CPU-s) to put
    a pip there that the dependencies then replace (sqlite-utils requires pip)."""
    venv = stage / VENV.relative_to("/")
    run([python, "-m", "venv", "--without-pip", str(venv)], "venv")
    # --no-compile: pip would byte-compile every module for the staging path, the pruning
    # below would delete that bytecode, and compile_bytecode makes it again for /opt/novbe
    # (this step 44 -> 34 s, 33 -> 28 CPU-s, load 2.3).
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
           "--no-warn-script-location", "--no-compile"]
    if find_links:
        pip += ["--find-links", find_links]
    run([*pip, str(ROOT)], "pip install novbe")
    prune(venv)
    relocate(venv, VENV)
    compile_bytecode(venv, stage, python)


def prune(venv: Path) -> None:
    """Leave out what a centre never runs: pip's caches, Qt modules no screen uses, the
    libraries' own test suites and type stubs (~1,100 files: numpy's tests alone are 750)."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    pyside = site / "PySide6"
    if pyside.is_dir():
        unused = re.compile(r"Qt6?(" + "|".join(re.escape(m) for m in QT_UNUSED) + ")")
        for path in list(pyside.rglob("*")):
            if not path.exists() or path.is_dir():
                continue
            name = path.name
            if any(k in name for k in KEEP_QT):
                continue
            if unused.search(name) or "webengine" in name.lower():
                path.unlink()
        for folder in ("Qt/translations/qtwebengine_locales", "examples", "Qt/libexec",
                       "assistant", "designer", "linguist"):
            shutil.rmtree(pyside / folder, ignore_errors=True)
    ours = {d.name for d in ROOT.iterdir() if (d / "__init__.py").is_file()}
    for tests in list(site.glob("*/**/tests")):
        if tests.is_dir() and tests.relative_to(site).parts[0] not in ours:
            shutil.rmtree(tests, ignore_errors=True)
    for stub in site.rglob("*.pyi"):
        stub.unlink()
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def compile_bytecode(venv: Path, stage: Path, python: str) -> None:
    """Ship each module's bytecode, compiled for its installed path. The services run as users
    that may not write under /opt/novbe, so without it every start compiles every module it
    imports again: the server's imports took 7-9 CPU-s instead of 2.3 (load 4-5). Hash-checked
    .pyc files stay valid whatever modification times dpkg gives the sources."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    # A module that does not compile (a library's test data in another Python's syntax) is
    # left without bytecode, as it was before: the rest are still compiled.
    done = subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode",
                           "checked-hash", "-s", str(stage), "-p", "/", str(site)],
                          capture_output=True, text=True)
    if not any((site / "shared" / "__pycache__").glob("*.pyc")):   # not one module compiled
        raise BuildFailed(f"compiling the modules failed: {(done.stderr or done.stdout)[-800:]}")


def relocate(venv: Path, final: Path) -> None:
    """Point the venv's scripts at its installed path (a venv records its own path)."""
    old = str(venv)
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace(old, str(final)))
    for script in (venv / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        data = script.read_bytes()
        if old.encode() in data[:4096] or script.name.startswith("activate"):
            script.write_bytes(data.replace(old.encode(), str(final).encode()))


def lay_out(stage: Path, ver: str) -> None:
    """The files beside the venv: units, udev rule, settings, docs, the command on PATH."""
    def put(src: Path, dest: str, mode: int = 0o644) -> None:
        target = stage / dest.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        target.chmod(mode)

    for unit in sorted((HERE / "systemd").iterdir()):
        put(unit, f"/lib/systemd/system/{unit.name}")
    put(HERE / "udev" / "60-novbe-printers.rules", "/lib/udev/rules.d/60-novbe-printers.rules")
    put(HERE / "deb" / "novbe.env", "/etc/novbe/novbe.env", 0o640)
    put(ROOT / "assets" / "config" / "dost.toml", "/etc/novbe/centre.toml")
    for doc in ("install.md", "architecture.md"):
        put(ROOT / "docs" / doc, f"/usr/share/doc/novbe/{doc}")
    put(ROOT / "LICENSE", "/usr/share/doc/novbe/copyright")
    changelog = stage / "usr/share/doc/novbe/changelog.gz"
    changelog.write_bytes(gzip.compress((ROOT / "CHANGELOG.md").read_bytes(), mtime=0))
    (stage / "usr/bin").mkdir(parents=True, exist_ok=True)
    (stage / "usr/bin/novbe").symlink_to(VENV / "bin" / "novbe")
    for folder in ("var/lib/novbe",):
        (stage / folder).mkdir(parents=True, exist_ok=True)
    control = stage / "DEBIAN"
    control.mkdir()
    size_kb = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    (control / "control").write_text(
        f"Package: novbe\nVersion: {ver}\nArchitecture: {arch()}\n"
        "Maintainer: Növbə developers <novbe@localhost>\nSection: misc\nPriority: optional\n"
        f"Installed-Size: {size_kb}\nDepends: {', '.join(DEPENDS)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Description: queue system for social-services centres\n"
        " Növbə runs a centre's queue: a touchscreen kiosk that prints tickets, a lobby board\n"
        " that calls numbers aloud, the counter console, the phone page and reports, and ships\n"
        " the centre's events to the agency's central copy.\n")
    (control / "conffiles").write_text("/etc/novbe/novbe.env\n/etc/novbe/centre.toml\n")
    for script in ("preinst", "postinst", "prerm", "postrm"):
        put(HERE / "deb" / script, f"/DEBIAN/{script}", 0o755)


def build(out: Path, compress: str = "xz", python: str = "/usr/bin/python3",
          find_links: str | None = None) -> Path:
    """Build the package into `out`; returns its path."""
    ver = version()
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"novbe_{ver}_{arch()}.deb"
    with tempfile.TemporaryDirectory(prefix="novbe-deb-") as tmp:
        stage = Path(tmp) / "root"
        stage.mkdir()
        build_venv(stage, python, find_links)
        lay_out(stage, ver)
        for path in stage.rglob("*"):  # files root's, readable by all (but the settings file)
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        run(["dpkg-deb", "--root-owner-group", f"-Z{compress}", "--build", str(stage), str(deb)],
            "dpkg-deb", env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    return deb


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "dist", help="where the .deb goes (dist/)")
    p.add_argument("--compress", choices=("xz", "gzip", "zstd", "none"), default="xz")
    p.add_argument("--python", default="/usr/bin/python3",
                   help="the interpreter the installed venv runs on (Debian's python3)")
    p.add_argument("--find-links", metavar="DIR", help="wheels to install from first")
    a = p.parse_args(argv)
    try:
        print(build(a.out, a.compress, a.python, a.find_links))
    except BuildFailed as exc:
        print(f"build_deb: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
