"""Server-Sent Events: the queue's event stream (devices, staff consoles) resuming from
Last-Event-ID, and a phone's own stream that sends only its ticket's status when it changes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from server.api import Token
from server.auth import Caller, any_caller
from server.event_hub import EventHub
from server.schemas import MAX_ID
from server.views import phone_view
from shared.config import CentreConfig
from shared.model import Event, Status, Ticket

HEARTBEAT_SECONDS = 15.0
RETRY_MS = 2000
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

router = APIRouter()


def _sse(data: str, event_id: int | None = None, event: str | None = None) -> str:
    head = (f"id: {event_id}\n" if event_id is not None else "") + (
        f"event: {event}\n" if event else "")
    return f"{head}data: {data}\n\n"


def _resume_point(last_event_id: str | None, after_id: int | None) -> int | None:
    if last_event_id and last_event_id.strip().isdigit():
        return min(int(last_event_id.strip()), MAX_ID)
    return after_id


@router.get("/api/events/stream", tags=["board"],
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def event_stream(request: Request, who: Annotated[Caller, Depends(any_caller)],
                       after_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
                       last_event_id: Annotated[str | None, Header(max_length=32)] = None
                       ) -> StreamingResponse:
    """Queue events as Server-Sent Events (`id:` is the event id; reconnecting with
    Last-Event-ID, or ?after_id=, resumes after it). Without either, starts from now."""
    hub: EventHub = request.app.state.hub
    start = _resume_point(last_event_id, after_id)
    if start is None:
        start = await asyncio.to_thread(request.app.state.queue.last_event_id)

    async def body() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n: resuming after {start}\n\n"
        async for batch in hub.follow(start, HEARTBEAT_SECONDS):
            if not batch:
                yield ": keep-alive\n\n"
                continue
            yield "".join(_sse(json.dumps(e.to_json(), ensure_ascii=False), e.id)
                          for e in batch)
    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)


def concerns(event: Event, ticket: Ticket, config: CentreConfig) -> bool:
    """Whether an event may change what this ticket's phone shows."""
    if event.ticket_id == ticket.id:
        return True
    if ticket.status != Status.WAITING:
        return False
    if ticket.service in (event.service, event.details.get("from_service"),
                          event.details.get("to_service")):
        return True
    if event.counter and event.kind.startswith("counter_"):
        try:
            return ticket.service in config.counter(event.counter).services
        except Exception:
            return False
    return event.kind == "day_started"


@router.get("/t/{token}/events", tags=["phone"], response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def phone_stream(request: Request, token: Token,
                       lang: Annotated[Literal["az", "ru", "en"], Query()] = "az"
                       ) -> StreamingResponse:
    """The ticket's status as Server-Sent Events: now, then whenever it changes."""
    hub: EventHub = request.app.state.hub
    queue = request.app.state.queue
    config = request.app.state.config
    start = await asyncio.to_thread(queue.last_event_id)
    ticket = await asyncio.to_thread(queue.status, token)   # 404 before streaming

    async def body() -> AsyncIterator[str]:
        nonlocal ticket
        last = json.dumps(phone_view(ticket, config, lang), ensure_ascii=False)
        yield f"retry: {RETRY_MS}\n" + _sse(last, event="status")
        async for batch in hub.follow(start, HEARTBEAT_SECONDS):
            if not batch:
                yield ": keep-alive\n\n"
                continue
            if not any(concerns(e, ticket, config) for e in batch):
                continue
            ticket = await asyncio.to_thread(queue.status, token)
            now = json.dumps(phone_view(ticket, config, lang), ensure_ascii=False)
            if now != last:
                last = now
                yield _sse(now, event="status")
    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)
