"""Following the server's queue events (Server-Sent Events) with httpx, resuming after the last
event id seen — what a remote board reads instead of polling its own database."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx

from shared.errors import QueueUnavailable
from shared.model import Event

STREAM_PATH = "/api/events/stream"


def parse_sse(lines: Iterator[str]) -> Iterator[tuple[str | None, str, str]]:
    """(id, event type, data) for each event of an SSE line stream; comments are skipped."""
    event_id: str | None = None
    kind = "message"
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield event_id, kind, "\n".join(data)
            event_id, kind, data = None, "message", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "id":
            event_id = value
        elif field == "event":
            kind = value
        elif field == "data":
            data.append(value)


class EventStream:
    """One connection to the server's event stream; iterate it for Events.

    Iteration ends (raising QueueUnavailable) when the connection drops; `last_id` tells where
    to resume. close() from another thread stops it."""

    def __init__(self, url: str, token: str, after_id: int | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 45.0):
        self.url = url.rstrip("/")
        self.token = token
        self.last_id = after_id
        self._timeout = httpx.Timeout(connect_timeout, read=read_timeout)
        self._client: httpx.Client | None = None
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        client = self._client
        if client is not None:
            client.close()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __iter__(self) -> Iterator[Event]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        self._client = httpx.Client(base_url=self.url, timeout=self._timeout)
        try:
            with self._client.stream("GET", STREAM_PATH, headers=headers) as response:
                if response.status_code != 200:
                    response.read()
                    raise QueueUnavailable(
                        f"the event stream of {self.url} answered {response.status_code}: "
                        f"{response.text[:200]}")
                for event_id, _kind, data in parse_sse(response.iter_lines()):
                    event = Event.from_json(json.loads(data))
                    self.last_id = event.id if event_id is None else int(event_id)
                    yield event
        except (httpx.HTTPError, RuntimeError, ValueError) as exc:
            if not self.closed:
                raise QueueUnavailable(f"the event stream of {self.url} broke: {exc}") from exc
        finally:
            self._client.close()
        if not self.closed:
            raise QueueUnavailable(f"the event stream of {self.url} ended")
