"""The queue's HTTP API as both sides name it, in one table: each operation's method and path
(the server declares its routes from these, RemoteQueue and the event stream fill them in) and
the error bodies — a named error's name and message — the server answers with and the client
raises again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.bookings import errors as booking_errors
from shared.core import errors
from shared.core.errors import ConfigError, NovbeError
from shared.core.model import VisitEnd

API = "/api"


@dataclass(frozen=True)
class Route:
    """One operation of the API: its method and its path under API, with {placeholders}."""

    method: str
    path: str

    def url(self, **parts: str) -> str:
        """The path with its placeholders filled in (each part a checked path segment)."""
        return API + self.path.format(**parts)


HEALTH = Route("GET", "/health")
CONFIG = Route("GET", "/config")
CONFIG_VERSION = Route("GET", "/config/version")
ISSUE = Route("POST", "/tickets")
ISSUED_FOR = Route("GET", "/tickets/requests/{request_id}")
TICKET = Route("GET", "/tickets/{ref}")
CANCEL = Route("POST", "/tickets/{ref}/cancel")
WAITING = Route("GET", "/waiting")
COUNTER = Route("GET", "/counters/{counter}")
CALL_NEXT = Route("POST", "/counters/{counter}/next")
CALL = Route("POST", "/counters/{counter}/call")
RECALL = Route("POST", "/counters/{counter}/recall")
START = Route("POST", "/counters/{counter}/start")
FINISH = Route("POST", "/counters/{counter}/finish")
NO_SHOW = Route("POST", "/counters/{counter}/no-show")
TRANSFER = Route("POST", "/counters/{counter}/transfer")
CORRECT = Route("POST", "/counters/{counter}/correct")
OPEN = Route("POST", "/counters/{counter}/open")
PAUSE = Route("POST", "/counters/{counter}/pause")
CLOSE = Route("POST", "/counters/{counter}/close")
STATUS = Route("GET", "/status/{token}")
RATE = Route("POST", "/status/{token}/rate")
DEVICE_REPORT = Route("POST", "/devices/report")
HEARTBEAT = Route("POST", "/devices/heartbeat")
PRINT_REQUESTS = Route("GET", "/print-requests/{source}")
CHECK_IN = Route("POST", "/bookings/check-in")
SNAPSHOT = Route("GET", "/snapshot")
EVENTS = Route("GET", "/events")
LAST_EVENT = Route("GET", "/events/last")
EVENT_STREAM = Route("GET", "/events/stream")

# The named errors a server may answer with, by the name its error body carries.
ERRORS: dict[str, type[NovbeError]] = {
    name: cls for module in (errors, booking_errors) for name, cls in vars(module).items()
    if isinstance(cls, type) and issubclass(cls, NovbeError)
}


def error_body(exc: Exception, name: str | None = None) -> dict[str, Any]:
    """The JSON body of a refusal: the error's name and message (a config's problems too)."""
    body: dict[str, Any] = {"error": name or type(exc).__name__, "message": str(exc)}
    if isinstance(exc, ConfigError):
        body["problems"] = exc.problems
    if isinstance(exc, booking_errors.BookingRefused):
        body["reason"] = exc.reason
    return body


def named_error(body: dict[str, Any], fallback: str) -> NovbeError | None:
    """The named exception an error body stands for (None: a name this side does not know)."""
    name = str(body.get("error", ""))
    message = str(body.get("message") or body.get("detail") or fallback)
    if name == "ConfigError":
        return ConfigError(list(body.get("problems") or [message]))
    if name == "NoTicketWaiting" and isinstance(body.get("ended"), dict):
        return errors.NoTicketWaiting(message, VisitEnd.from_json(body["ended"]))
    if name == "BookingRefused":
        return booking_errors.BookingRefused(message, str(body.get("reason") or "refused"))
    cls = ERRORS.get(name)
    return cls(message) if cls is not None else None
