"""The exit codes of the command lines (`novbe`, its kiosk commands): the errors carry none,
these boundaries map them here."""

from __future__ import annotations

from shared.core.errors import NoTicketWaiting, NovbeError

FAILED = 2              # bad input, a broken config, a database or server that failed
NOBODY_WAITING = 3      # `novbe call`: nobody is waiting for this counter (scripts poll on it)
NOT_PRINTED = 4         # the ticket is issued and kept, but the printer did not print it


def exit_code(exc: NovbeError) -> int:
    """The exit code for a named error (FAILED unless it has one of its own)."""
    return NOBODY_WAITING if isinstance(exc, NoTicketWaiting) else FAILED
