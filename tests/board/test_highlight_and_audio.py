"""The newest call's highlight lasts highlight_seconds; QtAudioSink plays a WAV to its end."""

from __future__ import annotations

from board.announcer import Announcer
from board.chime import chime_path
from board.controller import BoardController
from shared.core.feed import LocalFeed
from shared.speech.sinks import RecordingSink


class _Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_highlight_lasts_highlight_seconds(local_queue, config, tmp_path) -> None:
    """A new call is highlighted (blinks) for highlight_seconds, then shows steady; a recall
    highlights it again."""
    mono = _Monotonic()
    board = BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                            announcer=Announcer(RecordingSink(), ("az",), None, out_dir=tmp_path),
                            monotonic=mono)
    board.start()
    local_queue.issue("pensions.age")
    local_queue.call_next("4")
    board.poll()
    assert board.state.highlighted
    mono.now += config.board.highlight_seconds - 0.5
    board.tick()
    assert board.state.highlighted
    mono.now += 1
    board.tick()
    assert not board.state.highlighted and board.state.newest is not None
    local_queue.recall("4")
    board.poll()
    assert board.state.highlighted and board.state.newest.recall
    board.close()


def test_qt_audio_sink_reports_the_end(qtbot) -> None:
    """QtAudioSink reports each WAV as played (through the audio device, or — with none — after
    the WAV's duration), so the FIFO moves on."""
    from qtcommon.audio import QtAudioSink

    sink = QtAudioSink()
    finished: list[str] = []
    sink.play(chime_path(), lambda: finished.append("chime"), "chime")
    qtbot.waitUntil(lambda: finished == ["chime"], timeout=10000)
