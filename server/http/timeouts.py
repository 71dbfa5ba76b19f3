"""Waiting with a time limit on the event loop. Python 3.11's asyncio.wait_for can swallow a
cancel that arrives as its own timeout fires, so a task told to stop went on forever (the
server then ignored SIGTERM); asyncio.timeout counts cancels and never does."""

from __future__ import annotations

import asyncio
import contextlib


async def wait_at_most(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` have passed; True if it was set."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    return event.is_set()
