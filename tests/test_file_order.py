"""The order files are handed to xdist's workers: the measured longest first, each file whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests import file_order
from tests.file_order import FILE_SECONDS, longest_files_first, missing_listed_files

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class _Item:
    nodeid: str


def test_every_listed_file_is_in_the_repository():
    """A renamed or removed test file is not left in the table (it would order nothing)."""
    assert missing_listed_files(ROOT) == []


def test_longest_files_go_first_each_whole_and_in_its_order(monkeypatch):
    """Listed files by their seconds, longest first; each file's tests stay together and in
    order; unlisted files keep their collected order after them."""
    monkeypatch.setattr(file_order, "FILE_SECONDS", {"t/long.py": 90.0, "t/mid.py": 30.0})
    items = [_Item(n) for n in ("t/a.py::x", "t/mid.py::1", "t/mid.py::2", "t/b.py::y",
                                "t/long.py::1", "t/long.py::2[p]", "t/long.py::3")]
    longest_files_first(items)  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == ["t/long.py::1", "t/long.py::2[p]", "t/long.py::3",
                                         "t/mid.py::1", "t/mid.py::2", "t/a.py::x", "t/b.py::y"]


def test_the_run_script_keeps_the_collected_order():
    """./run tests asks xdist for files in the collected order (not its most-tests-first)."""
    assert "--no-loadscope-reorder" in (ROOT / "run").read_text(encoding="utf-8")
    assert max(FILE_SECONDS.values()) > 60    # the table holds the long files
