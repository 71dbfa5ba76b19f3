"""The board's sizing rule (board/layout.py): no text below 1/40 of the screen's shorter side,
none cut off — in every language, at 1920x1080, 3840x2160 and 1080x1920, with staff alerts on
the staff line, marked for staff."""

from __future__ import annotations

import pytest

from board.app import build_board
from board.demo import scripted_sequence
from board.layout import MIN_TEXT_FRACTION
from qtcommon.runner import InlineRunner
from shared.speech.sinks import RecordingSink

SIZES = ((1920, 1080), (3840, 2160), (1080, 1920))


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
@pytest.mark.slow
def test_no_board_text_is_below_the_floor_or_cut(qtbot, local_queue, config, artifacts, lang):
    """A busy board (calls, a recall, a transfer, every category waiting, two staff alerts):
    every text drawn is at least 1/40 of the shorter side and none is cut with "…"."""
    widget = build_board(local_queue, config, sink=RecordingSink(), speech=False, lang=lang,
                         runner=InlineRunner())
    qtbot.addWidget(widget)
    controller = widget.controller
    scripted_sequence(local_queue)
    for cat in config.categories:  # every category has people waiting, with a wait figure
        local_queue.issue(cat.services[-1].id)
    local_queue.report_device("board-hall", "board_silent", "no audio output device")
    controller.poll()
    controller.tick()
    assert len(controller.state.alerts) == 2
    for width, height in SIZES:
        widget.resize(width, height)
        image = widget.grab()
        image.save(str(artifacts / f"board-{lang}-{width}x{height}.png"))
        floor = int(min(width, height) * MIN_TEXT_FRACTION)
        drawn = widget.drawn
        assert {d.part for d in drawn} >= {"header", "now", "recent", "waiting", "staff", "ticker"}
        small = [(d.part, d.text, d.px) for d in drawn if d.px < floor]
        cut = [(d.part, d.text) for d in drawn if d.elided]
        assert (small, cut) == ([], []), (width, height)
        staff = " ".join(d.text for d in drawn if d.part == "staff")
        assert staff.startswith(controller.state.labels["For staff:"])
    controller.close()
