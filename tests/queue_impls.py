"""The queue implementations the contract suite runs against."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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
        pytest.skip("RemoteQueue arrives with the server (issue 6)")
    else:
        raise ValueError(kind)
