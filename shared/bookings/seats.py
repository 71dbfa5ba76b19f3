"""How a slot's capacity is shared so that no slot is booked beyond it, whatever link is cut:
the national desk books its share on the central database, the centre its own share on its file;
a share lowered after national bookings exist keeps every seat sold (docs/architecture.md); at
the national cut-off the central database stops booking the slot, and once the centre has read
the final national list after the cut-off, the national seats left free become the centre's; a
share raised caps the national seats by what the centre may have booked (`national_cap`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SlotSeats:
    """One slot's seats: `capacity` in all, of which `national` for the national desk."""

    capacity: int
    national: int

    @property
    def local(self) -> int:
        """The seats the centre's own desk books before the cut-off."""
        return self.capacity - self.national


def split(capacity: int, national_share: float) -> SlotSeats:
    """A slot's seats with `national_share` (0–1) of them, rounded up, for the national desk."""
    if capacity < 0 or not 0.0 <= national_share <= 1.0:
        raise ValueError(f"capacity {capacity} and national share {national_share} out of range")
    return SlotSeats(capacity, min(capacity, math.ceil(capacity * national_share)))


def local_free(seats: SlotSeats, local_booked: int, national_booked: int,
               national_final: bool, national_held: int = 0) -> int:
    """Seats the centre may still book: the capacity less the national seats held, plus
    the national seats left free once the national list for the slot is final (read after the
    cut-off). The national desk holds the larger of its share, `national_held` (the seats an
    older share, lowered since, still lets it book until central has the new one) and the
    national bookings made (a lowered share never takes a seat already sold)."""
    held = max(seats.national, national_held, national_booked)
    own = seats.capacity - held + (held - national_booked if national_final else 0)
    return max(0, own - local_booked)


def national_free(seats: SlotSeats, national_booked: int, past_cutoff: bool) -> int:
    """Seats the national desk may still book: none after the cut-off."""
    return 0 if past_cutoff else max(0, seats.national - national_booked)


def national_cap(seats: SlotSeats, local_reported: int, version_locals: Iterable[int]) -> int:
    """The national seats central may book of a slot (`seats`: the newest config's): none past
    capacity less the centre's own bookings as its last push reported them (0 when it never
    reported), nor past capacity less the most local seats any config version the centre may
    have booked under since that push gave it (docs/architecture.md, "Raising")."""
    most_local = max(version_locals, default=seats.local)
    return max(0, min(seats.national, seats.capacity - local_reported,
                      seats.capacity - most_local))
