"""The named errors of the queue; each is caught at a UI/HTTP/CLI boundary and shown as is."""


class NovbeError(Exception):
    """Base of every error Növbə raises on purpose; its text is shown to people."""

    http_status = 400
    exit_code = 2


class ConfigError(NovbeError):
    """The centre config is broken; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class UnknownService(NovbeError):
    """No service (or category) with that id in the centre config."""

    http_status = 404


class UnknownCounter(NovbeError):
    """No counter with that id in the centre config."""

    http_status = 404


class UnknownPriority(NovbeError):
    """No priority class with that id in the centre config."""

    http_status = 404


class TicketNotFound(NovbeError):
    """No ticket with that token, code or id."""

    http_status = 404


class NoTicketWaiting(NovbeError):
    """Nobody is waiting for the services this counter serves."""

    http_status = 409
    exit_code = 3


class IllegalTransition(NovbeError):
    """The ticket or counter is not in a state that allows this operation."""

    http_status = 409


class DailyCapReached(NovbeError):
    """The service has issued as many tickets today as its daily cap allows."""

    http_status = 409


class CentreClosed(NovbeError):
    """The centre is outside its opening hours, or the wait would run past closing."""

    http_status = 409


class AlreadyRated(NovbeError):
    """The visit of this ticket has been rated already."""

    http_status = 409


class QueueUnavailable(NovbeError):
    """The queue (database or server) cannot be reached right now."""

    http_status = 503


class DamagedDatabase(QueueUnavailable):
    """The queue database file is damaged or is not a Növbə database; it is not used."""


class CounterChanged(IllegalTransition):
    """The counter moved on since the caller looked (another window acted first); nothing done."""


class DuplicateRequest(NovbeError):
    """A request id already names a different ticket request (another service or day)."""

    http_status = 409


class CounterNotHeld(NovbeError):
    """The counter is not (or no longer) open in this staff member's name: someone took it
    over or closed it."""

    http_status = 403
