"""Fixtures every test folder shares: the DOST config, a fake clock in Asia/Baku, queues."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A folder the whole run shares (every xdist worker inherits the variable from the first
# process, which removes the folder at its exit): what is made once per run lives there.
if "NOVBE_TEST_RUN_DIR" not in os.environ:
    os.environ["NOVBE_TEST_RUN_DIR"] = tempfile.mkdtemp(prefix="novbe-run-")
    os.chmod(os.environ["NOVBE_TEST_RUN_DIR"], 0o755)   # the package's files: read by every user
    atexit.register(shutil.rmtree, os.environ["NOVBE_TEST_RUN_DIR"], True)

# python-escpos parses its printer capabilities (96 kB of YAML, ~0.35 CPU-s) at import into a new
# temporary folder unless told where to keep the parsed copy: here it is parsed once, by the
# first process of the run, and every xdist worker and CLI process the tests start (they inherit
# the variable) reads the copy instead.
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = tempfile.mkdtemp(prefix="novbe-escpos-")
    atexit.register(shutil.rmtree, os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], True)
    import escpos.capabilities  # noqa: E402,F401  (writes the copy before any other process reads)

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from shared.config.centre import CentreConfig, load_config  # noqa: E402
from shared.core.clock import FakeClock  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402
from tests.file_order import longest_files_first  # noqa: E402
from tests.queue_impls import QUEUE_KINDS, make_queue  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# Monday 23 November 2026, 10:00 in Baku (UTC+4): the centre is open.
MONDAY_10AM = "2026-11-23T06:00:00+00:00"


# What leaves a test out of `./run tests --fast` (the edit-test loop; CI runs every test): the
# real parts that take seconds to start — a server on uvicorn, Chromium, a PostgreSQL cluster,
# the built package, processes per test — besides tests marked slow by hand.
SLOW_FIXTURES = frozenset({"server", "browser", "pg_cluster", "central", "package"})
SLOW_FOLDERS = frozenset({"e2e", "packaging", "central", "planning"})
SLOW_MODULES = frozenset({"test_cli.py", "test_cli_json.py", "test_processes.py",
                          "test_core_guards.py", "test_serve_command.py", "test_sign_in.py",
                          "test_stuck_database.py", "test_properties.py", "test_bare_x.py",
                          "test_run_script.py", "test_architecture.py", "test_portable_sql.py",
                          "test_openapi_fuzz.py", "test_silent_connections.py",
                          "test_qt_binding.py", "test_local_mode.py",
                          "test_limits.py"})  # uvicorn with slow clients and real time-outs
# Single tests of more than a few seconds whose code a lighter sibling still runs in the edit-test
# loop: processes per test, and extra seeds, sizes or days of the same simulation.
SLOW_TESTS = frozenset({
    "tests/shared/test_setup_checks.py::test_check_config_tells_how_to_make_the_qr_work_and_warns_of_the_pin",
    "tests/shared/test_setup_checks.py::test_a_ready_config_has_no_advice",
    "tests/shared/test_setup_checks.py::test_kiosk_refuses_the_shipped_pin",
    "tests/shared/test_kept_waiting.py::test_kept_ahead_is_the_sql_count_through_a_busy_morning[2]",
    "tests/shared/test_kept_waiting.py::test_kept_ahead_is_the_sql_count_through_a_busy_morning[3]",
    "tests/shared/test_kept_waiting.py::test_a_new_day_and_a_long_gap_are_caught_up",
    "tests/reports/test_recount.py::test_random_day_recounted_from_events[2026]",
    "tests/reports/test_fast_path.py::test_fast_figures_equal_direct_ones_over_several_days",
    "tests/kiosk/test_keypad_and_large_text.py::"
    "test_every_screen_in_az_with_letters_measured_and_choices_in_reach[normal-portrait]",
    "tests/kiosk/test_keypad_and_large_text.py::"
    "test_every_screen_in_az_with_letters_measured_and_choices_in_reach[large-landscape]",
    "tests/kiosk/test_printer_faults.py::"
    "test_language_screen_says_tickets_are_shown_on_screen_while_the_printer_is_faulted[landscape]",
    "tests/kiosk/test_printer_faults.py::"
    "test_language_screen_says_tickets_are_shown_on_screen_while_the_printer_is_faulted[tablet]",
})


def _slow(item: pytest.Item) -> bool:
    path = Path(str(item.fspath))
    params = getattr(item, "callspec", None)
    return (bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ())))
            or path.parent.name in SLOW_FOLDERS or path.name in SLOW_MODULES
            or item.nodeid in SLOW_TESTS
            or (params is not None and params.params.get("queue") == "remote"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_scrypt_cost: signs in at the product's scrypt cost "
                                       "(every other test at TEST_SCRYPT_N)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that drive slow real parts `slow` (SLOW_FIXTURES…), and SLOW_TESTS; put
    the longest files first (tests/file_order.py: the order xdist hands them out)."""
    for item in items:
        if _slow(item):
            item.add_marker(pytest.mark.slow)
    longest_files_first(items)


# scrypt at OWASP's cost (server.auth.accounts: N=2^17, 128 MiB, ~0.6 CPU-s a hash or a check)
# is what the tests marked `real_scrypt_cost` prove: the cost itself and the rehash of an older
# one (test_sign_in.py's first two), the gate that keeps a flood of checks from taking the
# server (test_sign_in_flood.py) and the throttle counting before the slow check
# (test_auth.py's parallel guesses). Every other sign-in in the suite proves sessions, roles,
# pages and the throttle's counts: it hashes and checks with the same code at N=2^10 (~4 ms),
# the parameters read from the one place the product reads them. A process the tests start (the CLI, a packaged server)
# keeps the real cost, and rehashes a cheap hash on its first sign-in as it would an old one.
TEST_SCRYPT_N = 2**10


@pytest.fixture(autouse=True)
def _scrypt_cost(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at TEST_SCRYPT_N for the test, unless it is marked `real_scrypt_cost`."""
    if request.node.get_closest_marker("real_scrypt_cost") is None:
        monkeypatch.setattr("server.auth.accounts.SCRYPT_N", TEST_SCRYPT_N)


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
