"""A model of one slot's two desks and the link between them, driven through random orders of
config changes, recordings, shipping, pulls, pushes cut between their read and their commit,
and bookings and cancellations on both sides — with the centre's real rule
(`seats.local_free`) and central's real cap (`seats.national_cap`): no order books the slot
beyond its capacity, and without the cap the same model finds an order that does."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from shared.bookings.seats import local_free, national_cap, split

SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass
class Slot:
    """The centre's file (recorded versions, running share, local bookings, the national ones
    it has merged, central's version at its last pull) and central's copy (versions shipped in
    order, the last committed push, national bookings)."""

    capacity: int
    running: float
    versions: list[float] = field(default_factory=list)   # shares, in recording order
    local: int = 0
    national_known: int = 0
    last_pull: int | None = None        # index of central's newest version at the last pull
    shipped: int = 0
    push: tuple[int, int] | None = None   # (version index, local bookings) committed
    push_read: tuple[int, int] | None = None
    national: int = 0

    def central_shares(self) -> float:
        """The largest share central may book under (shared/bookings/rows.central_shares)."""
        since = 0 if self.last_pull is None else self.last_pull
        return max(self.versions[since:], default=0.0)

    def running_version(self) -> int:
        """The newest recorded version with the running config (-1: not recorded)."""
        found = [i for i, share in enumerate(self.versions) if share == self.running]
        return found[-1] if found else -1

    def book_local(self) -> None:
        seats = split(self.capacity, self.running)
        held = split(self.capacity, self.central_shares()).national
        if local_free(seats, self.local, self.national_known, False, held) > 0:
            self.local += 1

    def cap(self, guarded: bool) -> int:
        newest = self.shipped - 1
        seats = split(self.capacity, self.versions[newest])
        if not guarded:
            return seats.national
        since, reported = (0, 0) if self.push is None else (max(self.push[0], 0), self.push[1])
        first = min(since, newest)
        locals_ = [split(self.capacity, s).local for s in self.versions[first:newest + 1]]
        return national_cap(seats, reported, locals_)

    def book_national(self, guarded: bool) -> None:
        if self.shipped and self.national < self.cap(guarded):
            self.national += 1

    def step(self, rng: random.Random, guarded: bool) -> None:
        action = rng.choice(("restart", "record", "ship", "pull", "push_read", "push_commit",
                             "local", "local", "national", "national", "cancel_local",
                             "cancel_national"))
        if action == "restart":
            self.running = rng.choice(SHARES)
        elif action == "record" and (not self.versions or self.versions[-1] != self.running):
            self.versions.append(self.running)
        elif action == "ship" and self.shipped < len(self.versions):
            self.shipped += 1
        elif action == "pull" and self.shipped:
            self.last_pull, self.national_known = self.shipped - 1, self.national
        elif action == "push_read":
            self.push_read = (self.running_version(), self.local)
        elif action == "push_commit" and self.push_read is not None:
            self.push, self.push_read = self.push_read, None
        elif action == "local":
            self.book_local()
        elif action == "national":
            self.book_national(guarded)
        elif action == "cancel_local" and self.local:
            self.local -= 1
        elif action == "cancel_national" and self.national:
            self.national -= 1              # the centre hears of it at its next pull


def overbooked(seed: int, guarded: bool, steps: int = 80) -> bool:
    """Whether a random run of the model ever holds more bookings than the slot's seats."""
    rng = random.Random(seed)
    first = rng.choice(SHARES)
    slot = Slot(capacity=rng.choice((1, 2, 4, 10)), running=first, versions=[first])
    for _ in range(steps):
        slot.step(rng, guarded)
        if slot.local + slot.national > slot.capacity:
            return True
    return False


def test_no_order_books_a_slot_beyond_its_capacity() -> None:
    """3,000 random orders of the link's steps and both desks' bookings: never overbooked."""
    assert [seed for seed in range(3000) if overbooked(seed, guarded=True)] == []


def test_without_the_cap_the_model_overbooks() -> None:
    """The same model with central booking the newest share alone (before the cap) finds a
    raised share that overbooks: the model can see the defect the cap removes."""
    assert any(overbooked(seed, guarded=False) for seed in range(3000))
