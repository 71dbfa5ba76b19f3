"""Putting right the outcome a counter recorded moments ago (the console's Undo): a visit that
ended at this counter within `[visits] undo_s` changes between served, unresolved, referred
and "did not come", checked inside the correcting transaction, told by an `outcome_corrected`
event (the fold and the estimator read the visit as corrected)."""

from __future__ import annotations

from shared.core.errors import IllegalTransition, NovbeError
from shared.core.model import FINISH_OUTCOMES, Status, VisitEnd
from shared.core.queue_tx import TicketRow, Tx
from shared.core.visits import NO_SHOW, visit_seconds

CORRECTABLE = (*(str(o) for o in FINISH_OUTCOMES), NO_SHOW)


def recorded_outcome(row: TicketRow) -> str:
    """How the ticket's last visit ended, as a console names it."""
    return NO_SHOW if row["status"] == Status.NO_SHOW else str(row["outcome"])


def correct(tx: Tx, counter: str, staff: str | None, row: TicketRow, outcome: str) -> VisitEnd:
    """Change the outcome of `row`'s visit, which ended at `counter` moments ago, to `outcome`."""
    if outcome not in CORRECTABLE:
        raise NovbeError(f"unknown outcome {outcome!r} (known: {', '.join(CORRECTABLE)})")
    window = tx.config.visits.undo_s
    if row["status"] not in (Status.DONE, Status.NO_SHOW) or row["counter"] != counter:
        raise IllegalTransition(f"ticket {row['code']} did not end its visit at counter {counter}")
    if row["finished_at"] is None or tx.at - row["finished_at"] > window:
        raise IllegalTransition(f"the outcome of {row['code']} can be changed only within "
                                f"{window} s of the visit's end")
    later = tx.value("SELECT count(*) FROM events WHERE ticket_id = ? AND at > ? AND kind NOT IN "
                     "('finished', 'no_show', 'outcome_corrected')", (row["id"], row["finished_at"]))
    if later:
        raise IllegalTransition(f"ticket {row['code']} has moved on since its visit ended")
    was = recorded_outcome(row)
    if outcome != was:
        if outcome == NO_SHOW:
            tx.conn.execute("UPDATE tickets SET status = 'no_show', outcome = NULL WHERE id = ?",
                            (row["id"],))
        else:
            tx.conn.execute("UPDATE tickets SET status = 'done', outcome = ? WHERE id = ?",
                            (outcome, row["id"]))
        tx.event("outcome_corrected", row, counter, staff, was=was, outcome=outcome)
    seconds = None if outcome == NO_SHOW else visit_seconds(row, row["finished_at"])
    return VisitEnd(row["id"], row["code"], outcome, seconds)
