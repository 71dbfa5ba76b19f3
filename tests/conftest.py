"""Fixtures every test folder shares: the DOST config, a fake clock in Asia/Baku, queues."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from shared.config.centre import CentreConfig, load_config  # noqa: E402
from shared.core.clock import FakeClock  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402
from tests.queue_impls import QUEUE_KINDS, make_queue  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# Monday 23 November 2026, 10:00 in Baku (UTC+4): the centre is open.
MONDAY_10AM = "2026-11-23T06:00:00+00:00"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into the real user data dir."""
    monkeypatch.setenv("NOVBE_DATA", str(tmp_path_factory.mktemp("novbe-data")))


@pytest.fixture(scope="session")
def config() -> CentreConfig:
    return load_config()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_10AM)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "queue.sqlite"


@pytest.fixture
def local_queue(db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator[LocalQueue]:
    q = LocalQueue(db_path, config, clock)
    yield q
    q.close()


@pytest.fixture(params=QUEUE_KINDS)
def queue(request: pytest.FixtureRequest, db_path: Path, config: CentreConfig, clock: FakeClock):
    """The queue contract, once per implementation (LocalQueue, RemoteQueue over real uvicorn)."""
    with make_queue(request.param, db_path, config, clock) as q:
        yield q


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests save screenshots, ticket images and WAVs for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
