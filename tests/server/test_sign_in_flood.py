"""Password checks bounded on every server with a fair share per address: a flood of wrong
passwords from 8 addresses (3 in flight each; bench/sign_in.py floods from 20) neither takes
the server's threads and memory nor holds a colleague's real sign-in — on the centre's server
and on `novbe central serve`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from central.app import create_central_app
from server.auth.accounts import Accounts
from server.auth.sign_in import PASSWORD_SLOTS
from server.http.fair_gate import FairGate
from server.http.serving import listening_socket
from tests.server.flood import SignInFlood, flood_addresses
from tests.server.live import STAFF, LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.real_scrypt_cost]   # a flood of checks at their cost
REAL_SIGN_IN_S = 15      # the colleague's client gives up after this (was ~24 s to wait)
FLOODERS = 8


def under_way(flood: SignInFlood, gate: FairGate) -> bool:
    """Every flooding address was answered once (so each is a suspect, kept to the one
    unreserved check), and the flood keeps the gate busy with more waiting."""
    return flood.answers["401"] >= FLOODERS and gate.running >= 1 and gate.waiting >= FLOODERS


def test_centre_sign_in_holds_under_a_flood(server: LiveServer):
    """With 8 addresses flooding /counter/login, aysel still signs in (her client allows
    15 s) and never more than two passwords are checked at once."""
    gate: FairGate = server.handle.app.state.password_gate
    with SignInFlood(server.url, "/counter/login", flood_addresses(FLOODERS)) as flood:
        flood.wait_for(lambda: under_way(flood, gate), seconds=180)
        with httpx.Client(base_url=server.url, timeout=REAL_SIGN_IN_S) as colleague:
            answer = colleague.post("/counter/login", data={"username": "aysel",
                                                            "password": STAFF["aysel"]})
        assert answer.status_code == 303
        assert gate.running <= PASSWORD_SLOTS
    assert set(flood.answers) <= {"401", "429"}


@contextmanager
def national_server(accounts: Accounts) -> Iterator[tuple[str, FairGate]]:
    """`novbe central serve`'s app on real uvicorn; its sign-in needs no database."""
    app = create_central_app("postgresql://nobody@127.0.0.1:1/none", accounts)
    sock = listening_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the national reports server did not start")
            thread.join(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", app.state.password_gate
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def test_central_sign_in_holds_under_a_flood(tmp_path: Path):
    """The national server checks passwords through the same gate: under the flood an agency
    user signs in and at most two checks run at once (was: Starlette's 40 threads)."""
    accounts = Accounts(tmp_path / "agency.sqlite")
    accounts.add_staff("ministry", "agency-password-1", role="manager")
    try:
        with national_server(accounts) as (url, gate), \
                SignInFlood(url, "/login", flood_addresses(FLOODERS)) as flood:
            flood.wait_for(lambda: under_way(flood, gate), seconds=180)
            with httpx.Client(base_url=url, timeout=REAL_SIGN_IN_S) as user:
                answer = user.post("/login", data={"username": "ministry",
                                                   "password": "agency-password-1"})
            assert answer.status_code == 303
            assert gate.running <= PASSWORD_SLOTS
        assert set(flood.answers) <= {"401", "429"}
    finally:
        accounts.close()
