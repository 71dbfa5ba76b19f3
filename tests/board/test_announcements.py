"""Announcements: a FIFO that plays every call in full, in order, chime then speech."""

from __future__ import annotations

import logging
import threading

from board.announcer import Announcer
from board.chime import chime_path
from board.controller import BoardController
from shared.core.feed import LocalFeed
from shared.speech.sinks import RecordingSink
from shared.speech.wavfile import duration

COUNTERS = ("1", "4", "7", "11", "18")
SERVICES = ("employment.job-seeker", "pensions.age", "benefits.targeted", "disability.assessment",
            "vem")


def _issue_one_each(queue) -> None:
    for svc in SERVICES:
        queue.issue(svc if svc in queue.config.services else
                    next(s for s in queue.config.services if s.startswith(svc)))


def test_five_calls_within_100ms_give_five_whole_announcements_in_order(
        qtbot, local_queue, config, speech, tmp_path) -> None:
    """Five counters calling at (almost) the same instant → five complete announcements, in the
    order of the calls, none started before the previous one ended."""
    sink = RecordingSink(speed=0.02)  # "plays" each WAV for 2% of its real duration
    announcer = Announcer(sink, config.board.speech_languages, speech, out_dir=tmp_path / "w")
    board = BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                            announcer=announcer)
    board.start()
    _issue_one_each(local_queue)
    board.poll()
    called = []
    writer = threading.Thread(target=lambda: called.extend(
        local_queue.call_next(c) for c in COUNTERS))  # five commits, well within 100 ms
    writer.start()
    writer.join()
    qtbot.waitUntil(lambda: (board.poll() or True) and len(sink.played) == 5 and announcer.pending == 0,
                    timeout=20000)
    assert sink.labels == [f"{t.code} → {t.counter}" for t in called]
    chime = duration(chime_path())
    for item in sink.played:
        assert item.seconds > chime + 1.0  # chime plus real speech
        assert item.rms > 0.02
    for before, after in zip(sink.played, sink.played[1:], strict=False):
        assert before.ended <= after.started  # never cut short by the next call
    assert all(a.spoken == ["az"] and not a.problems for a in announcer.history)
    board.close()


def test_recall_is_announced_again(qtbot, board, local_queue, sink) -> None:
    """A recall is announced once more, as a repeated call."""
    _issue_one_each(local_queue)
    t = local_queue.call_next("1")
    local_queue.recall("1")
    qtbot.waitUntil(lambda: (board.poll() or True) and len(sink.played) == 2, timeout=10000)
    assert sink.labels == [f"{t.code} → 1", f"{t.code} → 1 (recall)"]


def test_speech_off_still_chimes(qtbot, local_queue, config, tmp_path, caplog) -> None:
    """Without speech the board still chimes for each call and logs why it is silent."""
    sink = RecordingSink()
    announcer = Announcer(sink, ("az",), None, out_dir=tmp_path)
    caplog.set_level(logging.WARNING)
    announcer.announce("A-001", "1")
    assert announcer.wait_idle(10)
    assert abs(sink.played[0].seconds - (duration(chime_path()) + 0.4)) < 0.05
    assert "speech is off" in caplog.text
    announcer.close()
