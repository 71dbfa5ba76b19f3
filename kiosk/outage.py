"""The queue cannot be reached (a remote kiosk's server is down): the kiosk says it is out of
service in every language and asks the queue again every few seconds until it answers. A server
that does not support this kiosk's version (its heartbeat's answer) puts it out of service too,
with a line for staff saying why, until a server that does answers."""

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
from shared.version import VERSION, supports

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
        self.unsupported_by: str | None = None   # the server's version, when it is not ours

    def screen(self) -> OutOfServiceScreen:
        langs = self.languages
        server = self.unsupported_by

        def body(lang: str) -> str:
            text = tr(lang, "Please wait a moment or ask a staff member for help.")
            if server is None:
                return text
            return text + "\n" + tr(lang, "For staff: this kiosk runs version {ours}; the server "
                                           "runs {theirs} and does not support it. Update this "
                                           "kiosk.", ours=VERSION, theirs=server)
        return OutOfServiceScreen(
            titles=tuple(tr(x, "Temporarily out of service") for x in langs),
            bodies=tuple(body(x) for x in langs), languages=langs)

    def begin(self) -> None:
        """Say so, and ask again in a few seconds (a kiosk the server does not support waits
        for a heartbeat's answer instead)."""
        for name in ("idle", "home", "warn"):
            self.timers.stop(name)
        self._show(self.screen())
        if self.unsupported_by is None:
            self.timers.start("probe", PROBE_SECONDS, self.probe)

    def server_version(self, version: str) -> None:
        """A heartbeat's answer: the version of the server. One that does not support this
        kiosk's version puts it out of service, saying so for staff; one that does again
        brings it back."""
        unsupported = None if supports(version, VERSION) else version
        if unsupported == self.unsupported_by:
            return
        self.unsupported_by = unsupported
        if unsupported is not None:
            log.error("the server runs version %s and does not support this kiosk's %s: out "
                      "of service until it is updated", version, VERSION)
            self.begin()
        elif self._showing():
            self._back()

    def probe(self) -> None:
        """Is the queue back? (`last_event_id` is the cheapest question.)"""
        def back(_: int) -> None:
            if self.unsupported_by is not None:
                return
            if self.abandoned:
                self.abandoned.withdraw()
            if self._showing():
                self._back()

        def still_down(exc: BaseException) -> None:
            if not isinstance(exc, QueueUnavailable):
                log.warning("queue probe: %s", exc)
            self.timers.start("probe", PROBE_SECONDS, self.probe)

        self.runner.run(self.queue.last_event_id, back, still_down)
