"""Who is ahead of a ticket and how long it will likely wait, read from the queue's file for
the estimator (shared.estimator holds the arithmetic; this module gathers its inputs)."""

from __future__ import annotations

from shared.estimator import (
    LOOKBACK_SECONDS,
    RECENT_VISITS,
    estimate_wait_min,
    median_service_minutes,
)
from shared.model import Outcome
from shared.queue_tx import Tx

NORMAL_RANK = 1000          # visitors of no priority class
FRONT_RANK = 0              # transferred "to the front"
AFTER_ALL = 2**63 - 1       # the id a ticket being issued will have: after every existing one


def people_ahead(tx: Tx, competing: tuple[str, ...], rank: int, queued_at: float,
                 ticket_id: int) -> int:
    """People surely called before this ticket: waiting tickets ordered before it (priority
    rank, queue time, id) of the services every counter serving its service also serves."""
    marks = ",".join("?" * len(competing))
    return int(tx.value(
        f"SELECT count(*) FROM tickets WHERE status = 'waiting' AND service IN ({marks}) AND "
        "(priority_rank < ? OR (priority_rank = ? AND (queued_at < ? OR (queued_at = ? AND id < ?))))",
        (*competing, rank, rank, queued_at, queued_at, ticket_id)))


def service_minutes(tx: Tx, service: str) -> float:
    """The typical visit of a service lately (median of recent start → finish), or its
    configured minutes while too few are known."""
    rows = tx.rows(
        "SELECT finished_at - started_at FROM tickets WHERE status = 'done' AND service = ? "
        "AND finished_at > ? AND outcome IS NOT ? ORDER BY finished_at DESC LIMIT ?",
        (service, tx.at - LOOKBACK_SECONDS, Outcome.DAY_END, RECENT_VISITS))
    return median_service_minutes([r[0] for r in rows], tx.config.service(service).service_min)


def open_counters(tx: Tx, service: str) -> tuple[int, int]:
    """(open counters serving the service, counters configured to serve it)."""
    serving = {c.id for c in tx.config.counters_serving(service)}
    if not serving:
        return 0, 0
    rows = tx.rows("SELECT id FROM counters WHERE state = 'open'")
    return sum(1 for r in rows if r[0] in serving), len(serving)


def estimate_wait(tx: Tx, service: str, ahead: int) -> int:
    """Whole minutes a visitor of `service` with `ahead` people before them will likely wait."""
    if ahead <= 0:
        return 0
    return estimate_wait_min(ahead, service_minutes(tx, service), *open_counters(tx, service))
