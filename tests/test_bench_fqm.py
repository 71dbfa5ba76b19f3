"""The FQM side-by-side bench: it stops with a clear message without FQM, pools its rounds
rightly, and measures a real Növbə server (FQM itself is not in the repository)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import fqm_side_by_side, long_queue


def test_without_fqm_the_bench_says_what_is_missing(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    """No --fqm, or a folder without FQM's source: a message naming what is missing, exit 0."""
    assert fqm_side_by_side.main([]) == 0
    assert "skipped: no --fqm given" in capsys.readouterr().err
    assert fqm_side_by_side.main(["--fqm", str(tmp_path)]) == 0
    assert f"{tmp_path} holds no FQM source" in capsys.readouterr().err


def test_rounds_pool_into_one_rate_and_percentiles() -> None:
    """Two rounds' issues and seconds add up into one rate; each round keeps its own rate."""
    runs = [{"issued": [1.0, 3.0], "issue_s": 2.0, "refused": 1, "call_load": [10.0],
             "call": [5.0, 7.0], "no_call": 1, "cpu_s": 0.004, "tickets": 20, "duplicates": 0, "reused": 0},
            {"issued": [2.0, 2.0, 2.0, 2.0], "issue_s": 2.0, "refused": 0, "call_load": [],
             "call": [6.0], "no_call": 0, "cpu_s": 0.002, "tickets": 22, "duplicates": 2, "reused": 3}]
    f = fqm_side_by_side.pooled(runs)
    assert f["issues"] == 6 and f["issue_per_s"] == 1.5
    assert f["issue_per_s_rounds"] == [1.0, 2.0]
    assert f["issue_p50_ms"] == 2.0 and f["call_p50_ms"] == 6.0
    assert f["duplicates"] == 2 and f["refused"] == 1 and f["tickets"] == 42
    assert f["calls_alone"] == 3 and f["calls_nobody"] == 1 and f["reused"] == 3
    assert f["server_cpu_ms_per_issue"] == 1.0


@pytest.mark.slow
def test_a_novbe_cell_issues_and_calls_over_http() -> None:
    """A real Növbə server starting at 15 waiting: two kiosks issue, a counter calls, and every
    ticket in the file has a number of its own."""
    # in a thread of its own, as the bench's script runs it: asyncio.run needs a thread with no
    # event loop, whatever an earlier test in this worker left on the main thread
    with ThreadPoolExecutor(1) as pool:
        cell = pool.submit(fqm_side_by_side.one_cell, "novbe", None, clients=2, waiting=15,
                           seconds=0.5, calls=3).result()
    assert cell["issued"] and cell["refused"] == 0
    assert len(cell["call"]) == 3 and cell["call_load"]
    assert cell["tickets"] == (15 + long_queue.WORKING + fqm_side_by_side.WARM_UP
                               + len(cell["issued"]))
    assert cell["duplicates"] == 0


def test_a_profile_counts_busy_samples_by_function(tmp_path: Path) -> None:
    """py-spy's raw stacks: waiting leaves are set apart, the rest summed own and inclusive."""
    from bench import server_profile

    raw = tmp_path / "stacks.txt"
    raw.write_text(
        'thread (1): "MainThread";main (server.py:10);issue (routes.py:5);advance (replay.py:9) 6\n'
        'thread (1): "MainThread";main (server.py:10);issue (routes.py:5) 2\n'
        'thread (2): "w";run (thread.py:3);Condition.wait (threading.py:327) 5\n')
    busy, waiting, own, inclusive = server_profile.shares(raw)
    assert (busy, waiting) == (8, 5)
    assert own["advance (replay.py)"] == 6 and own["issue (routes.py)"] == 2
    assert inclusive["issue (routes.py)"] == 8 and inclusive["main (server.py)"] == 8


def test_without_py_spy_the_profile_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """No py-spy: the profile names what is missing and how to get it, exit 0."""
    from bench import server_profile

    assert server_profile.main(["--py-spy", ""]) == 0
    assert "no py-spy on PATH (pip install py-spy" in capsys.readouterr().err
