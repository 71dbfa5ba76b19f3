"""The board on screen: pytest-qt offscreen screenshots at the three screen sizes."""

from __future__ import annotations

import pytest

from board.app import build_board
from board.demo import SIZES, screenshot, scripted_sequence
from shared.speech.sinks import RecordingSink


@pytest.fixture
def widget(qtbot, local_queue, config, tmp_path):
    w = build_board(local_queue, config, sink=RecordingSink(), speech=False, wav_dir=tmp_path)
    qtbot.addWidget(w)
    yield w
    w.controller.close()


def test_screens_after_calls_recall_transfer_and_alert(qtbot, widget, local_queue, artifacts) -> None:
    """After calls, a recall, a transfer and a paper-out alert the board shows the newest call
    large, the history, the queues and the alert, at 1920x1080, 3840x2160 and 1080x1920."""
    steps = scripted_sequence(local_queue)
    controller = widget.controller
    caught_up(qtbot, controller, local_queue)
    st = controller.state
    last_call = steps[-1].split()  # "called A-003 to 1"
    assert st.newest is not None and (st.newest.code, st.newest.counter) == (last_call[1], last_call[3])
    assert st.highlighted
    assert any(c.recall for c in [st.newest, *st.recent])
    assert len(st.recent) == config_history(controller)
    assert st.alerts == ["1 nömrəli kiosk: printerdə kağız bitib"]  # shared.core.alerts wording
    assert st.time_text == "10:00" and st.date_text == "23 noyabr 2026, bazar ertəsi"
    assert sum(w.waiting for w in st.waiting) == sum(
        1 for t in local_queue.waiting())
    for size in SIZES:
        path = screenshot(widget, size, artifacts / f"board-{size[0]}x{size[1]}.png")
        from PySide6.QtGui import QImage

        image = QImage(str(path))
        assert (image.width(), image.height()) == size


def caught_up(qtbot, controller, queue) -> None:
    """Wait until the board shows a snapshot taken after the queue's last event (the reads run
    on a worker thread: the events first, then the snapshot)."""
    last = queue.last_event_id()
    qtbot.waitUntil(lambda: controller.snapshot is not None
                    and controller.snapshot.last_event_id >= last, timeout=5000)


def config_history(controller) -> int:
    return controller.config.board.history


def test_reconnecting_keeps_last_state(qtbot, widget, local_queue, artifacts) -> None:
    """When the queue cannot be read the board keeps what it showed, marked "reconnecting"."""
    scripted_sequence(local_queue)
    controller = widget.controller
    caught_up(qtbot, controller, local_queue)
    shown = controller.state.newest
    poll_timer = widget.timers[0]
    poll_timer.stop()                                   # no new read; let the one in flight end
    qtbot.waitUntil(lambda: not controller.reading, timeout=5000)
    controller.feed.db_path = controller.feed.db_path.with_name("gone.sqlite")
    controller.feed.close()                             # (reads run on a worker thread)
    poll_timer.start()
    qtbot.waitUntil(lambda: controller.state.reconnecting, timeout=3000)
    assert controller.state.newest == shown
    screenshot(widget, (1920, 1080), artifacts / "board-reconnecting.png")
