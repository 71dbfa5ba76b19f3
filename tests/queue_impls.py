"""The queue implementations the contract suite runs against."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from shared.clock import FakeClock
from shared.config import CentreConfig
from shared.local_queue import LocalQueue

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
    """One RemoteQueue acting as a remote kiosk and a remote counter at once: the contract's
    counter operations go with a counter device's token, everything else with a kiosk's."""

    def __init__(self, kiosk: str, counter: str):
        super().__init__()
        self.kiosk, self.counter = kiosk, counter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        at_counter = request.method == "POST" and request.url.path.startswith("/api/counters/")
        request.headers["Authorization"] = f"Bearer {self.counter if at_counter else self.kiosk}"
        return super().handle_request(request)


@contextmanager
def remote_queue(db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator:
    """A RemoteQueue talking to a real uvicorn on 127.0.0.1 over a LocalQueue on db_path
    (sharing the test's FakeClock), with fresh kiosk and counter device tokens."""
    from server.accounts import Accounts
    from server.app import run_server_in_thread
    from shared.remote_queue import RemoteQueue

    local = LocalQueue(db_path, config, clock)
    accounts = Accounts(db_path)
    kiosk = accounts.add_device("contract-kiosk")
    counter = accounts.add_device("contract-counter", role="counter")
    handle = run_server_in_thread(local, config, accounts=accounts, clock=clock)
    remote = RemoteQueue(handle.url, kiosk, transport=KioskAndCounterTokens(kiosk, counter))
    try:
        yield remote
    finally:
        remote.close()
        handle.stop()
        accounts.close()
        local.close()
