"""The upgrade's rollback for real, with dpkg on this machine: the built package is installed,
a centre's morning is written with it, then a next release is installed whose migration runs but
whose server cannot start. The maintainer scripts must back the file up, migrate it, see the
health check fail, and put back the previous program and the file as it was — by themselves.
Everything the package made (/opt/novbe, /etc/novbe, /var/lib/novbe, the novbe user) is removed
afterwards; the test refuses to run on a machine where Növbə is already installed."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.conftest import BuiltPackage

DB = Path("/var/lib/novbe/novbe.sqlite")
CONFIG = Path("/etc/novbe/centre.toml")
NOVBE = "/opt/novbe/venv/bin/novbe"
# A throwaway installation: dpkg need not flush each of the venv's ~10,000 files to disk.
UNSAFE_IO = ("--force-unsafe-io",)
LEFT_BY_THE_PACKAGE = (Path("/opt/novbe"), Path("/etc/novbe"), Path("/var/lib/novbe"))


def _installed() -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "novbe"], capture_output=True,
                          text=True)
    return done.returncode == 0 and "not-installed" not in done.stdout


def _user_exists(name: str) -> bool:
    return subprocess.run(["getent", "passwd", name], capture_output=True).returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="installs a package with dpkg (needs root)"),
    pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg (Debian)"),
    pytest.mark.skipif(_installed() or _user_exists("novbe")
                       or any(p.exists() for p in LEFT_BY_THE_PACKAGE),
                       reason="Növbə is installed on this machine: the test installs and purges "
                              "it, so it runs only where nothing of it is"),
]


def next_release(package: BuiltPackage, folder: Path, number: int,
                 migrations: tuple[str, ...], broken: bool) -> tuple[Path, str]:
    """The built package as a next release made only for this test: a higher version, more
    migrations (each makes a table of its name, so the upgrade really changes the file), and
    if `broken` a server that fails at start (so the health check, not the migration, fails).
    Its tree is the package's unpacked files hard-linked (not unpacked again from the .deb:
    ~10,000 files), each file it changes written anew so the shared unpacked copy stays as
    built."""
    tree = folder / f"next{number}"
    subprocess.run(["cp", "-al", str(package.root), str(tree)], check=True)
    subprocess.run(["dpkg-deb", "-e", str(package.deb), str(tree / "DEBIAN")], check=True)
    control = tree / "DEBIAN/control"
    old = next(line.split(": ", 1)[1] for line in control.read_text().splitlines()
               if line.startswith("Version: "))
    new = f"{old}+rollbacktest{number}"
    control.write_text(control.read_text().replace(f"Version: {old}", f"Version: {new}"))
    site = next((tree / "opt/novbe/venv/lib").glob("python3*/site-packages"))
    metadata = next(site.glob("novbe-*.dist-info")) / "METADATA"
    _rewrite(metadata, metadata.read_text().replace(f"\nVersion: {old}\n", f"\nVersion: {new}\n"))
    migrations_py = site / "shared/store/migrations.py"
    _rewrite(migrations_py, migrations_py.read_text() + "".join(
        f'\n\n@migrations()\ndef {name}(db):\n'
        f'    """A next release\'s schema change."""\n'
        f'    db.execute("CREATE TABLE {name}_table (x)")\n' for name in migrations))
    if broken:
        app = site / "server/app.py"
        _rewrite(app, app.read_text()
                 + '\n\ndef create_app(*args, **kwargs):\n'
                   '    raise RuntimeError("a deliberately broken release (the rollback test)")\n')
    deb = folder / f"novbe_{new}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Znone", "--build", str(tree), str(deb)],
                   check=True, capture_output=True)
    shutil.rmtree(tree)
    return deb, new


def _rewrite(path: Path, text: str) -> None:
    """The file replaced by a new one of this text and the same mode (a hard link to the
    package's unpacked copy is cut, not written through)."""
    mode = path.stat().st_mode & 0o7777
    path.unlink()
    path.write_text(text)
    path.chmod(mode)


def _unit(name: str) -> dict[str, list[str]]:
    """The installed unit file's settings (each key's values in order)."""
    found: dict[str, list[str]] = {}
    for line in Path(f"/lib/systemd/system/{name}").read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def _as_the_unit_runs(name: str, key: str = "ExecStart") -> list[list[str]]:
    """The unit's commands as systemd would run them (no systemd here: not PID 1): its
    EnvironmentFile's ${NAME}s put in, as its User, in a clean environment of that file."""
    unit = _unit(name)
    env = {k: v for k, v in (line.split("=", 1) for line in
                             Path(unit["EnvironmentFile"][0]).read_text().splitlines()
                             if "=" in line and not line.startswith("#"))}
    commands = []
    for command in unit.get(key, []):
        words = [env.get(w[2:-1], "") if w.startswith("${") and w.endswith("}") else w
                 for w in command.split()]
        commands.append(["runuser", "-u", unit["User"][0], "--", "env", "-i",
                         "PATH=/usr/bin:/bin", *[f"{k}={v}" for k, v in env.items()], *words])
    return commands


def _follow_install_md_for_a_server() -> subprocess.CompletedProcess[str]:
    """docs/install.md's server section after the package is in: the settings as shipped
    (NOVBE_ROLE=server, 127.0.0.1:8700), `systemctl enable --now novbe-server
    novbe-backup.timer` — here the units' own commands, as they would run them — then
    `sudo -u novbe novbe doctor` (a clean environment, as sudo gives): its answer."""
    for command in _as_the_unit_runs("novbe-server.service", "ExecStartPre"):
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd="/")
    (start,) = _as_the_unit_runs("novbe-server.service")
    server = subprocess.Popen(start, cwd="/", stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        for command in _as_the_unit_runs("novbe-backup.service"):   # the timer's first run
            subprocess.run(command, check=True, capture_output=True, timeout=120, cwd="/")
        doctor = ["runuser", "-u", "novbe", "--", "env", "-i", "PATH=/usr/bin:/bin", "novbe",
                  "doctor"]
        for _ in range(120):          # the server starts as the doctor first asks: ask again
            done = subprocess.run(doctor, capture_output=True, text=True, timeout=60, cwd="/")
            if "nothing answers" not in done.stdout or server.poll() is not None:
                return done
            time.sleep(0.5)
        return done
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _tables(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def _as_novbe(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "novbe", "--", NOVBE, "--db", str(DB),
                           "--config", str(CONFIG), *args],
                          capture_output=True, text=True, check=check, timeout=120, cwd="/")


def _program_version(venv: Path) -> str:
    """The version of novbe in a venv (isolated: nothing from the current folder counts)."""
    return subprocess.run([str(venv / "bin/python"), "-I", "-c",
                           "import importlib.metadata as m; print(m.version('novbe'))"],
                          capture_output=True, text=True, check=True, cwd="/").stdout.strip()


def _contents(db: Path) -> tuple[list, list, list]:
    """What the centre has in the file: its tickets, its schema and its applied migrations."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return (conn.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
                conn.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall(),
                conn.execute("SELECT name FROM _sqlite_migrations ORDER BY name").fetchall())
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def purge() -> None:
    """Leave the machine as it was: the package purged, its data and its user gone."""
    shutil.rmtree("/opt/novbe", ignore_errors=True)   # faster than dpkg's file by file
    subprocess.run(["dpkg", *UNSAFE_IO, "--purge", "novbe"], capture_output=True)
    for path in LEFT_BY_THE_PACKAGE:
        shutil.rmtree(path, ignore_errors=True)
    if _user_exists("novbe"):
        subprocess.run(["deluser", "--quiet", "novbe"], capture_output=True)
    if subprocess.run(["getent", "group", "novbe"], capture_output=True).returncode == 0:
        subprocess.run(["delgroup", "--quiet", "novbe"], capture_output=True)


@pytest.fixture
def machine() -> Iterator[None]:
    """This machine, cleaned of everything the package made whatever the test's outcome."""
    try:
        yield
    finally:
        purge()
    assert not _installed() and not _user_exists("novbe")
    assert not any(p.exists() for p in LEFT_BY_THE_PACKAGE)


@pytest.mark.timeout(1500)  # may be the test that builds the package
def test_a_release_that_cannot_serve_rolls_back_to_the_previous_package_and_file(
        package: BuiltPackage, machine: None):
    """dpkg -i the package and write a morning's tickets; dpkg -i a sound next release: it
    migrates, passes the health check and runs, its backup kept. Then dpkg -i a release whose
    server cannot start: dpkg fails, the file is back byte for byte (from its backup), the
    previous program is in place and serves it, the failed one is kept for IT."""
    # beside the unpacked package: the next releases' trees are hard links to its files
    folder = Path(tempfile.mkdtemp(prefix="novbe-rollback-", dir=package.root.parent))
    try:
        sound_deb, sound = next_release(package, folder, 1, ("m998_sound",), broken=False)
        next_deb, new = next_release(package, folder, 2, ("m998_sound", "m999_next_release"),
                                     broken=True)
        first = subprocess.run(["dpkg", *UNSAFE_IO, "-i", str(package.deb)], capture_output=True,
                               text=True, timeout=600)
        assert first.returncode == 0, first.stderr[-3000:]
        doctor = _follow_install_md_for_a_server()
        lines = doctor.stdout.splitlines()
        assert doctor.returncode <= 1, doctor.stdout + doctor.stderr
        assert f"✓ queue database: {DB}: sound" in doctor.stdout, doctor.stdout
        assert any(x.startswith("✓ this server: http://127.0.0.1:8700: up, version")
                   for x in lines), doctor.stdout
        assert any(x.startswith("✓ last backup:") for x in lines), doctor.stdout
        systemd = Path("/run/systemd/system").is_dir()
        for line in lines:      # all well, but the clock where systemd is not there to ask
            assert line.startswith("✓") or (not systemd and line.startswith("! clock")), line
        _as_novbe("init")
        for service in ("labour", "pensions.age", "labour"):
            _as_novbe("issue", service)
        tickets = _contents(DB)[0]
        assert len(tickets) == 3

        upgrade = subprocess.run(["dpkg", *UNSAFE_IO, "-i", str(sound_deb)], capture_output=True,
                                 text=True, timeout=600)
        said = upgrade.stdout + upgrade.stderr
        assert upgrade.returncode == 0, said[-3000:]
        assert "m998_sound" in said and "health check passed" in said, said[-3000:]
        assert _program_version(Path("/opt/novbe/venv")) == sound
        assert not Path("/opt/novbe/venv.previous").exists()
        assert "m998_sound_table" in _tables(DB)
        assert DB.with_name(f"{DB.name}.before-{sound}.bak").exists()
        previous = sound
        before = _contents(DB)
        assert before[0] == tickets

        second = subprocess.run(["dpkg", *UNSAFE_IO, "-i", str(next_deb)], capture_output=True, text=True,
                                timeout=600)
        said = second.stdout + second.stderr
        assert second.returncode != 0, f"the broken release was accepted:\n{said[-3000:]}"
        assert "upgraded" in said and "m999_next_release" in said, said[-3000:]  # it migrated
        assert "the new server did not start on the upgraded file" in said, said[-3000:]
        assert "deliberately broken release" in said, said[-3000:]   # the server's own words
        assert f"returning to version {previous}" in said, said[-3000:]

        backup = DB.with_name(f"{DB.name}.before-{new}.bak")
        assert backup.exists(), sorted(p.name for p in DB.parent.iterdir())
        assert _digest(DB) == _digest(backup)
        assert _contents(DB) == before          # no next_release_table, no m999: as it was
        assert _program_version(Path("/opt/novbe/venv")) == previous
        assert _program_version(Path("/opt/novbe/venv.failed")) == new
        assert not Path("/opt/novbe/venv.previous").exists()
        assert DB.stat().st_uid == Path("/var/lib/novbe").stat().st_uid   # still novbe's
        serving = _as_novbe("upgrade-check", check=False)       # the previous server serves it
        assert serving.returncode == 0, serving.stdout + serving.stderr
        assert previous in serving.stdout
        served = _contents(DB)          # (serving may add what the previous server keeps)
        assert served[0] == before[0]

        # Configured again (dpkg --configure -a, or apt's next run): it must not record the
        # previous program as the next release.
        again = subprocess.run(["dpkg", *UNSAFE_IO, "--configure", "novbe"], capture_output=True,
                               text=True, timeout=300)
        assert again.returncode != 0
        assert f"holds version {previous}, not {new}" in again.stderr, again.stderr[-2000:]
        assert _contents(DB) == served
    finally:
        shutil.rmtree(folder, ignore_errors=True)
