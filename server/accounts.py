"""Who may change the queue over HTTP: staff accounts (scrypt-hashed passwords), device tokens
(only their SHA-256 is stored) and staff sign-in sessions — all in the queue's SQLite file."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import store
from shared.errors import NovbeError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8
SESSION_SECONDS = 12 * 3600
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
DEVICE_ROLES = ("kiosk", "board", "counter")   # what a device token may do: see server.auth
STAFF_ROLES = ("counter", "manager")           # a manager also opens /manager and its reports


class AccountError(NovbeError):
    """A staff account or device name is unknown, taken or not acceptable."""


class NotAuthorised(NovbeError):
    """The request has no valid staff session or device token for what it asks."""

    http_status = 401


class Forbidden(NovbeError):
    """The signed-in staff member may not do this (another counter, a missing CSRF token…)."""

    http_status = 403


@dataclass
class Session:
    """A signed-in staff member, with the counter they opened (if any)."""

    id_hash: str
    staff: str
    csrf: str
    counter: str | None
    expires_at: float


def hash_password(password: str, salt: bytes | None = None) -> str:
    """scrypt$N$r$p$salt$hash — a real KDF, salted."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches a hash_password() result (constant-time compare)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(digest) // 2)
    except (ValueError, UnicodeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise AccountError(f"a staff role is one of {', '.join(STAFF_ROLES)}; got {role!r}")


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise AccountError(f"{what} name must be 1–64 letters, digits, '_', '.', '@' or '-'; "
                           f"got {name!r}")
    return name


class Accounts:
    """Staff, devices and sessions, over their own connection to the queue database."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = store.connect(self.path)
        self._conn = self.db.conn
        self._lock = threading.RLock()
        self._dummy_hash = hash_password(secrets.token_hex(8))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _one(self, sql: str, params: Any = ()) -> Any:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def _write(self, sql: str, params: Any = ()) -> int:
        with self._lock, store.write(self.db):
            return self._conn.execute(sql, params).rowcount

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
        """Make a staff member a manager or counter staff again."""
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
        with self._lock:
            return dict(self._conn.execute("SELECT name, role FROM staff ORDER BY name"))

    def set_password(self, name: str, password: str) -> None:
        self._check_password(password)
        with self._lock, store.write(self.db):
            if not self._conn.execute("UPDATE staff SET password_hash = ?, updated_at = ? "
                                      "WHERE name = ?",
                                      (hash_password(password), time.time(), name)).rowcount:
                raise AccountError(f"no staff member {name!r}")
            self._conn.execute("DELETE FROM sessions WHERE staff = ?", (name,))

    def remove_staff(self, name: str) -> None:
        with self._lock, store.write(self.db):
            self._conn.execute("DELETE FROM sessions WHERE staff = ?", (name,))
            if not self._conn.execute("DELETE FROM staff WHERE name = ?", (name,)).rowcount:
                raise AccountError(f"no staff member {name!r}")

    def staff_names(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT name FROM staff ORDER BY name")]

    def check_password(self, name: str, password: str) -> bool:
        """Whether name/password is a staff account (same work whether or not the name exists)."""
        row = self._one("SELECT password_hash FROM staff WHERE name = ?", (name,))
        ok = verify_password(password, row[0] if row else self._dummy_hash)
        return bool(row) and ok

    @staticmethod
    def _check_password(password: str) -> None:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")

    # ---- devices ------------------------------------------------------------------------
    def add_device(self, name: str, role: str = "kiosk") -> str:
        """Register a kiosk, board or remote counter; returns its token (shown once, never
        stored)."""
        _check_name(name, "device")
        if role not in DEVICE_ROLES:
            raise AccountError(f"a device role is one of {', '.join(DEVICE_ROLES)}; got {role!r}")
        if self._one("SELECT 1 FROM device_tokens WHERE name = ?", (name,)):
            raise AccountError(f"device {name!r} exists already (remove it first)")
        token = secrets.token_urlsafe(32)
        self._write("INSERT INTO device_tokens(name, token_hash, created_at, role) "
                    "VALUES (?, ?, ?, ?)", (name, _sha(token), time.time(), role))
        return token

    def remove_device(self, name: str) -> None:
        if not self._write("DELETE FROM device_tokens WHERE name = ?", (name,)):
            raise AccountError(f"no device {name!r}")

    def device_names(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT name FROM device_tokens ORDER BY name")]

    def device_roles(self) -> dict[str, str]:
        """Each device's role, by name."""
        with self._lock:
            return dict(self._conn.execute("SELECT name, role FROM device_tokens ORDER BY name"))

    def device_for(self, token: str) -> str | None:
        """The device name of a token, or None if it is unknown or revoked."""
        found = self.device(token)
        return found[0] if found else None

    def device(self, token: str) -> tuple[str, str] | None:
        """(name, role) of a token's device, or None if it is unknown or revoked."""
        row = self._one("SELECT name, role FROM device_tokens WHERE token_hash = ?",
                        (_sha(token),))
        return (row[0], row[1]) if row else None

    # ---- sessions -----------------------------------------------------------------------
    def start_session(self, staff: str) -> tuple[str, Session]:
        """A new session for a signed-in staff member: (cookie value, session)."""
        sid = secrets.token_urlsafe(32)
        session = Session(_sha(sid), staff, secrets.token_urlsafe(24), None,
                          time.time() + SESSION_SECONDS)
        with self._lock, store.write(self.db):
            self._conn.execute("DELETE FROM sessions WHERE expires_at < ?", (time.time(),))
            self._conn.execute(
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
        with self._lock:
            return {r[0] for r in self._conn.execute(
                "SELECT DISTINCT staff FROM sessions WHERE counter = ? AND expires_at >= ?",
                (counter, time.time()))}

    def end_session(self, session: Session) -> None:
        self._write("DELETE FROM sessions WHERE id_hash = ?", (session.id_hash,))


def ensure_staff(db: str | Path | Any, name: str, password: str) -> None:
    """Make sure a staff account exists with this password (for the demo); `db` is the
    database path or a LocalQueue (its `.path`)."""
    accounts = Accounts(getattr(db, "path", db))
    try:
        if name in accounts.staff_names():
            if not accounts.check_password(name, password):
                accounts.set_password(name, password)
        else:
            accounts.add_staff(name, password)
    finally:
        accounts.close()
