"""schemathesis over the live server's typed /openapi.json with all its checks: no generated input
gets a 5xx, every answer has a documented status, content type and body schema, and
schema-valid input is accepted while invalid input is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from tests.conftest import MONDAY_10AM
from tests.server.live import LiveServer, live_server

STREAMS = r"(/stream|/events)$"        # endless event streams are tested in test_events.py
FUZZ = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, config: CentreConfig) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("fuzz") / "queue.sqlite", config,
                     FakeClock(MONDAY_10AM)) as server:
        for service in ("employment.job-seeker", "pensions.age"):
            server.queue.issue(service)
        yield server


def fuzz_every_operation(live: LiveServer, headers: dict[str, str], negative: bool = False) -> int:
    """Run generated cases (schema-breaking ones if `negative`) against each operation; return
    how many operations were fuzzed."""
    # imported here, not at the top: every xdist worker collects this module, and schemathesis
    # costs each ~3 CPU-s to import (the edit-test loop never runs these tests)
    import schemathesis
    from schemathesis import GenerationMode

    mode = GenerationMode.NEGATIVE if negative else GenerationMode.POSITIVE
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json").exclude(path_regex=STREAMS)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        @FUZZ
        @given(case=operation.as_strategy(mode))
        def no_server_error(case) -> None:
            case.call_and_validate(base_url=live.url, headers=headers, timeout=10)
        try:
            no_server_error()
        except Unsatisfiable:       # nothing to break in an operation without inputs
            assert mode == GenerationMode.NEGATIVE
    return len(operations)


def test_no_server_error_as_a_device(live: LiveServer):
    """With a valid device token every operation answers generated input without a 5xx."""
    assert fuzz_every_operation(live, {"Authorization": f"Bearer {live.device_token}"}) >= 20


def test_no_server_error_as_a_counter_device(live: LiveServer):
    """With a counter device's token (which may act for counters) no operation gives a 5xx."""
    assert fuzz_every_operation(live, {"Authorization": f"Bearer {live.counter_token}"}) >= 20


def test_no_server_error_on_invalid_input(live: LiveServer):
    """Input that breaks the schema on purpose gets a 4xx, never a 5xx."""
    assert fuzz_every_operation(live, {"Authorization": f"Bearer {live.device_token}"},
                                negative=True) >= 20


def test_no_server_error_anonymous(live: LiveServer):
    """Without credentials every operation answers without a 5xx (mostly 401/404/422)."""
    assert fuzz_every_operation(live, {}) >= 20
