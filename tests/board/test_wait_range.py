"""The board's per-category wait shows the range the estimate gives ("45–60 dəq") when a queue
is long (issue 13), and a point otherwise."""

from __future__ import annotations

from board.app import build_board
from board.demo import screenshot
from shared.speech.sinks import RecordingSink
from tests.board.test_screens import caught_up


def test_board_shows_a_range_for_a_long_queue(qtbot, local_queue, config, tmp_path, artifacts):
    """Six visitors wait for disability with one counter busy: the board shows a range for
    disability; pensions, with a counter free, no wait at all."""
    for _ in range(6):
        local_queue.issue("disability.assessment")
    local_queue.call_next("11")
    local_queue.start("11")
    local_queue.open_counter("4")
    widget = build_board(local_queue, config, sink=RecordingSink(), speech=False, wav_dir=tmp_path)
    qtbot.addWidget(widget)
    try:
        caught_up(qtbot, widget.controller, local_queue)
        rows = {w.prefix: w for w in widget.controller.state.waiting}
        disability, pensions = rows["E"], rows["B"]
        assert disability.wait_low_min < disability.estimated_wait_min <= disability.wait_high_min
        assert disability.wait_low_min % 5 == 0 and disability.wait_high_min % 5 == 0
        assert pensions.estimated_wait_min == pensions.wait_low_min == pensions.wait_high_min == 0
        assert "{low}–{high} min" in widget.controller.state.labels
        screenshot(widget, (1920, 1080), artifacts / "board-wait-range-1920x1080.png")
    finally:
        widget.controller.close()


def test_board_says_not_open_where_no_counter_can_call(qtbot, local_queue, config, tmp_path,
                                                       artifacts):
    """Employment has visitors but no counter of it open: its line says "not open yet" (words,
    never "~13 min"); pensions, with a counter open, shows minutes."""
    local_queue.open_counter("4", "rauf")
    for _ in range(3):
        local_queue.issue("employment.job-seeker")
        local_queue.issue("pensions.age")
    local_queue.call_next("4")
    widget = build_board(local_queue, config, sink=RecordingSink(), speech=False, wav_dir=tmp_path)
    qtbot.addWidget(widget)
    try:
        caught_up(qtbot, widget.controller, local_queue)
        rows = {w.prefix: w for w in widget.controller.state.waiting}
        assert rows["A"].no_counter_open and rows["A"].opens_at is None
        assert not rows["B"].no_counter_open and rows["B"].estimated_wait_min > 0
        assert widget.controller.state.labels["not open yet"] == "hələ açılmayıb"
        screenshot(widget, (1920, 1080), artifacts / "board-not-open-1920x1080.png")
    finally:
        widget.controller.close()
