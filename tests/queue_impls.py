"""The queue implementations the contract suite runs against."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.core.model import reporting_role

QUEUE_KINDS = ["local", "remote"]


@contextmanager
def make_queue(kind: str, db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator:
    if kind == "local":
        q = LocalQueue(db_path, config, clock)
        try:
            yield q
        finally:
            q.close()
    elif kind == "remote":
        with remote_queue(db_path, config, clock) as q:
            yield q
    else:
        raise ValueError(kind)


class KioskAndCounterTokens(httpx.HTTPTransport):
    """One RemoteQueue acting as a remote kiosk, board and counter at once: the contract's
    counter operations go with a counter device's token, device reports with the token of the
    role that raises their kind (shared.core.model.reporting_role), everything else with a
    kiosk's. A
    counter operation that names its staff member goes as that staff member, signed in with
    the counter open: the server takes the staff name only from the signed-in identity."""

    def __init__(self, kiosk: str, counter: str, accounts: Any = None, board: str = ""):
        super().__init__()
        self.kiosk, self.counter, self.accounts, self.board = kiosk, counter, accounts, board
        self.sessions: dict[tuple[str, str], tuple[str, str]] = {}   # (staff, counter) → …
        self.staff_at: dict[str, str] = {}      # counter → the staff member signed in there

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        at_counter = request.method == "POST" and request.url.path.startswith("/api/counters/")
        body = json.loads(request.content) if at_counter and request.content else None
        staff = body.get("staff") if isinstance(body, dict) else None
        counter = request.url.path.split("/")[3] if at_counter else ""
        staff = staff or self.staff_at.get(counter)   # the one working there goes on acting
        if staff:
            cookie, csrf = self._signed_in(request.url, staff, counter,
                                           opening=request.url.path.endswith("/open"))
            self.staff_at[counter] = staff
            request.headers["Cookie"] = cookie
            request.headers["X-CSRF-Token"] = csrf
            request.headers.pop("Authorization", None)
        else:
            request.headers["Authorization"] = f"Bearer {self._token_for(request, at_counter)}"
        return super().handle_request(request)

    def _token_for(self, request: httpx.Request, at_counter: bool) -> str:
        if at_counter:
            return self.counter
        if request.url.path == "/api/devices/report" and request.content:
            kind = json.loads(request.content).get("kind")
            if reporting_role(str(kind)) == "board" and self.board:
                return self.board
        return self.kiosk

    def _signed_in(self, url: httpx.URL, staff: str, counter: str, opening: bool
                   ) -> tuple[str, str]:
        """A session of `staff` (made on first use) that has `counter` open."""
        from tests.server.live import add_account

        key = (staff, counter)
        if key not in self.sessions:
            password = f"{staff}-contract-pw"
            if staff not in self.accounts.staff_names():
                add_account(self.accounts, staff, password)
            with httpx.Client(base_url=f"{url.scheme}://{url.netloc.decode()}",
                              timeout=30) as client:
                assert client.post("/counter/login", data={"username": staff,
                                                           "password": password}).status_code == 303
                page = client.get("/counter", headers={"Accept": "text/html"}).text
                csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                cookie = f"novbe_session={client.cookies['novbe_session']}"
                if not opening:
                    opened = client.post(f"/api/counters/{counter}/open",
                                         headers={"X-CSRF-Token": csrf})
                    assert opened.status_code == 200, opened.text
            self.sessions[key] = (cookie, csrf)
        return self.sessions[key]


@contextmanager
def remote_queue(db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator:
    """A RemoteQueue talking to a real uvicorn on 127.0.0.1 over a LocalQueue on db_path
    (sharing the test's FakeClock), with fresh kiosk and counter device tokens."""
    from server.app import run_server_in_thread
    from server.auth.accounts import Accounts
    from shared.client.remote_queue import RemoteQueue

    local = LocalQueue(db_path, config, clock)
    accounts = Accounts(db_path)
    kiosk = accounts.add_device("contract-kiosk")
    counter = accounts.add_device("contract-counter", role="counter",
                                  counters=[c.id for c in config.counters])
    board = accounts.add_device("contract-board", role="board")
    handle = run_server_in_thread(local, config, accounts=accounts, clock=clock)
    remote = RemoteQueue(handle.url, kiosk,
                         transport=KioskAndCounterTokens(kiosk, counter, accounts, board))
    try:
        yield remote
    finally:
        remote.close()
        handle.stop()
        accounts.close()
        local.close()
