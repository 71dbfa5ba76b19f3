"""`novbe doctor`: what is wrong with this machine for its role, in plain words, with an exit code
monitoring can read (0 all well, 1 something to look at, 2 the role cannot work)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from shared.config.setup_checks import DEFAULT_PORT
from shared.version import VERSION

OK, WARN, FAIL = "ok", "warn", "fail"
MARKS = {OK: "✓", WARN: "!", FAIL: "✗"}
EXIT = {OK: 0, WARN: 1, FAIL: 2}
ROLES = ("server", "kiosk", "board", "central")

BACKUP_WARN_H = 26      # the nightly backup missed once
BACKUP_FAIL_H = 72      # three nights without one
DISK_WARN_B = 1 << 30   # 1 GiB: a year of events is ~200 MB, backups beside it
DISK_FAIL_B = 200 << 20
CLOCK_SKEW_WARN_S = 5
CLOCK_SKEW_FAIL_S = 60  # kiosk and server a minute apart split the service day at the reset
HTTP_TIMEOUT_S = 5.0
LANGS = ("az", "ru", "en")


@dataclass(frozen=True)
class Finding:
    """One check's verdict: its level, what was checked and what was found."""

    level: str
    what: str
    detail: str

    def line(self) -> str:
        return f"{MARKS[self.level]} {self.what}: {self.detail}"


@dataclass
class Machine:
    """What the checks look at: the role's files and links (from options or /etc/novbe/novbe.env)."""

    role: str
    db: Path | None = None
    config: Path | None = None
    server: str | None = None
    serving: str | None = None      # the server role: the address its own server answers on
    token: str | None = None
    printer: str | None = None
    backup_dir: Path | None = None
    central_url: str | None = None
    now: Callable[[], float] = time.time
    run: Callable[..., Any] = subprocess.run
    skew_s: float | None = field(default=None, init=False)


def check_config(m: Machine) -> Finding:
    from shared.config.centre import load_config
    from shared.core.errors import ConfigError

    try:
        config = load_config(m.config)
    except ConfigError as exc:
        more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        return Finding(FAIL, "centre config", "; ".join(exc.problems[:3]) + more)
    return Finding(OK, "centre config", f"{m.config or 'bundled DOST config'}: {len(config.services)} services")


def check_database(m: Machine) -> Finding:
    from shared.core.errors import NovbeError
    from shared.store import database as store

    if m.db is None or not m.db.exists():
        return Finding(FAIL, "queue database", f"{m.db} does not exist (run `novbe init`)")
    try:
        store.check_header(m.db)
        conn = sqlite3.connect(f"file:{m.db}?mode=ro", uri=True, timeout=5)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Finding(FAIL, "queue database", str(store.damaged(m.db, exc)))
    except NovbeError as exc:
        return Finding(FAIL, "queue database", str(exc))
    if verdict != "ok":
        names = ", ".join(p.name for p in store.backups_of(m.db)[:3]) or "none"
        return Finding(FAIL, "queue database", f"{m.db} is damaged ({verdict}); backups: {names}")
    return Finding(OK, "queue database", f"{m.db}: sound, {events} events")


def _newest_backup(m: Machine) -> Path | None:
    from shared.store import database as store

    found = store.backups_of(m.db) if m.db else []
    if m.backup_dir and m.backup_dir.is_dir():
        found += [p for p in m.backup_dir.glob("*.bak") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime, default=None)


def check_backup(m: Machine) -> Finding:
    newest = _newest_backup(m)
    if newest is None:
        return Finding(WARN, "last backup", "none yet (the nightly novbe-backup.timer makes one)")
    age_h = (m.now() - newest.stat().st_mtime) / 3600
    level = FAIL if age_h > BACKUP_FAIL_H else WARN if age_h > BACKUP_WARN_H else OK
    return Finding(level, "last backup", f"{newest.name}, {age_h:.1f} h old")


def check_disk(m: Machine) -> Finding:
    where = m.db.parent if m.db else Path.cwd()
    while not where.exists():
        where = where.parent
    free = shutil.disk_usage(where).free
    level = FAIL if free < DISK_FAIL_B else WARN if free < DISK_WARN_B else OK
    return Finding(level, "disk space", f"{free / (1 << 30):.1f} GiB free on {where}")


def check_clock(m: Machine) -> Finding:
    """The system clock synchronised (systemd-timesyncd or chrony, as timedatectl reports)."""
    try:
        done = m.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                     capture_output=True, text=True, timeout=HTTP_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return Finding(WARN, "clock", "cannot tell whether the clock is synchronised "
                                      "(no timedatectl)")
    answer = (done.stdout or "").strip()
    if done.returncode != 0 or answer not in ("yes", "no"):
        return Finding(WARN, "clock", "cannot tell whether the clock is synchronised "
                                      f"({_first_line(done.stderr) or 'no answer'})")
    if answer == "no":
        return Finding(FAIL, "clock", "not synchronised: enable time sync "
                                      "(timedatectl set-ntp true) — a wrong clock files "
                                      "tickets under the wrong day")
    return Finding(OK, "clock", "synchronised")


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0][:120] if (text or "").strip() else ""


def check_server(m: Machine) -> list[Finding]:
    """The server answers, its version works with ours, the token is valid, the clocks agree."""
    if not m.server:
        return [Finding(FAIL, "server", "no server URL (--server or NOVBE_SERVER)")]
    url = m.server.rstrip("/")
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT_S, verify=True) as client:
            health = client.get(f"{url}/api/health")
            sent_at = m.now()
            found = [_version_finding(health)]
            found.append(_skew_finding(m, health.headers.get("date"), sent_at))
            if m.role in ("kiosk", "board"):
                found.append(_token_finding(client, url, m.token))
    except httpx.HTTPError as exc:
        return [Finding(FAIL, "server", f"{url} cannot be reached: {exc}")]
    return found


def _version_finding(health: httpx.Response, what: str = "server", where: str = "") -> Finding:
    if health.status_code != 200:
        return Finding(FAIL, what, f"{where}answered {health.status_code} to /api/health")
    theirs = (health.json() or {}).get("version", "unknown")
    if theirs != VERSION:
        return Finding(WARN, what, f"{where}up, version {theirs} (this machine has {VERSION})")
    return Finding(OK, what, f"{where}up, version {theirs}")


def serving_url(host: str | None, port: str | int | None) -> str:
    """Where this machine's own server answers, from its unit's NOVBE_HOST and NOVBE_PORT (a
    server listening on every address is asked on the loopback)."""
    host = (host or "").strip()
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port or DEFAULT_PORT}"


def check_serving(m: Machine) -> Finding:
    """The server role: this machine's own server answers /api/health, with our version (asked
    again over HTTPS when the plain request meets a TLS server; the loopback's certificate is
    the centre's public name, so it is not verified here)."""
    url = (m.serving or serving_url(None, None)).rstrip("/")
    tries = [url] + ([url.replace("http://", "https://", 1)] if url.startswith("http://") else [])
    for attempt in tries:
        try:
            with httpx.Client(timeout=HTTP_TIMEOUT_S, verify=False) as client:
                return _version_finding(client.get(f"{attempt}/api/health"), "this server",
                                        f"{attempt}: ")
        except httpx.ConnectError as exc:
            return Finding(FAIL, "this server", f"nothing answers on {attempt} ({exc}): start "
                                                "it (systemctl enable --now novbe-server); "
                                                "journalctl -u novbe-server says why it stopped")
        except httpx.RemoteProtocolError as exc:   # a TLS server asked in plain HTTP: HTTPS
            last: httpx.HTTPError = exc
        except httpx.HTTPError as exc:             # slow or broken: said as it is
            return Finding(FAIL, "this server", f"{attempt} does not answer /api/health: {exc}")
    return Finding(FAIL, "this server", f"{url} does not answer /api/health: {last}")


def _skew_finding(m: Machine, date: str | None, at: float) -> Finding:
    if not date:
        return Finding(WARN, "clock against the server", "the server sent no Date header")
    skew = at - parsedate_to_datetime(date).timestamp()
    m.skew_s = skew
    level = FAIL if abs(skew) > CLOCK_SKEW_FAIL_S else WARN if abs(skew) > CLOCK_SKEW_WARN_S else OK
    return Finding(level, "clock against the server", f"{skew:+.0f} s")


def _token_finding(client: httpx.Client, url: str, token: str | None) -> Finding:
    if not token:
        return Finding(FAIL, "device token", "none given (--token or NOVBE_TOKEN)")
    answer = client.get(f"{url}/api/config", headers={"Authorization": f"Bearer {token}"})
    if answer.status_code in (401, 403):
        return Finding(FAIL, "device token", f"refused by the server ({answer.status_code}): "
                                             "make a new one with `novbe device add`")
    if answer.status_code != 200:
        return Finding(WARN, "device token", f"the server answered {answer.status_code}")
    return Finding(OK, "device token", "accepted")


def check_printer(m: Machine) -> Finding:
    from kiosk.printing.errors import PrinterError
    from kiosk.printing.factory import open_printer

    if not m.printer:
        return Finding(FAIL, "printer", "no printer URL (--printer or NOVBE_PRINTER)")
    try:
        device = open_printer(m.printer)
        try:
            status = device.status()
        finally:
            device.close()
    except PrinterError as exc:
        return Finding(FAIL, "printer", str(exc))
    except OSError as exc:
        return Finding(FAIL, "printer", f"{m.printer} cannot be reached: {exc}")
    if status is None:
        return Finding(OK, "printer", f"{m.printer}: opened (this link cannot report paper)")
    if not status.online:
        return Finding(FAIL, "printer", f"{m.printer}: offline (cover open or an error)")
    if status.paper != "ok":
        level = FAIL if status.paper == "out" else WARN
        return Finding(level, "printer", f"{m.printer}: paper {status.paper}")
    return Finding(OK, "printer", f"{m.printer}: online, paper ok")


def check_audio(m: Machine) -> Finding:
    """A sound card (ALSA) or a sound server (PulseAudio/PipeWire) to play on."""
    cards = Path("/proc/asound/cards")
    text = cards.read_text(errors="replace").strip() if cards.exists() else ""
    if text and "no soundcards" not in text:
        first = text.splitlines()[0].split(":", 1)[-1].strip()
        return Finding(OK, "audio", f"sound card: {first}")
    if shutil.which("pactl"):
        done = m.run(["pactl", "info"], capture_output=True, text=True, timeout=HTTP_TIMEOUT_S)
        if done.returncode == 0:
            return Finding(OK, "audio", "sound server answers (pactl info)")
    return Finding(FAIL, "audio", "no sound card and no sound server: calls cannot be heard")


def check_voices(m: Machine) -> Finding:
    from shared.speech.engines import EspeakCliEngine
    from shared.speech.errors import SpeechError

    try:
        engine = EspeakCliEngine()
    except SpeechError as exc:
        return Finding(FAIL, "voices", str(exc))
    missing = []
    for lang in LANGS:
        try:
            engine.voice_for(lang)
        except SpeechError:
            missing.append(lang)
    if missing:
        return Finding(WARN if len(missing) < len(LANGS) else FAIL, "voices",
                       f"espeak-ng has no voice for {', '.join(missing)}")
    return Finding(OK, "voices", f"espeak-ng speaks {', '.join(LANGS)}")


def check_central(m: Machine) -> Finding:
    from server.shipping.link import CentralError, connect

    if not m.central_url:
        return Finding(FAIL, "central database", "no URL (--central-url or NOVBE_CENTRAL_URL)")
    try:
        with connect(m.central_url) as conn:
            row = conn.execute("SELECT count(*) FROM novbe.centres").fetchone()
            centres = row[0] if row else 0
    except CentralError as exc:
        return Finding(FAIL, "central database", str(exc))
    except Exception as exc:  # a missing schema, a refused query: said, not raised
        return Finding(FAIL, "central database", f"reachable, but: {str(exc).splitlines()[0]}")
    return Finding(OK, "central database", f"reachable, {centres} centres")


CHECKS: dict[str, tuple[Callable[[Machine], Finding | list[Finding]], ...]] = {
    "server": (check_config, check_database, check_serving, check_backup, check_disk,
               check_clock),
    "kiosk": (check_server, check_printer, check_audio, check_voices, check_clock),
    "board": (check_server, check_audio, check_voices, check_clock),
    "central": (check_central, check_clock),
}


def check_names(role: str) -> list[str]:
    """The names of a role's checks (what `novbe doctor --skip` takes)."""
    return [check.__name__.removeprefix("check_") for check in CHECKS[role]]


def examine(m: Machine, skip: frozenset[str] = frozenset()) -> list[Finding]:
    """Every check of the machine's role, in order, but those named in `skip`; a check that
    crashes is a finding too."""
    found: list[Finding] = []
    for check in CHECKS[m.role]:
        if check.__name__.removeprefix("check_") in skip:
            continue
        try:
            result = check(m)
        except Exception as exc:  # the doctor reports; it never dies on what it examines
            result = Finding(FAIL, check.__name__.removeprefix("check_"), f"the check failed: {exc!r}")
        found += result if isinstance(result, list) else [result]
    return found


def verdict(found: list[Finding]) -> int:
    """The exit code: the worst level found."""
    return max((EXIT[f.level] for f in found), default=0)
