"""Who holds a counter. Opening a counter that another signed-in staff member holds is refused
unless it is an explicit takeover; after a takeover the sessions that lost the counter are
refused (CounterTakenOver) instead of acting on the new holder's visitors."""

from __future__ import annotations

import threading

from server.auth.accounts import Accounts, Forbidden, Session
from shared.core.errors import NovbeError
from shared.core.model import CounterMode, CounterState
from shared.core.queue import Queue

_open_lock = threading.Lock()     # the holder check and the open go together


class CounterHeld(NovbeError):
    """Another signed-in staff member has this counter open (take it over explicitly)."""

    def __init__(self, counter: str, staff: str):
        self.counter, self.staff = counter, staff
        super().__init__(f"counter {counter} is open for {staff}, who is signed in; "
                         "take it over explicitly (takeover: true) to work there")


class CounterTakenOver(Forbidden):
    """Another staff member took this session's counter over."""

    def __init__(self, counter: str, staff: str):
        self.counter, self.staff = counter, staff
        super().__init__(f"counter {counter} was taken over by {staff}")


def holder(queue: Queue, accounts: Accounts, counter: str, staff: str | None) -> str | None:
    """The other staff member holding the counter now: it is open (or paused) in their name and
    they have a live session on it. None if it is free or held by `staff` themself."""
    state = queue.counter_state(counter)
    if state.mode == CounterMode.CLOSED or not state.staff or state.staff == staff:
        return None
    return state.staff if state.staff in accounts.staff_at(counter) else None


def open_counter(queue: Queue, accounts: Accounts, counter: str, staff: str | None,
                 session: Session | None, takeover: bool = False) -> CounterState:
    """Open the counter for `staff` (refused with CounterHeld if another signed-in staff member
    holds it, unless `takeover`); a staff session then acts for this counter."""
    queue.config.counter(counter)
    if staff is not None and accounts.role_of(staff) == "volunteer":
        raise Forbidden(f"{staff} is a volunteer: volunteers issue tickets and answer help "
                        "requests at /assist, they do not open counters")
    with _open_lock:
        held_by = holder(queue, accounts, counter, staff)
        if held_by is not None and not takeover:
            raise CounterHeld(counter, held_by)
        state = queue.open_counter(counter, staff=staff)
    if session is not None:
        accounts.set_session_counter(session, counter)
    return state


def check_holds(accounts: Accounts, session: Session, counter: str) -> None:
    """A staff session may act for a counter only if it opened it and the counter is still
    theirs (not taken over by someone else since). Read on the accounts' own read connection:
    the action that follows takes the queue's lock once, not twice."""
    if session.counter != counter:
        raise Forbidden(f"you have not opened counter {counter}; open it first")
    staff = accounts.counter_staff(counter)
    if staff and staff != session.staff:
        raise CounterTakenOver(counter, staff)


def taken_over_by(staff_now: str | None, session: Session) -> str | None:
    """Who took the session's counter over, from the counter's current staff (None if nobody)."""
    return staff_now if staff_now and staff_now != session.staff else None
