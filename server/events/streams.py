"""Opening the two Server-Sent Event streams: the queue's event stream (devices, staff
consoles) resuming from Last-Event-ID, and a phone's own stream that sends only its ticket's
status when it changes. Each opener checks the caller and the request and says what to send;
server/events/sse.py serves both (the one place they are served)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Request

from server.api.schemas import MAX_ID
from server.auth.caller import Caller, caller
from server.events.hub import EventHub, Subscription
from server.http import offload
from server.pages.views import phone_view
from shared.config.centre import CentreConfig
from shared.core.errors import NovbeError, TicketNotFound
from shared.core.model import Event, Status, Ticket
from shared.core.queue import Queue
from shared.waits.ahead import may_count

RETRY_MS = 2000
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
LANGS = ("az", "ru", "en")


class BadStreamRequest(NovbeError):
    """A stream was asked for with a malformed resume point or language."""


def _sse(data: str, event: str | None = None) -> str:
    return (f"event: {event}\n" if event else "") + f"data: {data}\n\n"


DIGITS = re.compile(r"^[0-9]{1,19}$")


def resume_point(last_event_id: str | None, after_id: str | int | None) -> int | None:
    """Where a stream resumes: Last-Event-ID, else ?after_id=, else None (from now). Only
    plain ASCII digits count (no '²', no 5,000-digit numbers): anything else is a clear 422."""
    if last_event_id is not None and last_event_id.strip():
        text = last_event_id.strip()
        if not DIGITS.match(text):
            raise BadStreamRequest(f"Last-Event-ID must be an event id (whole number from 0 to "
                                   f"{MAX_ID}), got {text[:40]!r}")
        return min(int(text), MAX_ID)
    if after_id is None or after_id == "":
        return None
    if isinstance(after_id, int) or DIGITS.match(str(after_id)):
        value = int(after_id)
        if value <= MAX_ID:
            return value
    raise BadStreamRequest(f"after_id must be a whole number from 0 to {MAX_ID}, "
                           f"got {str(after_id)[:40]!r}")


@dataclass
class OpenedStream:
    """A queue event stream whose caller has been checked: where it starts, and its place
    among the hub's subscribers."""

    hub: EventHub
    queue: Queue
    subscription: Subscription
    start: int

    @property
    def greeting(self) -> bytes:
        return f"retry: {RETRY_MS}\n: resuming after {self.start}\n\n".encode()


async def open_event_stream(request: Request, after_id: str | int | None = None) -> OpenedStream:
    """Check the caller (device or staff) and the resume point, off the event loop."""
    hub: EventHub = request.app.state.hub
    queue: Queue = request.app.state.queue
    start = resume_point(request.headers.get("last-event-id"), after_id)

    def check() -> tuple[Caller, int]:
        who = caller(request)
        return who, start if start is not None else queue.last_event_id()
    who, first = await offload.read(request, check)
    return OpenedStream(hub, queue, hub.subscribe(who.credential, first), first)


def concerns(event: Event, ticket: Ticket, config: CentreConfig) -> bool:
    """Whether an event may change what this ticket's phone shows: its own, one of a service
    its "people ahead" may count (shared/waits/ahead.py), or a counter's profile changing."""
    if event.ticket_id == ticket.id:
        return True
    if ticket.status != Status.WAITING:
        return False
    counted = may_count(config, ticket.service)
    if any(s in counted for s in (event.service, event.details.get("from_service"),
                                  event.details.get("to_service")) if s):
        return True
    if event.kind.startswith("profile_"):
        return True
    if event.counter and event.kind.startswith("counter_"):
        try:
            return ticket.service in config.counter(event.counter).services
        except NovbeError:
            return False
    return event.kind == "day_started"


def settled(ticket: Ticket) -> bool:
    """A ticket whose phone page will not change any more."""
    return ticket.status in (Status.NO_SHOW, Status.CANCELLED, Status.EXPIRED) or (
        ticket.status == Status.DONE and ticket.rating is not None)


async def open_phone_stream(request: Request, token: str, lang: str | None
                            ) -> AsyncIterator[str]:
    """The ticket's status now, then whenever it changes (404 for an unknown token)."""
    if not TOKEN_RE.match(token):
        raise TicketNotFound("no ticket with this token")
    lang = lang or "az"
    if lang not in LANGS:
        raise BadStreamRequest(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    hub: EventHub = request.app.state.hub
    queue = request.app.state.queue
    config = request.app.state.config
    start, ticket = await offload.read(request, lambda: (queue.last_event_id(),
                                                          queue.status(token)))

    async def body() -> AsyncIterator[str]:
        current = ticket
        last = json.dumps(phone_view(current, config, lang), ensure_ascii=False)
        yield f"retry: {RETRY_MS}\n" + _sse(last, "status")
        if settled(current):
            yield _sse("{}", "end")
            return
        async for batch in hub.follow(start):
            if not batch:
                yield ": keep-alive\n\n"
                continue
            if not any(concerns(e, current, config) for e in batch):
                continue
            current = await offload.read(request, queue.status, token)
            now = json.dumps(phone_view(current, config, lang), ensure_ascii=False)
            if now != last:
                last = now
                yield _sse(now, "status")
            if settled(current):
                yield _sse("{}", "end")   # nothing more will change: the page stops following
                return
    return body()
