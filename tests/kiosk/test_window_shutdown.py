"""A kiosk window that shuts down while a queue call is on its way: the late answer acts on
nothing (no poll started again, no print, no log line from a screen that is gone)."""

from __future__ import annotations

import logging
import threading

from kiosk.print_requests import TIMER


class HeldPrintRequests:
    """The test's queue, with print_requests held until the test lets it answer."""

    def __init__(self, queue):
        self._queue = queue
        self.asked = threading.Event()
        self.release = threading.Event()

    def print_requests(self, source):
        self.asked.set()
        self.release.wait(10)
        return self._queue.print_requests(source)

    def __getattr__(self, name):
        return getattr(self._queue, name)


def test_an_answer_after_shutdown_starts_no_poll_again(qtbot, make_kiosk, local_queue, caplog):
    """The print requests' answer arriving after shutdown restarts no timer and logs nothing."""
    held = HeldPrintRequests(local_queue)
    window = make_kiosk(queue=held)
    assert held.asked.wait(10)
    window._allow_close = True
    window.shutdown()
    with caplog.at_level(logging.DEBUG, logger="kiosk"):
        held.release.set()
        qtbot.waitUntil(lambda: window.runner.busy == 0, timeout=10_000)
    assert not window.timers.active(TIMER)
    assert not [r for r in caplog.records if r.name.startswith("kiosk.print_requests")]
