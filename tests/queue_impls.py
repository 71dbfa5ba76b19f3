"""The queue implementations the contract suite runs against."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def remote_queue(db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator:
    """A RemoteQueue talking to a real uvicorn on 127.0.0.1 over a LocalQueue on db_path
    (sharing the test's FakeClock), with a fresh device token."""
    from server.accounts import Accounts
    from server.app import run_server_in_thread
    from shared.remote_queue import RemoteQueue

    local = LocalQueue(db_path, config, clock)
    accounts = Accounts(db_path)
    token = accounts.add_device("contract-tests")
    handle = run_server_in_thread(local, config, accounts=accounts, clock=clock)
    remote = RemoteQueue(handle.url, token)
    try:
        yield remote
    finally:
        remote.close()
        handle.stop()
        accounts.close()
        local.close()
