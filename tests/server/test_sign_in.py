"""Sign-in as current practice has it: scrypt at OWASP's cost with rehash on the next sign-in,
a throttle that stops a guesser without locking colleagues out, and X-Forwarded-For ignored
unless a proxy is named."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import httpx
import pytest

from server.auth.accounts import SCRYPT_MAXMEM
from server.http.serving import ServeOptions
from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from tests.server.live import STAFF, LiveServer, live_server


def stored_hash(server: LiveServer, name: str) -> str:
    return server.accounts.db.conn.execute("SELECT password_hash FROM staff WHERE name = ?",
                                           (name,)).fetchone()[0]


def sign_in(client: httpx.Client, name: str, password: str, **headers: str) -> int:
    return client.post("/counter/login", data={"username": name, "password": password},
                       headers=headers).status_code


@pytest.mark.real_scrypt_cost     # the cost itself is what it proves
def test_passwords_are_hashed_at_owasp_cost(server: LiveServer):
    """New hashes are scrypt with N=2^17, r=8, p=1."""
    kind, n, r, p, _, _ = stored_hash(server, "aysel").split("$")
    assert (kind, int(n), int(r), int(p)) == ("scrypt", 2**17, 8, 1)


@pytest.mark.real_scrypt_cost     # the cost itself is what it proves
def test_an_old_hash_is_rehashed_on_the_next_sign_in(server: LiveServer):
    """A password stored at the old N=2^14 still signs in, and is stored at today's cost
    right after; the old hash is gone."""
    salt = secrets.token_bytes(16)
    old_digest = hashlib.scrypt(b"leyla-old-pass", salt=salt, n=2**14, r=8, p=1, dklen=32,
                                maxmem=SCRYPT_MAXMEM)
    old = f"scrypt${2**14}$8$1${salt.hex()}${old_digest.hex()}"
    with server.accounts.db.conn:
        server.accounts.db.conn.execute(
            "INSERT INTO staff(name, password_hash, created_at, updated_at) VALUES (?, ?, 0, 0)",
            ("leyla", old))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert sign_in(client, "leyla", "leyla-old-pass") == 303
    new = stored_hash(server, "leyla")
    assert new != old and new.startswith(f"scrypt${2**17}$8$1$")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert sign_in(client, "leyla", "leyla-old-pass") == 303
        assert sign_in(client, "leyla", "wrong-password") == 401


def test_a_guesser_does_not_lock_out_colleagues_at_the_same_address(server: LiveServer):
    """Five wrong passwords for aysel lock aysel's name at that address (429); rauf, signing
    in from the same address, still gets in — only slowed, never refused."""
    with httpx.Client(base_url=server.url, timeout=60) as attacker:
        for _ in range(5):
            assert sign_in(attacker, "aysel", "nope-nope") == 401
        locked = attacker.post("/counter/login", data={"username": "aysel",
                                                       "password": STAFF["aysel"]})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        for i in range(8):           # spraying other names from the same address
            assert sign_in(attacker, f"nobody{i}", "nope-nope") == 401
    with httpx.Client(base_url=server.url, timeout=60) as colleague:
        assert sign_in(colleague, "rauf", STAFF["rauf"]) == 303


def test_forwarded_for_is_ignored_by_default(server: LiveServer):
    """Without --forwarded-allow-ips a guesser cannot dodge the throttle by sending a new
    X-Forwarded-For with every attempt: all attempts count for its real address."""
    with httpx.Client(base_url=server.url, timeout=60) as attacker:
        codes = [sign_in(attacker, "aysel", "nope-nope", **{"X-Forwarded-For": f"10.0.0.{i}"})
                 for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_forwarded_for_is_trusted_from_a_named_proxy(db_path: Path, config: CentreConfig,
                                                     clock: FakeClock):
    """With the proxy's address named, X-Forwarded-For gives the client's address (so two
    visitors behind the proxy are throttled apart)."""
    options = ServeOptions(forwarded_allow_ips="127.0.0.1")
    with live_server(db_path, config, clock, options) as live, \
            httpx.Client(base_url=live.url, timeout=60) as proxy:
        for _ in range(5):
            assert sign_in(proxy, "aysel", "nope-nope", **{"X-Forwarded-For": "10.0.0.1"}) == 401
        assert sign_in(proxy, "aysel", "nope-nope", **{"X-Forwarded-For": "10.0.0.1"}) == 429
        assert sign_in(proxy, "aysel", STAFF["aysel"], **{"X-Forwarded-For": "10.0.0.2"}) == 303
