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
# workers, load 5-12, so about twice a quiet machine's: the order is what counts). The package's
# build (87 s here) is counted for the rollback file, which goes first and so builds it; the other
# files that need it come once it is built, and do not wait on its lock.
FILE_SECONDS: dict[str, float] = {
    "tests/packaging/test_upgrade_rollback_installed.py": 295,
    "tests/shared/test_cli.py": 115,
    "tests/central/test_national.py": 93,
    "tests/shared/test_properties.py": 86,
    "tests/e2e/test_desk_browser.py": 77,
    "tests/shared/test_contract.py": 67,
    "tests/server/test_sign_in_flood.py": 64,
    "tests/central/test_shipping.py": 64,
    "tests/e2e/test_accessibility_browser.py": 63,
    "tests/server/test_openapi_fuzz.py": 59,
    "tests/e2e/test_national_profiles_page.py": 55,
    "tests/e2e/test_console_browser.py": 53,
    "tests/e2e/test_central_page.py": 52,
    "tests/planning/test_learn.py": 44,
    "tests/test_architecture.py": 42,
    "tests/server/test_assist.py": 42,
    "tests/planning/test_simulator.py": 41,
    "tests/e2e/test_profiles_browser.py": 40,
    "tests/e2e/test_visit_outcomes_browser.py": 39,
    "tests/e2e/test_catalog_check.py": 39,
    "tests/shared/test_processes.py": 38,
    "tests/packaging/test_package.py": 36,
    "tests/shared/test_cli_json.py": 36,
    "tests/server/test_serve_command.py": 36,
    "tests/e2e/test_help_desk_browser.py": 35,
    "tests/server/test_sign_in.py": 35,
    "tests/kiosk/test_cli.py": 35,
    "tests/server/test_stuck_database.py": 34,
    "tests/e2e/test_booking_desk_browser.py": 33,
    "tests/reports/test_routes.py": 32,
    "tests/central/test_national_page.py": 32,
    "tests/e2e/test_manager_browser.py": 31,
    "tests/e2e/test_plan_browser.py": 31,
    "tests/kiosk/test_bare_x.py": 30,
    "tests/planning/test_planner.py": 30,
    "tests/kiosk/test_keypad_and_large_text.py": 29,
    "tests/e2e/test_report_explained_browser.py": 29,
    "tests/server/test_takeover.py": 28,
    "tests/reports/test_expensive_work.py": 27,
    "tests/server/test_auth.py": 27,
    "tests/e2e/test_day_one_browser.py": 27,
    "tests/central/test_bookings_raise.py": 25,
    "tests/e2e/test_remote_board.py": 24,
    "tests/reports/test_recount.py": 24,
    "tests/packaging/test_doctor.py": 21,
    "tests/shared/test_kept_waiting.py": 20,
    "tests/shared/test_call_order.py": 19,
    "tests/e2e/test_console_takeover_browser.py": 18,
    "tests/shared/test_core_guards.py": 17,
    "tests/kiosk/test_speaker.py": 16,
    "tests/packaging/test_kiosk_under_cage.py": 16,
    "tests/e2e/test_remote_config_follow.py": 16,
    "tests/server/test_counter_concurrency.py": 15,
    "tests/reports/test_cli.py": 15,
    "tests/server/test_silent_connections.py": 15,
    "tests/server/test_cli.py": 14,
    "tests/server/test_console_labels.py": 14,
    "tests/kiosk/test_rules.py": 14,
    "tests/kiosk/test_printer_faults.py": 14,
    "tests/server/test_identity.py": 14,
    "tests/kiosk/test_flow.py": 13,
    "tests/reports/test_fast_path.py": 13,
    "tests/central/test_bookings_link.py": 13,
    "tests/reports/test_plan_page.py": 13,
    "tests/central/test_crafted_rows.py": 13,
    "tests/shared/test_wait_replay.py": 12,
    "tests/central/test_bookings_race.py": 12,
    "tests/server/test_streams_recheck.py": 12,
    "tests/central/test_restore_history.py": 12,
    "tests/central/test_national_profiles.py": 12,
    "tests/central/test_bookings_desk.py": 12,
    "tests/e2e/test_remote_devices.py": 11,
    "tests/server/test_limits.py": 10,
    "tests/shared/test_ahead_is_a_lower_bound.py": 10,
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
