"""Sending a counter's visitor back to wait for another service: keeping their place, at the
front (among transfers, in transfer order) or at the back, by config."""

from __future__ import annotations

from typing import Any

from shared.config.centre import Service
from shared.core.errors import IllegalTransition
from shared.core.queue_tx import TicketRow, Tx
from shared.waits.reading import FRONT_RANK


def transfer_in(tx: Tx, counter: str, staff: str | None, ticket: TicketRow, target: Service,
                policy: str) -> None:
    """Inside the action's transaction: the ticket waits again, for `target`, with its event."""
    if target.id == ticket["service"]:
        raise IllegalTransition(f"ticket {ticket['code']} is already for {target.id}")
    sets = "status = 'waiting', service = ?, counter = NULL, staff = NULL, " \
           "called_at = NULL, started_at = NULL, transfers = transfers + 1"
    params: list[Any] = [target.id]
    if policy == "front":
        sets += ", priority_rank = ?, queued_at = ?"
        params += [FRONT_RANK, tx.at]
    elif policy == "back":
        sets += ", queued_at = ?"
        params.append(tx.at)
    tx.conn.execute(f"UPDATE tickets SET {sets} WHERE id = ?", (*params, ticket["id"]))
    tx.event("transferred", ticket, counter, staff, from_service=ticket["service"],
             to_service=target.id, policy=policy)
