"""The HTTP status of each named error: the errors carry none, the server's boundary maps them
here (one table for the JSON API, the pages and the streams)."""

from __future__ import annotations

from server.auth.accounts import Forbidden, NotAuthorised
from server.auth.counter_claims import CounterHeld
from server.auth.throttle import TooManyAttempts
from server.events.streams import BadStreamRequest
from server.http.fair_gate import Busy
from server.shipping.link import CentralUnavailable
from shared.bookings import errors as bookings
from shared.client.remote_queue import RemoteError
from shared.core import errors
from shared.core.assisted import AssistRefused
from shared.reports.request import BadReportRequest

BAD_REQUEST = 400

STATUS: dict[type[Exception], int] = {
    errors.UnknownService: 404,
    errors.UnknownCounter: 404,
    errors.UnknownPriority: 404,
    errors.UnknownProfile: 422,
    errors.TicketNotFound: 404,
    errors.NoTicketWaiting: 409,
    errors.IllegalTransition: 409,
    errors.DailyCapReached: 409,
    errors.CentreClosed: 409,
    errors.AlreadyRated: 409,
    errors.DuplicateRequest: 409,
    errors.CounterNotHeld: 403,
    errors.QueueUnavailable: 503,
    bookings.BookingNotFound: 404,
    bookings.BookingRefused: 409,
    bookings.BookingNotOpen: 409,
    bookings.BookingConflict: 409,
    bookings.BadPhone: 422,
    BadReportRequest: 422,
    AssistRefused: 422,
    BadStreamRequest: 422,
    NotAuthorised: 401,
    Forbidden: 403,
    CounterHeld: 409,
    TooManyAttempts: 429,
    Busy: 429,
    CentralUnavailable: 503,
}


def http_status(exc: Exception) -> int:
    """The status to answer `exc` with: its own class's, else its nearest base's, else 400."""
    if isinstance(exc, RemoteError):       # a queue server's refusal, passed on as it came
        return exc.status
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return BAD_REQUEST
