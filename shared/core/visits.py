"""A counter's visits, inside one queue transaction: the counter as it is now, the caller's
guards (checked in the same transaction as the change), and each step a visit goes through —
called, finished, no-show — with its event."""

from __future__ import annotations

from typing import Any

from shared.core.errors import CounterChanged, CounterNotHeld, IllegalTransition
from shared.core.model import TRANSITIONS, CounterMode, Outcome, Status
from shared.core.queue_tx import TicketRow, Tx


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
    """The counter's mode and staff member from now on."""
    tx.conn.execute(
        "INSERT INTO counters(id, state, staff, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET state = excluded.state, staff = excluded.staff, "
        "updated_at = excluded.updated_at", (counter, str(mode), staff, tx.at))


def end_visit(tx: Tx, counter: str, staff: str | None, visitor: TicketRow | None) -> None:
    """Next or a call ends the counter's current visit: a visit being served ends as
    served; a visitor called but never started did not come (no-show)."""
    if visitor is None:
        return
    if visitor["status"] == Status.SERVING:
        finish_visit(tx, counter, staff, visitor, Outcome.SERVED)
    else:
        mark_no_show(tx, counter, staff, visitor, by="next")


def finish_visit(tx: Tx, counter: str, staff: str | None, visitor: TicketRow,
                 outcome: Outcome) -> None:
    """The visit ends with this outcome (a visit never started counts as started when called)."""
    tx.conn.execute(
        "UPDATE tickets SET status = 'done', outcome = ?, finished_at = ?, "
        "started_at = coalesce(started_at, called_at) WHERE id = ?", (outcome, tx.at, visitor["id"]))
    tx.event("finished", visitor, counter, staff, outcome=str(outcome))


def mark_no_show(tx: Tx, counter: str, staff: str | None, visitor: TicketRow,
                 **details: Any) -> None:
    """The visitor called did not come."""
    tx.conn.execute("UPDATE tickets SET status = 'no_show', finished_at = ? WHERE id = ?",
                    (tx.at, visitor["id"]))
    tx.event("no_show", visitor, counter, staff, **details)


def call_ticket(tx: Tx, counter: str, mode: str, staff: str | None, row: TicketRow) -> None:
    """Call the ticket to the counter (opening it if it was not open)."""
    tx.conn.execute(
        "UPDATE tickets SET status = 'called', called_at = ?, counter = ?, staff = ? WHERE id = ?",
        (tx.at, counter, staff, row["id"]))
    open_for(tx, counter, mode, staff)
    tx.event("called", row, counter, staff)


def open_for(tx: Tx, counter: str, mode: str, staff: str | None) -> None:
    """The counter is open (again) for this staff member; reopening is an event."""
    set_counter(tx, counter, CounterMode.OPEN, staff)
    if mode != CounterMode.OPEN:
        tx.event("counter_opened", None, counter, staff)
