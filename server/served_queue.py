"""What the centre's server needs of its queue beyond the contract (shared/core/queue.py): the
counter actions with the `holder` guard — the signed-in staff member acting, checked inside the
action's own transaction — and the file, clock and open state of the queue it serves. LocalQueue
is one; the server types its queue as this, never as LocalQueue."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from shared.bookings.ledger import BookingLedger
from shared.core.counter_profiles import ProfileNow
from shared.core.model import CounterState, Event, Ticket, VisitEnd
from shared.core.next_calls import CounterWaiting
from shared.core.presence import OFFLINE_AFTER_S, DeviceSeen
from shared.core.queue import Queue


class ServedQueue(Queue, Protocol):
    """The queue a server serves: the contract, and what only the server uses."""

    @property
    def path(self) -> Path | None:
        """The queue's file (accounts, report facts and the planner's learning live beside);
        None for a queue without one."""

    @property
    def bookings(self) -> BookingLedger:
        """The centre's bookings in the same file (the desk page, the no-show tick)."""

    @property
    def closed(self) -> bool:
        """Whether close() has been called (the event hub stops following)."""

    def counter_waiting(self, counter: str, limit: int = 12) -> CounterWaiting:
        """What waits for the counter by its profile now, the first `limit` in its Next's
        order, each with its level (the console's list)."""

    def call_next(self, counter: str, staff: str | None = None, expect: str | None = None,
                  holder: str | None = None) -> Ticket:
        """As the contract; `holder`: refused unless the counter is open in this name."""

    def call(self, counter: str, ticket: str, staff: str | None = None,
             expect: str | None = None, holder: str | None = None) -> Ticket:
        """As the contract, with the holder guard."""

    def recall(self, counter: str, expect: str | None = None, holder: str | None = None) -> Ticket:
        """As the contract, with the holder guard."""

    def start(self, counter: str, expect: str | None = None, holder: str | None = None) -> Ticket:
        """As the contract, with the holder guard."""

    def finish(self, counter: str, outcome: str = "served", expect: str | None = None,
               holder: str | None = None) -> Ticket:
        """As the contract, with the holder guard."""

    def no_show(self, counter: str, expect: str | None = None,
                holder: str | None = None) -> Ticket:
        """As the contract, with the holder guard."""

    def correct(self, counter: str, ticket: str, outcome: str,
                holder: str | None = None) -> VisitEnd:
        """Put right the outcome recorded moments ago, with the holder guard."""

    def transfer(self, counter: str, service: str, expect: str | None = None,
                 holder: str | None = None) -> Ticket:
        """As the contract, with the holder guard."""

    def pause_counter(self, counter: str, holder: str | None = None) -> CounterState:
        """As the contract, with the holder guard."""

    def close_counter(self, counter: str, holder: str | None = None) -> CounterState:
        """As the contract, with the holder guard."""

    def switch_profile(self, counter: str, profile: str, staff: str | None = None,
                       manager: bool = False, holder: str | None = None) -> ProfileNow:
        """As the contract, with the holder guard."""

    def acknowledge_help(self, source: str, staff: str) -> Event:
        """A staff member or volunteer goes to help at the device `source`."""

    def kiosk_printers(self) -> list[str]:
        """The kiosks that have reported a printer, by source id."""

    def devices_seen(self) -> list[DeviceSeen]:
        """Every device's last heartbeat (the fleet page)."""

    def sweep_devices(self, after_s: float = OFFLINE_AFTER_S) -> list[str]:
        """Raise the offline alert of every device silent for `after_s`."""


if TYPE_CHECKING:
    from shared.core.local_queue import LocalQueue

    _SERVED: type[ServedQueue] = LocalQueue    # mypy checks LocalQueue against both protocols
