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
# workers, load 4-7, so more than a quiet machine's: the order is what counts). The rollback file
# goes first and so builds the package in its setup (119 s of its 279 here); the other files that
# need the package come once it is built, and do not wait on its lock.
FILE_SECONDS: dict[str, float] = {
    "tests/packaging/test_upgrade_rollback_installed.py": 279,
    "tests/shared/test_cli.py": 112,
    "tests/e2e/test_desk_browser.py": 84,
    "tests/shared/test_contract.py": 59,
    "tests/server/test_sign_in_flood.py": 53,
    "tests/e2e/test_console_browser.py": 52,
    "tests/reports/test_routes.py": 49,
    "tests/central/test_national.py": 43,
    "tests/server/test_sign_in.py": 43,
    "tests/e2e/test_accessibility_browser.py": 42,
    "tests/e2e/test_central_page.py": 40,
    "tests/server/test_openapi_fuzz.py": 35,
    "tests/e2e/test_catalog_check.py": 35,
    "tests/kiosk/test_cli.py": 34,
    "tests/server/test_stuck_database.py": 33,
    "tests/planning/test_learn.py": 32,
    "tests/server/test_serve_command.py": 32,
    "tests/planning/test_simulator.py": 31,
    "tests/kiosk/test_bare_x.py": 30,
    "tests/server/test_auth.py": 29,
    "tests/server/test_assist.py": 29,
    "tests/central/test_shipping.py": 29,
    "tests/planning/test_planner.py": 29,
    "tests/e2e/test_visit_outcomes_browser.py": 28,
    "tests/kiosk/test_keypad_and_large_text.py": 27,
    "tests/e2e/test_national_profiles_page.py": 26,
    "tests/e2e/test_booking_desk_browser.py": 25,
    "tests/e2e/test_remote_board.py": 25,
    "tests/server/test_takeover.py": 24,
    "tests/shared/test_properties.py": 24,
    "tests/e2e/test_report_explained_browser.py": 23,
    "tests/reports/test_expensive_work.py": 23,
    "tests/shared/test_cli_json.py": 23,
    "tests/e2e/test_remote_config_follow.py": 21,
    "tests/e2e/test_profiles_browser.py": 20,
    "tests/e2e/test_manager_browser.py": 20,
    "tests/e2e/test_help_desk_browser.py": 19,
    "tests/central/test_national_page.py": 19,
    "tests/packaging/test_doctor.py": 18,
    "tests/shared/test_call_order.py": 18,
    "tests/e2e/test_plan_browser.py": 18,
    "tests/shared/test_kept_waiting.py": 17,
    "tests/shared/test_processes.py": 16,
    "tests/shared/test_core_guards.py": 14,
    "tests/e2e/test_day_one_browser.py": 14,
    "tests/packaging/test_package.py": 14,
    "tests/test_architecture.py": 13,
    "tests/shared/test_newcomers.py": 13,
    "tests/central/test_bookings_raise.py": 12,
    "tests/test_bench_fqm.py": 12,
    "tests/server/test_silent_connections.py": 12,
    "tests/reports/test_cli.py": 11,
    "tests/e2e/test_console_takeover_browser.py": 11,
    "tests/kiosk/test_speaker.py": 11,
    "tests/reports/test_plan_page.py": 10,
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
