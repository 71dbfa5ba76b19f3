"""The wait while no counter that serves a service is open (before sign-in, all paused, closed):
whether a closed counter serves it, the state with the closed counters opening soon, and the
wait then — never "no wait", at least a minute."""

from __future__ import annotations

from dataclasses import replace

from shared.waits.state import QueueState

OPENING_DELAY_S = 300.0       # a closed counter, when none serving the service is open, opens within this


def closed_for(state: QueueState, service: str) -> bool:
    """Whether a closed counter serves the service (expected to open when none is)."""
    return any(c.mode == "closed" and service in c.services for c in state.counters)


def opening(state: QueueState) -> QueueState:
    """The state with every closed counter opening within OPENING_DELAY_S."""
    return replace(state, counters=[
        c if c.mode != "closed" else
        replace(c, mode="paused", pause=None,
                mode_since=state.now + OPENING_DELAY_S - state.pause_min * 60)
        for c in state.counters])


def when_open(found: float | None) -> float:
    """The wait while no counter serving the service is open: the replay over the opening
    counters (`found`), else OPENING_DELAY_S; at least a minute."""
    return max(60.0, found if found is not None else OPENING_DELAY_S)
