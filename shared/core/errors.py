"""The named errors of the queue; each is caught at a UI/HTTP/CLI boundary and shown as is.
They carry no HTTP status or exit code: each boundary maps them (server/api/error_status.py,
shared/exit_codes.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.core.model import VisitEnd


class NovbeError(Exception):
    """Base of every error Növbə raises on purpose; its text is shown to people."""


class ConfigError(NovbeError):
    """The centre config is broken; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class UnknownService(NovbeError):
    """No service (or category) with that id in the centre config."""


class UnknownCounter(NovbeError):
    """No counter with that id in the centre config."""


class UnknownProfile(NovbeError):
    """No work profile with that id in the centre config, or not one this counter may run."""


class UnknownPriority(NovbeError):
    """No priority class with that id in the centre config."""


class TicketNotFound(NovbeError):
    """No ticket with that token, code or id."""


class NoTicketWaiting(NovbeError):
    """Nobody is waiting for the services this counter serves. `ended`: the visit the same Next
    ended before finding nobody (a shared.core.model.VisitEnd), so its outcome is still said."""

    def __init__(self, message: str, ended: VisitEnd | None = None):
        super().__init__(message)
        self.ended = ended


class IllegalTransition(NovbeError):
    """The ticket or counter is not in a state that allows this operation."""


class DailyCapReached(NovbeError):
    """The service has issued as many tickets today as its daily cap allows."""


class CentreClosed(NovbeError):
    """The centre is outside its opening hours, or the wait would run past closing."""


class AlreadyRated(NovbeError):
    """The visit of this ticket has been rated already."""


class QueueUnavailable(NovbeError):
    """The queue (database or server) cannot be reached right now."""


class DamagedDatabase(QueueUnavailable):
    """The queue database file is damaged or is not a Növbə database; it is not used."""


class CounterChanged(IllegalTransition):
    """The counter moved on since the caller looked (another window acted first); nothing done."""


class DuplicateRequest(NovbeError):
    """A request id already names a different ticket request (another service or day)."""


class CounterNotHeld(NovbeError):
    """The counter is not (or no longer) open in this staff member's name: someone took it
    over or closed it."""
