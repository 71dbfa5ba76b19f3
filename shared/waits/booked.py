"""Booked visitors in the replay of the call order (shared/core/booked_order.py): each counter's
booked visitors by slot, and which one it calls next — one whose slot has come goes before the
walk-ins of its priority class; one not yet due only when nobody else is waiting."""

from __future__ import annotations

import math
from collections.abc import Sequence

from shared.waits.state import Booked, CounterNow


def in_slot_order(booked: Sequence[Booked]) -> list[Booked]:
    """Booked visitors by slot start (the one waited for, id None, last among equals)."""
    return sorted(booked, key=lambda b: (b[0], math.inf if b[2] is None else b[2]))


def by_counter(booked: Sequence[Booked], counters: Sequence[tuple[int, CounterNow]]
               ) -> dict[int, list[int]]:
    """Per counter index, the indices of the booked visitors of the services it serves."""
    return {i: [k for k, b in enumerate(booked) if b[1] in c.services] for i, c in counters}


def next_booked(booked: Sequence[Booked], mine: list[int], taken: set[int], at: float,
                due: bool) -> int | None:
    """The booked visitor a counter calls next at `at`: the earliest slot not called yet — only
    if its slot has come when `due`, whenever otherwise."""
    for k in mine:
        if k not in taken:
            return k if not due or booked[k][0] <= at else None
    return None
