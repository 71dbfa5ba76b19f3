"""The order pytest-xdist hands test files to its workers: the longest first, as measured, so
that no file of minutes starts near the end of the run while the other worker has run dry.

`./run tests` spreads files over the workers (`--dist loadfile`) in the order collected here
(`--no-loadscope-reorder`: xdist's own order, most tests first, put the few long tests of the
browser and package files last). Longest first is the classic greedy plan for parallel jobs: the
run then ends with short files on both workers. Refresh the figures from a recorded run with
bench/suite_files.py; a file not listed counts as short and keeps its place."""

from __future__ import annotations

from pathlib import Path

import pytest

# Seconds of each file's setups, calls and teardowns in a whole run (bench/suite_files.py; 2
# workers, load 2-4 with another engineer's benches beside the run's own servers and browsers:
# the order is what counts; test_architecture.py's figure is from a run without mypy's cache,
# as a fresh clone has none). The rollback file goes first and so builds the package in its
# setup (57 s of its 139 here); the other files that need the package come once it is built,
# and do not wait on its lock.
FILE_SECONDS: dict[str, float] = {
    "tests/packaging/test_upgrade_rollback_installed.py": 139,
    "tests/server/test_sign_in_flood.py": 37,
    "tests/e2e/test_desk_browser.py": 36,
    "tests/shared/test_contract.py": 33,
    "tests/test_architecture.py": 29,        # mypy without its cache, as on a fresh clone
    "tests/packaging/test_package.py": 27,
    "tests/server/test_openapi_fuzz.py": 25,
    "tests/shared/test_cli.py": 23,
    "tests/shared/test_properties.py": 23,
    "tests/central/test_bookings_raise.py": 22,
    "tests/e2e/test_console_browser.py": 21,
    "tests/central/test_national.py": 19,
    "tests/e2e/test_remote_board.py": 18,
    "tests/e2e/test_accessibility_browser.py": 17,
    "tests/central/test_shipping.py": 16,
    "tests/e2e/test_report_explained_browser.py": 16,
    "tests/server/test_serve_command.py": 15,
    "tests/planning/test_learn.py": 15,
    "tests/kiosk/test_flow.py": 15,
    "tests/reports/test_routes.py": 15,
    "tests/planning/test_simulator.py": 14,
    "tests/planning/test_planner.py": 14,
    "tests/kiosk/test_keypad_and_large_text.py": 14,
    "tests/central/test_crafted_rows.py": 14,
    "tests/e2e/test_visit_outcomes_browser.py": 14,
    "tests/e2e/test_national_profiles_page.py": 14,
    "tests/server/test_silent_connections.py": 13,
    "tests/central/test_bookings_desk.py": 13,
    "tests/e2e/test_profiles_browser.py": 13,
    "tests/e2e/test_catalog_check.py": 13,
    "tests/shared/test_cli_json.py": 13,
    "tests/e2e/test_booking_desk_browser.py": 12,
    "tests/server/test_auth.py": 12,
    "tests/e2e/test_central_page.py": 12,
    "tests/central/test_national_page.py": 11,
    "tests/kiosk/test_cli.py": 11,
    "tests/shared/test_newcomers.py": 11,
    "tests/server/test_sign_in.py": 11,     # its throttle tests at N=2^10 since (one worker, alone)
    "tests/packaging/test_doctor.py": 11,
    "tests/kiosk/test_printer_faults.py": 10,
}


def file_seconds(item: pytest.Item) -> float:
    """The measured seconds of the item's file (0 for a file not listed)."""
    return FILE_SECONDS.get(item.nodeid.split("::", 1)[0], 0.0)


def longest_files_first(items: list[pytest.Item]) -> None:
    """Sort the items in place by their file's seconds, longest first; a stable sort, so each
    file's tests stay together and in their order, and unlisted files keep collection order."""
    items.sort(key=lambda item: -file_seconds(item))


def missing_listed_files(root: Path) -> list[str]:
    """The listed files that are not in the repository (renamed or removed: the table is
    stale)."""
    return [name for name in FILE_SECONDS if not (root / name).is_file()]
