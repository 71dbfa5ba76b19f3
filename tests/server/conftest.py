"""Fixtures of the server tests: a live server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from tests.server.live import LiveServer, live_server


@pytest.fixture
def server(db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator[LiveServer]:
    """A real uvicorn over a LocalQueue on the test's database, with staff and a device."""
    with live_server(db_path, config, clock) as live:
        yield live
