"""The queue cannot be reached (a remote kiosk's server is down): the kiosk says it is out of
service in every language and asks the queue again every few seconds until it answers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.reconciler import AbandonedTickets
from kiosk.screens import OutOfServiceScreen
from qtcommon.runner import Runner
from qtcommon.timers import Timers
from shared.core.errors import QueueUnavailable
from shared.core.queue import Queue
from shared.i18n import tr

log = logging.getLogger(__name__)

PROBE_SECONDS = 4.0          # out of service: ask the queue again this often


class OutageProbe:
    """Shows the out-of-service screen and probes; `back()` is called when the queue answers
    while that screen still shows."""

    def __init__(self, queue: Queue, languages: tuple[str, ...], runner: Runner, timers: Timers,
                 abandoned: AbandonedTickets, show: Callable[[OutOfServiceScreen], None],
                 showing: Callable[[], bool], back: Callable[[], None]):
        self.queue, self.languages, self.runner, self.timers = queue, languages, runner, timers
        self.abandoned = abandoned
        self._show, self._showing, self._back = show, showing, back

    def screen(self) -> OutOfServiceScreen:
        langs = self.languages
        return OutOfServiceScreen(
            titles=tuple(tr(x, "Temporarily out of service") for x in langs),
            bodies=tuple(tr(x, "Please wait a moment or ask a staff member for help.") for x in langs),
            languages=langs)

    def begin(self) -> None:
        """Say so, and ask again in a few seconds."""
        for name in ("idle", "home", "warn"):
            self.timers.stop(name)
        self._show(self.screen())
        self.timers.start("probe", PROBE_SECONDS, self.probe)

    def probe(self) -> None:
        """Is the queue back? (`last_event_id` is the cheapest question.)"""
        def back(_: int) -> None:
            if self.abandoned:
                self.abandoned.withdraw()
            if self._showing():
                self._back()

        def still_down(exc: BaseException) -> None:
            if not isinstance(exc, QueueUnavailable):
                log.warning("queue probe: %s", exc)
            self.timers.start("probe", PROBE_SECONDS, self.probe)

        self.runner.run(self.queue.last_event_id, back, still_down)
