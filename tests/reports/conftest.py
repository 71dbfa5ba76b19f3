"""Fixtures of the report tests: a queue on the fake clock and its fact store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.facts import FactStore


@pytest.fixture
def facts(local_queue: LocalQueue, config: CentreConfig) -> Iterator[FactStore]:
    store = FactStore(local_queue.path, config)
    yield store
    store.close()


def refreshed(store: FactStore, clock: FakeClock) -> FactStore:
    store.refresh(clock.now().timestamp())
    return store


__all__ = ["Path", "refreshed"]


@pytest.fixture
def server(db_path: Path, config: CentreConfig, clock: FakeClock):
    """A real uvicorn over the test's queue, with aysel made a manager (rauf stays counter staff)."""
    from tests.server.live import live_server

    with live_server(db_path, config, clock) as live:
        live.accounts.set_role("aysel", "manager")
        yield live
