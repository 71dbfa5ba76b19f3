"""The board's own sound as a device report: a silent board (no audio output, no speech) raises
an alert on its staff line and on every counter console; heard again, the alert is cleared.
Reports go through the board's runner; one the queue could not take is sent again once the
queue answers."""

from __future__ import annotations

import logging
from datetime import datetime

from board.sound_health import SoundMonitor, SoundState
from qtcommon.runner import Runner
from shared.core.errors import QueueUnavailable
from shared.core.model import DEVICE_ALERT_KINDS, Alert
from shared.core.queue import Queue

log = logging.getLogger(__name__)


class SoundReporter:
    """Turns the SoundMonitor's changes into device reports of `source` to the queue."""

    def __init__(self, queue: Queue, runner: Runner, sound: SoundMonitor, source: str):
        self.queue = queue
        self.runner = runner
        self.sound = sound
        self.source = source
        self.state: SoundState | None = None     # the last state reported (or being reported)
        self._unsent: SoundState | None = None   # to report again once the queue answers

    def check(self, queued: list[Alert], reconnecting: bool) -> bool:
        """Report a new sound state (heard / silent / chime only); `queued` are the alerts the
        queue has now. True when the staff line changes."""
        state = self.sound.take_change()
        if state is None:
            if self._unsent is not None and not reconnecting:
                self._report(self._unsent)
            return False
        first = self.state is None
        self.state = state
        if state.kind != "board_ok":
            log.warning("board %s: %s (%s)", self.source, state.kind, state.message)
        elif first and not any(a.source == self.source for a in queued):
            return False  # heard from the start, and no old alert to clear: nothing to report
        else:
            log.warning("board %s: calls are heard again", self.source)
        self._report(state)
        return True

    def _report(self, state: SoundState) -> None:
        self._unsent = None

        def failed(exc: BaseException) -> None:
            if isinstance(exc, QueueUnavailable):
                self._unsent = state  # sent again when the queue answers
            else:
                log.error("board %s: cannot report %s to the queue: %s", self.source,
                          state.kind, exc)

        self.runner.run(lambda: self.queue.report_device(self.source, state.kind, state.message),
                        lambda _: None, failed)

    def staff_alerts(self, queued: list[Alert], now: datetime) -> list[Alert]:
        """The alerts this board's staff line shows: the queue's, with this board's own sound
        as it knows it itself (shown even before the queue has it, or while it is out of
        reach; left out as soon as calls are heard again)."""
        st = self.state
        if st is not None and st.kind in DEVICE_ALERT_KINDS:
            if any(a.source == self.source for a in queued):
                return queued
            return [*queued, Alert(self.source, st.kind, st.message, now)]
        if st is not None:   # heard again: its old alert is being cleared
            return [a for a in queued if a.source != self.source]
        return queued
