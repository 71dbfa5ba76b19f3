"""A visitor's 1–5 rating of their visit, from the phone page: once per ticket, after the visit."""

from __future__ import annotations

from shared.core.errors import AlreadyRated, IllegalTransition, NovbeError, TicketNotFound
from shared.core.model import Status, Ticket
from shared.core.queue_tx import Tx, ticket_by_id, ticket_from_row


def check_score(score: object) -> int:
    """The score, or NovbeError naming what is wrong with it."""
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise NovbeError(f"a rating is a whole number from 1 to 5, got {score!r}")
    return score


def rate_in(tx: Tx, token: str, score: int) -> Ticket:
    """Store the rating of the ticket with this token, with its event."""
    row = tx.ticket_row("token = ?", (str(token),))
    if row is None:
        raise TicketNotFound("no ticket with this token")
    if row["status"] != Status.DONE:
        raise IllegalTransition(f"ticket {row['code']} can be rated after the visit, "
                                f"it is {row['status']}")
    if row["rating"] is not None:
        raise AlreadyRated(f"ticket {row['code']} has been rated already")
    tx.conn.execute("UPDATE tickets SET rating = ? WHERE id = ?", (score, row["id"]))
    tx.event("rated", row, row["counter"], row["staff"], score=score)
    return ticket_from_row(ticket_by_id(tx, row["id"]))
