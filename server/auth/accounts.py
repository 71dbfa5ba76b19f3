"""Who may change the queue over HTTP: staff accounts (scrypt-hashed passwords), device tokens
(only their SHA-256 is stored) and staff sign-in sessions — all in the queue's SQLite file."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.auth import accounts_schema
from shared.core.errors import NovbeError, QueueUnavailable
from shared.store import database as store

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
COUNTER_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MIN_PASSWORD = 8
SESSION_SECONDS = 12 * 3600
# OWASP Password Storage Cheat Sheet (2024–): scrypt N=2^17, r=8, p=1 — 128 MiB and about
# 0.4 s per hash on this class of machine. Older hashes are rehashed on the next sign-in.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SCRYPT_MAXMEM = 2**28          # OpenSSL's default 32 MiB would refuse N=2^17
WRITE_WAIT_MS = 2_000          # an account write that cannot get the database by then: 503
DEVICE_ROLES = ("kiosk", "board", "counter")   # what a device token may do: see server.auth.caller
STAFF_ROLES = ("counter", "manager", "volunteer", "it", "reception", "booking")   # a manager
# also opens /manager and its reports; a volunteer only the /assist page (issues tickets for
# visitors, answers help requests); IT the devices page (/manager/devices); reception the
# booking desk (/desk, which managers may use too); booking (on `novbe central serve`) the 142
# call centre's booking desk


class AccountError(NovbeError):
    """A staff account or device name is unknown, taken or not acceptable."""


class NotAuthorised(NovbeError):
    """The request has no valid staff session or device token for what it asks."""


class Forbidden(NovbeError):
    """The signed-in staff member may not do this (another counter, a missing CSRF token…)."""


@dataclass
class Session:
    """A signed-in staff member, with the counter they opened (if any)."""

    id_hash: str
    staff: str
    csrf: str
    counter: str | None
    expires_at: float


@dataclass(frozen=True)
class Device:
    """A device token's owner: its name, role and (counter devices) the counters it serves."""

    name: str
    role: str
    token_hash: str
    counters: frozenset[str] = frozenset()


def hash_password(password: str, salt: bytes | None = None) -> str:
    """scrypt$N$r$p$salt$hash — a real KDF, salted."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32, maxmem=SCRYPT_MAXMEM)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches a hash_password() result (constant-time compare)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(digest) // 2, maxmem=SCRYPT_MAXMEM)
    except (ValueError, UnicodeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made at another cost than today's."""
    return not stored.startswith(f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")


def token_hash(text: str) -> str:
    """How a device token or session id is stored (and looked up): its SHA-256."""
    return hashlib.sha256(text.encode()).hexdigest()


_sha = token_hash


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise AccountError(f"a staff role is one of {', '.join(STAFF_ROLES)}; got {role!r}")


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise AccountError(f"{what} name must be 1–64 letters, digits, '_', '.', '@' or '-'; "
                           f"got {name!r}")
    return name


class Accounts:
    """Staff, devices and sessions in the queue database. Writes go through one connection
    (short, BEGIN IMMEDIATE, a short busy wait); look-ups use a read connection per thread and
    no Python lock, so a sign-in waiting for the database never holds up a session check."""

    def __init__(self, path: str | Path, write_wait_ms: int = WRITE_WAIT_MS):
        self.path = Path(path)
        self.db = store.connect(self.path)
        self._conn = self.db.conn
        self._conn.execute(f"PRAGMA busy_timeout = {int(write_wait_ms)}")
        accounts_schema.migrate(self.db, self.path)
        self._lock = threading.RLock()
        self._readers = threading.local()
        self._all_readers: list[store.ReadConnection] = []
        self._closed = False
        self._dummy: str | None = None

    def close(self) -> None:
        with self._lock:
            readers, self._all_readers = self._all_readers, []
            self._closed = True
        for reader in readers:
            reader.close()
        with self._lock:
            self._conn.close()

    def _reader(self) -> store.ReadConnection:
        reader: store.ReadConnection | None = getattr(self._readers, "reader", None)
        if reader is None:
            with self._lock:
                if self._closed:
                    raise QueueUnavailable(f"the accounts of {self.path} are closed")
                reader = store.ReadConnection(self.path, store.BUSY_TIMEOUT_MS / 1000)
                self._all_readers.append(reader)
            self._readers.reader = reader
        return reader

    def _one(self, sql: str, params: Any = ()) -> Any:
        with self._reader().using() as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Any = ()) -> list[Any]:
        with self._reader().using() as conn:
            return conn.execute(sql, params).fetchall()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, store.write(self.db):
            yield self._conn

    def _write(self, sql: str, params: Any = ()) -> int:
        with self._tx() as conn:
            return conn.execute(sql, params).rowcount

    # ---- staff --------------------------------------------------------------------------
    def add_staff(self, name: str, password: str, role: str = "counter") -> None:
        _check_name(name, "staff")
        _check_role(role)
        self._check_password(password)
        if self._one("SELECT 1 FROM staff WHERE name = ?", (name,)):
            raise AccountError(f"staff member {name!r} exists already (use `novbe staff passwd`)")
        now = time.time()
        self._write("INSERT INTO staff(name, password_hash, created_at, updated_at, role) "
                    "VALUES (?, ?, ?, ?, ?)", (name, hash_password(password), now, now, role))

    def set_role(self, name: str, role: str) -> None:
        """Make a staff member a manager, a volunteer or counter staff again."""
        _check_role(role)
        if not self._write("UPDATE staff SET role = ?, updated_at = ? WHERE name = ?",
                           (role, time.time(), name)):
            raise AccountError(f"no staff member {name!r}")

    def role_of(self, name: str) -> str | None:
        """A staff member's role, or None for an unknown name."""
        row = self._one("SELECT role FROM staff WHERE name = ?", (name,))
        return row[0] if row else None

    def staff_roles(self) -> dict[str, str]:
        """Each staff member's role, by name."""
        return {r[0]: r[1] for r in self._all("SELECT name, role FROM staff ORDER BY name")}

    def set_password(self, name: str, password: str) -> None:
        self._check_password(password)
        hashed = hash_password(password)
        with self._tx() as conn:
            if not conn.execute("UPDATE staff SET password_hash = ?, updated_at = ? "
                                "WHERE name = ?", (hashed, time.time(), name)).rowcount:
                raise AccountError(f"no staff member {name!r}")
            conn.execute("DELETE FROM sessions WHERE staff = ?", (name,))

    def remove_staff(self, name: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM sessions WHERE staff = ?", (name,))
            if not conn.execute("DELETE FROM staff WHERE name = ?", (name,)).rowcount:
                raise AccountError(f"no staff member {name!r}")

    def staff_names(self) -> list[str]:
        return [r[0] for r in self._all("SELECT name FROM staff ORDER BY name")]

    def check_password(self, name: str, password: str) -> bool:
        """Whether name/password is a staff account (same work whether or not the name exists).
        A right password stored at an older cost is rehashed at today's."""
        row = self._one("SELECT password_hash FROM staff WHERE name = ?", (name,))
        stored = row[0] if row else self._dummy_hash()
        ok = verify_password(password, stored) and bool(row)
        if ok and needs_rehash(stored):
            self._rehash(name, password, stored)
        return ok

    def _rehash(self, name: str, password: str, old: str) -> None:
        hashed = hash_password(password)
        with self._tx() as conn:   # only if nobody changed the password meanwhile
            conn.execute("UPDATE staff SET password_hash = ?, updated_at = ? "
                         "WHERE name = ? AND password_hash = ?", (hashed, time.time(), name, old))

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = hash_password(secrets.token_hex(8))
        return self._dummy

    @staticmethod
    def _check_password(password: str) -> None:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")

    # ---- devices ------------------------------------------------------------------------
    def add_device(self, name: str, role: str = "kiosk",
                   counters: tuple[str, ...] | list[str] = ()) -> str:
        """Register a kiosk, board or remote counter (with the counters it may act for);
        returns its token (shown once, never stored)."""
        _check_name(name, "device")
        if role not in DEVICE_ROLES:
            raise AccountError(f"a device role is one of {', '.join(DEVICE_ROLES)}; got {role!r}")
        counters = self._check_counters(role, counters)
        if self._one("SELECT 1 FROM device_tokens WHERE name = ?", (name,)):
            raise AccountError(f"device {name!r} exists already (remove it first)")
        token = secrets.token_urlsafe(32)
        while token.startswith("-"):      # `--token -abc…` would read as an option
            token = secrets.token_urlsafe(32)
        with self._tx() as conn:
            conn.execute("INSERT INTO device_tokens(name, token_hash, created_at, role) "
                         "VALUES (?, ?, ?, ?)", (name, _sha(token), time.time(), role))
            conn.executemany("INSERT INTO device_counters(device, counter) VALUES (?, ?)",
                             [(name, c) for c in counters])
        return token

    @staticmethod
    def _check_counters(role: str, counters: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        counters = tuple(dict.fromkeys(str(c).strip() for c in counters if str(c).strip()))
        if counters and role != "counter":
            raise AccountError(f"only counter devices act for counters, not a {role} device")
        bad = [c for c in counters if not COUNTER_RE.match(c)]
        if bad:
            raise AccountError(f"a counter id is 1–16 letters, digits, '_' or '-'; got {bad[0]!r}")
        return counters

    def set_device_counters(self, name: str, counters: tuple[str, ...] | list[str]) -> None:
        """The counters a counter device may act for, replacing what it had."""
        row = self._one("SELECT role FROM device_tokens WHERE name = ?", (name,))
        if row is None:
            raise AccountError(f"no device {name!r}")
        counters = self._check_counters(row[0], counters)
        if row[0] != "counter":
            raise AccountError(f"device {name!r} is a {row[0]} device; only counter devices "
                               "act for counters")
        with self._tx() as conn:
            conn.execute("DELETE FROM device_counters WHERE device = ?", (name,))
            conn.executemany("INSERT INTO device_counters(device, counter) VALUES (?, ?)",
                             [(name, c) for c in counters])

    def remove_device(self, name: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM device_counters WHERE device = ?", (name,))
            if not conn.execute("DELETE FROM device_tokens WHERE name = ?", (name,)).rowcount:
                raise AccountError(f"no device {name!r}")

    def device_names(self) -> list[str]:
        return [r[0] for r in self._all("SELECT name FROM device_tokens ORDER BY name")]

    def device_roles(self) -> dict[str, str]:
        """Each device's role, by name."""
        return dict(self._all("SELECT name, role FROM device_tokens ORDER BY name"))

    def device_counters(self) -> dict[str, list[str]]:
        """The counters each counter device may act for, by device name."""
        found: dict[str, list[str]] = {}
        for device, counter in self._all("SELECT device, counter FROM device_counters "
                                         "ORDER BY device, counter"):
            found.setdefault(device, []).append(counter)
        return found

    def device_for(self, token: str) -> str | None:
        """The device name of a token, or None if it is unknown or revoked."""
        found = self.device(token)
        return found[0] if found else None

    def device(self, token: str) -> tuple[str, str] | None:
        """(name, role) of a token's device, or None if it is unknown or revoked."""
        found = self.device_identity(token)
        return (found.name, found.role) if found else None

    def device_identity(self, token: str) -> Device | None:
        """The device a token belongs to (with its counters), or None if unknown or revoked."""
        hashed = _sha(token)
        row = self._one("SELECT name, role, (SELECT group_concat(counter, char(31)) FROM "
                        "device_counters WHERE device = device_tokens.name) FROM device_tokens "
                        "WHERE token_hash = ?", (hashed,))
        if row is None:
            return None
        return Device(row[0], row[1], hashed,
                      frozenset(row[2].split("\x1f")) if row[2] else frozenset())

    # ---- sessions -----------------------------------------------------------------------
    def start_session(self, staff: str) -> tuple[str, Session]:
        """A new session for a signed-in staff member: (cookie value, session)."""
        sid = secrets.token_urlsafe(32)
        session = Session(_sha(sid), staff, secrets.token_urlsafe(24), None,
                          time.time() + SESSION_SECONDS)
        with self._tx() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (time.time(),))
            conn.execute(
                "INSERT INTO sessions(id_hash, staff, csrf, counter, created_at, expires_at) "
                "VALUES (?, ?, ?, NULL, ?, ?)",
                (session.id_hash, staff, session.csrf, time.time(), session.expires_at))
        return sid, session

    def session(self, sid: str) -> Session | None:
        row = self._one("SELECT id_hash, staff, csrf, counter, expires_at FROM sessions "
                        "WHERE id_hash = ?", (_sha(sid),))
        if not row or row[4] < time.time():
            return None
        return Session(*row)

    def set_session_counter(self, session: Session, counter: str | None) -> None:
        self._write("UPDATE sessions SET counter = ? WHERE id_hash = ?", (counter, session.id_hash))
        session.counter = counter

    def staff_at(self, counter: str) -> set[str]:
        """The staff members with a live session that has this counter open."""
        return {r[0] for r in self._all(
            "SELECT DISTINCT staff FROM sessions WHERE counter = ? AND expires_at >= ?",
            (counter, time.time()))}

    def counter_staff(self, counter: str) -> str | None:
        """The staff member a counter is open (or paused) for, as committed now."""
        row = self._one("SELECT staff FROM counters WHERE id = ? AND state != 'closed'",
                        (counter,))
        return row[0] if row else None

    def end_session(self, session: Session) -> None:
        self._write("DELETE FROM sessions WHERE id_hash = ?", (session.id_hash,))

    def live_credentials(self) -> frozenset[str]:
        """The hashes of every device token and live session now: an open event stream whose
        credential is not among them has lost its right to exist."""
        rows = self._all("SELECT token_hash FROM device_tokens UNION ALL "
                         "SELECT id_hash FROM sessions WHERE expires_at >= ?", (time.time(),))
        return frozenset(r[0] for r in rows)


def ensure_staff(db: str | Path, name: str, password: str, role: str = "counter") -> None:
    """Make sure a staff account exists with this password and role (for the demo), in the
    queue's database file `db`."""
    accounts = Accounts(db)
    try:
        if name in accounts.staff_names():
            if not accounts.check_password(name, password):
                accounts.set_password(name, password)
            if accounts.role_of(name) != role:
                accounts.set_role(name, role)
        else:
            accounts.add_staff(name, password, role)
    finally:
        accounts.close()
