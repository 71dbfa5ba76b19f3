"""A real server for tests: uvicorn on 127.0.0.1 (free port) in a thread, over a LocalQueue on
the test's database file and fake clock, with two staff accounts and a device token of each
role (kiosk, counter, board)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from server.app import ServerHandle, run_server_in_thread
from server.auth import accounts as accounts_module
from server.auth.accounts import Accounts, hash_password
from server.http.serving import ServeOptions
from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue

STAFF = {"aysel": "aysel-secret-1", "rauf": "rauf-secret-22"}


@dataclass
class LiveServer:
    """What a test needs of a running server."""

    url: str
    queue: LocalQueue
    accounts: Accounts
    device_token: str             # a kiosk's
    clock: FakeClock
    handle: ServerHandle
    db_path: Path
    counter_token: str = ""
    board_token: str = ""

    def device_client(self, role: str = "kiosk") -> httpx.Client:
        token = {"kiosk": self.device_token, "counter": self.counter_token,
                 "board": self.board_token}[role]
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {token}"})

    def staff_client(self, name: str = "aysel", counter: str | None = None) -> StaffClient:
        client = StaffClient(self.url)
        client.sign_in(name, STAFF[name])
        if counter is not None:
            client.open_counter(counter)
        return client

    def restart(self) -> None:
        """Start the server again on the same port (after handle.stop())."""
        self.handle = run_server_in_thread(self.queue, self.queue.config, port=self.handle.port,
                                           accounts=self.accounts, clock=self.clock)


class StaffClient(httpx.Client):
    """A staff member's browser-like client: session cookie + CSRF header."""

    def __init__(self, url: str):
        super().__init__(base_url=url, timeout=30, follow_redirects=False)
        self.csrf = ""

    def sign_in(self, name: str, password: str) -> httpx.Response:
        response = self.post("/counter/login", data={"username": name, "password": password})
        if response.status_code == 303:
            session = self.app_session()
            self.csrf = session.csrf if session else ""
        return response

    def app_session(self):  # the CSRF token is read from the console page as a browser would
        page = self.get("/counter", headers={"Accept": "text/html"}).text
        marker = 'name="csrf" value="'
        if marker not in page:
            return None
        token = page.split(marker, 1)[1].split('"', 1)[0]
        return type("S", (), {"csrf": token})()

    def open_counter(self, counter: str) -> httpx.Response:
        return self.api("POST", f"/api/counters/{counter}/open")

    def api(self, method: str, path: str, **kw) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.request(method, path, headers=headers, **kw)


_HASHES: dict[tuple[str, int], str] = {}


def stored_hash(password: str) -> str:
    """A real scrypt hash of `password` at the test's cost (tests/conftest.py: today's for the
    tests marked real_scrypt_cost, ~0.6 CPU-s and 128 MiB), made once per test process and cost
    and reused: signing in still verifies it at that cost."""
    key = (password, accounts_module.SCRYPT_N)
    if key not in _HASHES:
        _HASHES[key] = hash_password(password)
    return _HASHES[key]


def add_account(accounts: Accounts, name: str, password: str, role: str = "counter") -> None:
    """A staff member stored as Accounts.add_staff stores one, with the process's hash."""
    with accounts.db.conn:
        accounts.db.conn.execute(
            "INSERT INTO staff(name, password_hash, created_at, updated_at, role) "
            "VALUES (?, ?, 0, 0, ?)", (name, stored_hash(password), role))


def add_staff(accounts: Accounts) -> None:
    """The STAFF accounts (counter staff)."""
    for name, password in STAFF.items():
        add_account(accounts, name, password)


@contextmanager
def live_server(db_path: Path, config: CentreConfig, clock: FakeClock,
                options: ServeOptions | None = None) -> Iterator[LiveServer]:
    queue = LocalQueue(db_path, config, clock)
    accounts = Accounts(db_path)
    add_staff(accounts)
    token = accounts.add_device("test-device")
    counter_token = accounts.add_device("test-counter", role="counter",
                                        counters=[c.id for c in config.counters])
    board_token = accounts.add_device("test-board", role="board")
    handle = run_server_in_thread(queue, config, accounts=accounts, clock=clock, options=options)
    server = LiveServer(handle.url, queue, accounts, token, clock, handle, db_path,
                        counter_token, board_token)
    try:
        yield server
    finally:
        server.handle.stop()
        accounts.close()
        queue.close()
