"""A counter's visits, inside one queue transaction: the counter as it is now, the caller's
guards (checked in the same transaction as the change), each step a visit goes through —
called, finished, no-show — with its event, and the rule that reads what happened from what
staff pressed (README, the queue rules): Start is optional; a called visitor nobody marked as
a no-show is at the window once the walk-up time has passed since the last call or recall."""

from __future__ import annotations

from typing import Any

from shared.core.errors import CounterChanged, CounterNotHeld, IllegalTransition
from shared.core.model import TRANSITIONS, CounterMode, Outcome, Status, VisitEnd
from shared.core.queue_tx import TICKET_COLUMNS, TicketRow, Tx

NO_SHOW = "no_show"


def summoned_at(called_at: float, recalled_at: float | None) -> float:
    """When the visitor was last asked to come: the call, or the last recall after it."""
    return max(called_at, recalled_at or called_at)


def at_window(status: str, called_at: float, recalled_at: float | None, at: float,
              walk_up_s: float) -> bool:
    """Whether a visit counts as started at `at`: Start was pressed, or the walk-up time has
    passed since the last call or recall (nobody pressed No-show: the visitor came)."""
    if status == Status.SERVING:
        return True
    return at - summoned_at(called_at, recalled_at) >= walk_up_s


def counter_now(tx: Tx, counter: str) -> tuple[str, str | None, TicketRow | None]:
    """The counter's mode, staff and current visitor (called or being served there)."""
    row = tx.one("SELECT state, staff FROM counters WHERE id = ?", (counter,))
    visitor = tx.ticket_row("counter = ? AND status IN ('called', 'serving')", (counter,))
    return (row["state"], row["staff"], visitor) if row else (CounterMode.CLOSED, None, visitor)


def guard(counter: str, visitor: TicketRow | None, expect: str | None,
          mode: str = CounterMode.OPEN, staff: str | None = None,
          holder: str | None = None) -> None:
    """The caller's guards, checked in the same transaction as the action. `holder`: the
    signed-in staff member acting — the counter must be open (or paused) in their name,
    not taken over or closed since. `expect`: the ticket code the caller sees at the
    counter ("" for none): if another window acted first, nothing is done."""
    if holder is not None and (mode == CounterMode.CLOSED or staff != holder):
        if staff and mode != CounterMode.CLOSED:
            raise CounterNotHeld(f"counter {counter} was taken over by {staff}")
        raise CounterNotHeld(f"counter {counter} is closed; open it again to work there")
    if expect is None:
        return
    current = visitor["code"] if visitor is not None else ""
    if current != expect.strip().upper():
        raise CounterChanged(f"counter {counter} has changed meanwhile (now: "
                             f"{current or 'no visitor'}); nothing was done")


def allow(action: str, row: TicketRow, where: str = "") -> None:
    """Refuse an action the ticket's status does not allow (model.TRANSITIONS)."""
    if row["status"] not in TRANSITIONS[action]:
        verb = action.replace("_", "-")
        raise IllegalTransition(f"cannot {verb} ticket {row['code']}{where}: it is {row['status']}")


def set_counter(tx: Tx, counter: str, mode: CounterMode, staff: str | None) -> None:
    """The counter's mode and staff member from now on; `updated_at` is when that pair began
    (a paused counter's since, for the waits), so an unchanged pair — a Next at an open
    counter — leaves the row, and its page, as they are."""
    tx.conn.execute(
        "INSERT INTO counters(id, state, staff, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET state = excluded.state, staff = excluded.staff, "
        "updated_at = excluded.updated_at "
        "WHERE state IS NOT excluded.state OR staff IS NOT excluded.staff",
        (counter, str(mode), staff, tx.at))


def end_visit(tx: Tx, counter: str, staff: str | None,
              visitor: TicketRow | None) -> VisitEnd | None:
    """Next or a call ends the counter's current visit: served once the visitor is at the
    window (started, or the walk-up time passed); "did not come" when Next comes sooner."""
    if visitor is None:
        return None
    if at_window(visitor["status"], visitor["called_at"], visitor["recalled_at"], tx.at,
                 tx.config.visits.walk_up_s):
        return finish_visit(tx, counter, staff, visitor, Outcome.SERVED, by="next")
    return mark_no_show(tx, counter, staff, visitor, by="next")


def visit_seconds(visitor: TicketRow, at: float) -> int:
    """How long a visit lasted: from its Start, or from its call when nobody pressed Start."""
    began = visitor["started_at"] if visitor["started_at"] is not None else visitor["called_at"]
    return max(0, round(at - began))


def finish_visit(tx: Tx, counter: str, staff: str | None, visitor: TicketRow,
                 outcome: Outcome, **details: Any) -> VisitEnd:
    """The visit ends with this outcome (with no Start its time runs from the call; its
    walk-up is unknown, so started_at stays empty)."""
    tx.conn.execute("UPDATE tickets SET status = 'done', outcome = ?, finished_at = ? "
                    "WHERE id = ?", (outcome, tx.at, visitor["id"]))
    tx.event("finished", visitor, counter, staff, outcome=str(outcome), **details)
    return VisitEnd(visitor["id"], visitor["code"], str(outcome), visit_seconds(visitor, tx.at))


def mark_no_show(tx: Tx, counter: str, staff: str | None, visitor: TicketRow,
                 **details: Any) -> VisitEnd:
    """The visitor called did not come."""
    tx.conn.execute("UPDATE tickets SET status = 'no_show', finished_at = ? WHERE id = ?",
                    (tx.at, visitor["id"]))
    tx.event("no_show", visitor, counter, staff, **details)
    return VisitEnd(visitor["id"], visitor["code"], NO_SHOW, None)


def call_ticket(tx: Tx, counter: str, mode: str, staff: str | None, ticket_id: int,
                **details: Any) -> TicketRow:
    """Call the ticket to the counter (opening it if it was not open); `details`: the work
    profile and level a Next called it by. Returns the ticket's row as called."""
    row: TicketRow = tx.rows(
        f"UPDATE tickets SET status = 'called', called_at = ?, counter = ?, staff = ? "
        f"WHERE id = ? RETURNING {TICKET_COLUMNS}", (tx.at, counter, staff, ticket_id))[0]
    open_for(tx, counter, mode, staff)
    tx.event("called", row, counter, staff, **details)
    return row


def open_for(tx: Tx, counter: str, mode: str, staff: str | None) -> None:
    """The counter is open (again) for this staff member; reopening is an event."""
    set_counter(tx, counter, CounterMode.OPEN, staff)
    if mode != CounterMode.OPEN:
        tx.event("counter_opened", None, counter, staff)
