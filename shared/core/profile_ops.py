"""A queue's work-profile operations (shared/core/counter_profiles.py), each in one write or
read transaction of the queue that mixes them in (LocalQueue)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from shared.config.centre import CentreConfig
from shared.core import counter_profiles, visits
from shared.core.counter_profiles import ProfileNow, ScheduledSwitch
from shared.core.next_calls import CounterWaiting, counter_waiting
from shared.core.queue_tx import Tx

T = TypeVar("T")


class ProfileOps:
    """Switching and scheduling counters' work profiles, and reading them."""

    @property
    def config(self) -> CentreConfig:
        raise NotImplementedError

    def _tx(self) -> AbstractContextManager[Tx]:
        raise NotImplementedError

    def _read(self, fn: Callable[[Tx], T]) -> T:
        raise NotImplementedError

    def switch_profile(self, counter: str, profile: str, staff: str | None = None,
                       manager: bool = False, holder: str | None = None) -> ProfileNow:
        """Switch a counter's work profile from its next Next (staff: among the counter's;
        `holder`: the staff member acting must hold the counter)."""
        self.config.counter(counter)
        with self._tx() as tx:
            if holder is not None:
                mode, old_staff, visitor = visits.counter_now(tx, counter)
                visits.guard(counter, visitor, None, mode, old_staff, holder)
            return counter_profiles.switch(tx, counter, profile, staff, manager)

    def schedule_profile(self, counter: str, profile: str, starts_at: float, ends_at: float,
                         staff: str | None = None) -> ScheduledSwitch:
        """A manager's switch of a counter's profile for a time (epoch seconds)."""
        self.config.counter(counter)
        with self._tx() as tx:
            return counter_profiles.schedule(tx, counter, profile, starts_at, ends_at, staff)

    def cancel_profile_schedule(self, switch_id: int, staff: str | None = None) -> None:
        with self._tx() as tx:
            counter_profiles.cancel_schedule(tx, switch_id, staff)

    def profiles_now(self) -> tuple[dict[str, ProfileNow], list[ScheduledSwitch]]:
        """Every counter's profile now, and the scheduled switches not yet over."""
        return self._read(lambda tx: (counter_profiles.profiles_now(tx),
                                      counter_profiles.scheduled(tx)))


    def counter_waiting(self, counter: str, limit: int = 12) -> CounterWaiting:
        """What waits for the counter by the profile it runs now, the first `limit` in the
        order its Nexts would call them, each with its level (shared/core/next_calls.py)."""
        self.config.counter(counter)
        return self._read(lambda tx: counter_waiting(tx, counter, limit))
