"""The queue contract: every app talks to the queue through these operations, whether the queue
is the local SQLite file (LocalQueue) or the centre's server (RemoteQueue)."""

from __future__ import annotations

from typing import Any, Protocol

from shared.bookings.checkin import CheckIn
from shared.config.centre import CentreConfig
from shared.core.clock import Clock
from shared.core.counter_profiles import ProfileNow, ScheduledSwitch
from shared.core.feed import EventFeed
from shared.core.model import CounterState, Event, Snapshot, Ticket, VisitEnd


class Queue(Protocol):
    """The operations of the queue contract (docs/architecture.md)."""

    @property
    def config(self) -> CentreConfig:
        """The centre config the queue works by."""

    @property
    def clock(self) -> Clock:
        """The clock the queue's service day and waits go by (a device's screens use it too)."""

    def fresh_config(self) -> CentreConfig | None:
        """The config again if it changed since it was last read (None if not, or if the queue
        cannot tell): a remote device follows the server's config with it."""

    def event_feed(self) -> EventFeed:
        """A feed of this queue's new events for a board (shared/core/feed.py)."""

    # Counter actions take `expect`: the ticket code the caller sees at the counter ("" for
    # none); if the counter has moved on meanwhile, CounterChanged and nothing is done.
    def issue(self, service: str, priority: str | None = None, language: str = "az",
              source: str | None = None, check_hours: bool = False,
              request_id: str | None = None) -> Ticket:
        """Give a visitor a numbered ticket for a service; a retry with the same `request_id`
        the same service day gets the same ticket."""

    def issued_for(self, request_id: str) -> Ticket:
        """Today's ticket issued for a request id (TicketNotFound if none was)."""

    def check_in(self, code: str, walk_in_if_early: bool = False,
                 source: str | None = None) -> CheckIn:
        """A booked visitor checks in by code or scanned payload: checked in with a ticket for
        the slot, too early (when to come back; or a walk-in ticket if they prefer), too late (a
        walk-in ticket), or unknown / cancelled (shared/bookings/checkin.py)."""

    def call_next(self, counter: str, staff: str | None = None, expect: str | None = None) -> Ticket:
        """End the counter's current visit, then call the next ticket it may serve; the ticket's
        `ended` says what was recorded for the visit ended (NoTicketWaiting carries it too)."""

    def call(self, counter: str, ticket: str, staff: str | None = None,
             expect: str | None = None) -> Ticket:
        """Call one waiting ticket (by code or token) of a service the counter serves."""

    def recall(self, counter: str, expect: str | None = None) -> Ticket:
        """Call the counter's current ticket once more."""

    def start(self, counter: str, expect: str | None = None) -> Ticket:
        """The called visitor has arrived: start serving."""

    def finish(self, counter: str, outcome: str = "served", expect: str | None = None) -> Ticket:
        """The visit at the counter is over."""

    def no_show(self, counter: str, expect: str | None = None) -> Ticket:
        """The called visitor did not come."""

    def correct(self, counter: str, ticket: str, outcome: str) -> VisitEnd:
        """Put right the outcome recorded moments ago ([visits] undo_s) for a visit that ended
        at the counter: served, unresolved, referred or no_show."""

    def transfer(self, counter: str, service: str, expect: str | None = None) -> Ticket:
        """Send the counter's visitor back to the queue of another service."""

    def cancel(self, ticket: str) -> Ticket:
        """Withdraw a ticket (by code or token) that is waiting or called."""

    def open_counter(self, counter: str, staff: str | None = None) -> CounterState:
        """A staff member opens the counter."""

    def pause_counter(self, counter: str) -> CounterState:
        """The counter stops calling for a while."""

    def close_counter(self, counter: str) -> CounterState:
        """The counter closes (it must have no visitor)."""

    def counter_state(self, counter: str) -> CounterState:
        """The counter's mode, staff and current ticket."""

    def switch_profile(self, counter: str, profile: str, staff: str | None = None,
                       manager: bool = False) -> ProfileNow:
        """Switch the counter's work profile from its next Next: staff among the counter's
        profiles, a `manager` to any sharing a service with it (UnknownProfile otherwise)."""

    def schedule_profile(self, counter: str, profile: str, starts_at: float, ends_at: float,
                         staff: str | None = None) -> ScheduledSwitch:
        """A manager's switch of the counter's profile from `starts_at` until `ends_at`."""

    def cancel_profile_schedule(self, switch_id: int, staff: str | None = None) -> None:
        """Call a scheduled switch off."""

    def profiles_now(self) -> tuple[dict[str, ProfileNow], list[ScheduledSwitch]]:
        """Every counter's work profile now, and the scheduled switches not yet over."""

    def waiting(self, counter: str | None = None, limit: int = 200) -> list[Ticket]:
        """Waiting tickets in calling order, for one counter's services or all."""

    def ticket(self, code: str) -> Ticket:
        """Today's ticket with this code (or any ticket with this token)."""

    def status(self, token: str) -> Ticket:
        """What a phone shows: the ticket with people ahead and estimated wait."""

    def rate(self, token: str, score: int) -> Ticket:
        """Store the visitor's 1–5 satisfaction rating, once per ticket."""

    def report_device(self, source: str, kind: str, message: str = "",
                      ticket_id: int | None = None) -> Event:
        """A kiosk reports its printer: printed, print_failed, printer_paper_out, printer_ok…"""

    def heartbeat(self, source: str, role: str, version: str, state: dict[str, Any]) -> str:
        """A device says it is there, with its version, screen, printer, audio and config;
        the answer is the version of the queue it talks to (the server's, for a remote one)."""

    def print_requests(self, source: str) -> list[Ticket]:
        """Tickets issued for visitors at /assist that the kiosk `source` is to print and has
        not printed yet, oldest first, with their tokens (shared/core/assisted.py)."""

    def snapshot(self, zone: str | None = None) -> Snapshot:
        """What a board shows now."""

    def events(self, after_id: int = 0, limit: int = 500) -> list[Event]:
        """The changes after an event id, oldest first."""

    def last_event_id(self) -> int:
        """The newest event's id (also a cheap "are you there?")."""

    def close(self) -> None:
        """Release the connection."""
