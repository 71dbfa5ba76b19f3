"""Tickets issued for visitors at the help desk (/assist) that this kiosk is to print: asked of
the queue every few seconds — the same call for a kiosk on the queue's file and a remote one
(GET /api/print-requests/{kiosk}) — and handed to the kiosk's own spooler, so they print between
its own tickets, with its fault handling, reprints and `printed` reports."""

from __future__ import annotations

import logging

from kiosk.spooler import PrintSpooler
from qtcommon.runner import Runner
from qtcommon.timers import Timers
from shared.core.model import Ticket
from shared.core.queue import Queue

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0      # a request prints within this (plus the printing) of being issued
TIMER = "print_requests"


class PrintRequests:
    """Follows the print requests addressed to the kiosk `source`. A request stays pending on
    the queue until its ticket has a `printed` event, so one this kiosk did not print (it was
    restarted, the printer failed and the kiosk was switched off) is printed when it is back."""

    def __init__(self, queue: Queue, spooler: PrintSpooler, timers: Timers, runner: Runner,
                 source: str, seconds: float = POLL_SECONDS):
        self.queue, self.spooler, self.timers, self.runner = queue, spooler, timers, runner
        self.source = source
        self.seconds = seconds
        self.submitted: set[int] = set()   # ticket ids handed to the spooler, until printed
        self._asking = False
        self._failing: str | None = None   # the last failure logged (each new one once)

    def start(self) -> PrintRequests:
        self.poll()
        return self

    def poll(self) -> None:
        """Ask the queue once (off the UI thread); the answer is handled on the UI thread."""
        if self._asking:
            return
        self._asking = True
        self.runner.run(lambda: self.queue.print_requests(self.source), self._got, self._failed)

    def _got(self, tickets: list[Ticket]) -> None:
        self._asking = False
        if self._failing is not None:
            log.info("print requests for %s are read again", self.source)
            self._failing = None
        for ticket in tickets:
            if ticket.id not in self.submitted:
                self.submitted.add(ticket.id)
                log.info("printing %s, issued at the help desk for %s", ticket.code, self.source)
                self.spooler.submit(ticket)
        still = {t.id for t in tickets} | {t.id for t in self.spooler.pending()}
        self.submitted &= still          # printed (or no longer wanted): forgotten
        self.timers.start(TIMER, self.seconds, self.poll)

    def _failed(self, exc: BaseException) -> None:
        self._asking = False
        if str(exc) != self._failing:
            log.warning("cannot read the print requests for %s: %s", self.source, exc)
            self._failing = str(exc)
        self.timers.start(TIMER, self.seconds, self.poll)
