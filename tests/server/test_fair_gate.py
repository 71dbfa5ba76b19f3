"""The fair gate's order on a real event loop: at most `slots` at once, a newcomer ahead of
keys that already had turns, suspects kept off the reserved slot, waits capped with Busy."""

from __future__ import annotations

import asyncio

import pytest

from server.http.fair_gate import Busy, FairGate


async def _hold(gate: FairGate, key: str, rank: int, release: asyncio.Event,
                order: list[str]) -> None:
    async with gate.turn(key, rank):
        order.append(key)
        await release.wait()


def test_a_newcomer_goes_before_a_flood_and_suspects_keep_off_the_reserve():
    """Two slots, one reserved: a suspect takes one slot, a second suspect waits although a
    slot is free; the colleague who comes last takes the reserved slot at once; when the
    suspect's turn ends, the addresses that had fewest turns go first."""
    async def scenario() -> list[str]:
        gate = FairGate("checks", 2, per_key=3, max_wait=30, reserved=1, suspect=2)
        order: list[str] = []
        done = asyncio.Event()
        tasks = [asyncio.create_task(_hold(gate, "flood-a", 5, done, order))]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(_hold(gate, "flood-a", 5, done, order)))
        tasks.append(asyncio.create_task(_hold(gate, "flood-b", 5, done, order)))
        await asyncio.sleep(0)
        assert (gate.running, gate.waiting) == (1, 2)     # the reserve stays free
        tasks.append(asyncio.create_task(_hold(gate, "colleague", 0, done, order)))
        await asyncio.sleep(0)
        assert gate.running == 2 and order == ["flood-a", "colleague"]
        done.set()
        await asyncio.gather(*tasks)
        assert gate.peak == 2
        return order
    assert asyncio.run(scenario()) == ["flood-a", "colleague", "flood-b", "flood-a"]


def test_waits_and_places_are_capped():
    """A key over its places, and a waiter past the longest wait, get Busy with a retry time."""
    async def scenario() -> None:
        gate = FairGate("exports", 1, per_key=1, max_wait=0.05)
        release = asyncio.Event()
        holder = asyncio.create_task(_hold(gate, "a", 0, release, []))
        await asyncio.sleep(0)
        with pytest.raises(Busy) as over:
            async with gate.turn("a"):
                pass
        assert over.value.retry_after >= 1
        with pytest.raises(Busy):
            async with gate.turn("b"):
                pass
        release.set()
        await holder
        async with gate.turn("b"):
            assert gate.running == 1
        assert (gate.running, gate.waiting) == (0, 0)
    asyncio.run(scenario())


def test_a_full_queue_of_suspects_makes_room_for_a_colleague():
    """With the queue full of a flood's waiters, a colleague in good standing takes the worst
    one's place (that one gets Busy) instead of being refused; another suspect is refused."""
    async def scenario() -> None:
        gate = FairGate("checks", 1, per_key=5, max_wait=30, max_waiting=3)
        release = asyncio.Event()
        tasks = [asyncio.create_task(_hold(gate, f"flood-{i}", 9, release, []))
                 for i in range(4)]
        await asyncio.sleep(0)
        assert (gate.running, gate.waiting) == (1, 3)
        with pytest.raises(Busy):
            async with gate.turn("flood-x", 9):
                pass
        colleague = asyncio.create_task(_hold(gate, "colleague", 0, release, []))
        await asyncio.sleep(0)
        assert gate.waiting == 3
        release.set()
        results = await asyncio.gather(*tasks, colleague, return_exceptions=True)
        assert [type(r).__name__ for r in results] == ["NoneType"] * 3 + ["Busy", "NoneType"]
    asyncio.run(scenario())
