"""RemoteFeed: a board following the centre's server over its event stream (SSE) with resume.

It implements board.feed.EventFeed; `RemoteQueue.event_feed()` returns one, so
`board.feed.feed_for(remote_queue)` picks it. The implementation lives in
shared/event_stream.py (httpx only) so that RemoteQueue can hand it out without importing board.
"""

from __future__ import annotations

from shared.event_stream import EventStreamFeed


class RemoteFeed(EventStreamFeed):
    """The board's push feed over `GET /api/events/stream` (Last-Event-ID resume)."""


__all__ = ["RemoteFeed"]
