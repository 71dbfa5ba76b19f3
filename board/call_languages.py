"""The language of each called ticket, for its announcement: from the "issued" event when the
board saw it, else asked of the queue (a ticket issued before the board started)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from shared.core.errors import NovbeError
from shared.core.model import Event
from shared.core.queue import Queue

log = logging.getLogger(__name__)

CALL_KINDS = ("called", "recalled")
KEPT = 5000   # a long day: the memory of ticket languages is emptied past this many


class CallLanguages:
    """Remembers the ticket languages the board saw issued; runs on the runner's thread."""

    def __init__(self, queue: Queue):
        self.queue = queue
        self._by_ticket: dict[int, str] = {}   # ticket id → language, from "issued" events

    def of(self, events: list[Event], shown: Callable[[Event], bool]) -> dict[int, str]:
        """Call event id → its ticket's language, for the calls among `events` this board
        shows (a language that cannot be learnt is left out: announced in az only)."""
        out: dict[int, str] = {}
        for ev in events:
            if ev.kind == "issued" and ev.ticket_id is not None and ev.details.get("language"):
                self._by_ticket[ev.ticket_id] = str(ev.details["language"])
            elif ev.kind in CALL_KINDS and ev.code and shown(ev):
                lang = self._by_ticket.get(ev.ticket_id or -1)
                if lang is None:
                    try:
                        lang = self.queue.ticket(ev.code).language
                    except NovbeError as exc:  # QueueUnavailable included
                        log.warning("board: the language of %s is unknown (%s)", ev.code, exc)
                        continue
                    if ev.ticket_id is not None:
                        self._by_ticket[ev.ticket_id] = lang
                out[ev.id] = lang
        if len(self._by_ticket) > KEPT:
            self._by_ticket.clear()
        return out
