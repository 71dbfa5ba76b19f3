"""A counter opening, pausing or closing: the holder guard, a closing counter's visitor, the new
staff name and the event, inside the change's transaction."""

from __future__ import annotations

from shared.config.centre import Counter
from shared.core import visits
from shared.core.errors import IllegalTransition
from shared.core.model import CounterMode, CounterState
from shared.core.queue_tx import Tx
from shared.core.snapshot import counter_states

COUNTER_EVENTS = {CounterMode.OPEN: "counter_opened", CounterMode.PAUSED: "counter_paused",
                  CounterMode.CLOSED: "counter_closed"}


def set_mode(tx: Tx, c: Counter, mode: CounterMode, staff: str | None, keep_staff: bool,
             holder: str | None) -> CounterState:
    """The counter in `mode`, with `staff` (else its staff kept, or none), and its event."""
    old_mode, old_staff, visitor = visits.counter_now(tx, c.id)
    visits.guard(c.id, visitor, None, old_mode, old_staff, holder)
    if mode == CounterMode.CLOSED and visitor is not None:
        raise IllegalTransition(f"counter {c.id} still has ticket {visitor['code']}: "
                                "finish, transfer or mark it as no-show first")
    new_staff = staff if staff is not None else (old_staff if keep_staff else None)
    visits.set_counter(tx, c.id, mode, new_staff)
    if old_mode != mode or new_staff != old_staff:
        tx.event(COUNTER_EVENTS[mode], None, c.id, new_staff or old_staff)
    return counter_states(tx, [c.id])[0]
