"""Tickets the kiosk gave up on: an issue that timed out may still have been committed by the
queue. Once the queue answers again, each such ticket still waiting is cancelled, so the board
never calls a number nobody holds."""

from __future__ import annotations

import logging

from qtcommon.runner import Runner
from shared.core.errors import TicketNotFound
from shared.core.model import Status
from shared.core.queue import Queue

log = logging.getLogger(__name__)


class AbandonedTickets:
    """The request ids of issues this kiosk gave up on, and their withdrawal."""

    def __init__(self, queue: Queue, runner: Runner):
        self.queue = queue
        self.runner = runner
        self.pending: list[str] = []

    def gave_up(self, request_id: str) -> None:
        self.pending.append(request_id)

    def __bool__(self) -> bool:
        return bool(self.pending)

    def withdraw(self) -> None:
        """Cancel what the queue issued for them after all (on the runner)."""
        pending = list(self.pending)
        self.pending.clear()

        def withdraw() -> list[str]:
            gone = []
            for rid in pending:
                try:
                    ticket = self.queue.issued_for(rid)
                except TicketNotFound:
                    continue
                if ticket.status in (Status.WAITING, Status.CALLED):
                    gone.append(self.queue.cancel(ticket.token or ticket.code).code)
            return gone

        def done(codes: list[str]) -> None:
            if codes:
                log.warning("cancelled %s: issued after this kiosk had given up on them",
                            ", ".join(codes))

        def failed(exc: BaseException) -> None:
            self.pending.extend(pending)            # try again when the queue answers next
            log.warning("could not look up abandoned tickets yet: %s", exc)

        self.runner.run(withdraw, done, failed)
