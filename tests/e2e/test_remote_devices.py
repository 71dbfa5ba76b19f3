"""A remote kiosk and a remote board on a live server, which goes away and comes back."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from board.controller import BoardController
from kiosk.controller import KioskController
from qtcommon.runner import InlineRunner
from qtcommon.timers import ManualTimers
from shared.client.event_stream import EventStreamFeed
from shared.client.remote_queue import RemoteQueue
from shared.core.errors import QueueUnavailable
from tests.server.live import LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

JOB = "employment.job-seeker"


class RecordingView:
    """The kiosk's screens, recorded instead of drawn."""

    def __init__(self) -> None:
        self.screens: list = []

    def show(self, screen) -> None:
        self.screens.append(screen)

    def set_busy(self, busy: bool) -> None:
        pass

    def exit_kiosk(self) -> None:
        pass


def wait_for(condition: Callable[[], bool], signal: threading.Event, timeout: float = 15) -> None:
    """Wait for the feed's wakeup signal until the condition holds (no sleeping)."""
    while not condition():
        assert signal.wait(timeout), "the feed never woke up"
        signal.clear()


def take_ticket(ctl: KioskController, server: LiveServer) -> None:
    for tap, arg in ((ctl.tap_language, "az"), (ctl.tap_category, "labour"),
                     (ctl.tap_priority, "none")):
        server.clock.advance(seconds=2)          # past the kiosk's double-tap guard
        tap(arg)


@pytest.fixture
def remote(server: LiveServer):
    # 10 s bounds a first answer on a loaded machine (a 3 s bound timed out once with three
    # test workers on two cores); a stopped server refuses at once, so no test waits it out.
    queue = RemoteQueue(server.url, server.device_token, timeout=10)
    yield queue
    queue.close()


def test_remote_kiosk_goes_out_of_service_and_recovers(server: LiveServer, remote: RemoteQueue):
    """A kiosk on RemoteQueue issues tickets, says "out of service" while the server is away,
    and comes back by itself when its probe reaches the server again."""
    timers = ManualTimers()
    ctl = KioskController(RecordingView(), remote, remote.config, None, timers, InlineRunner(),
                          clock=server.clock, source="kiosk-remote")
    ctl.start()
    take_ticket(ctl, server)
    assert ctl.screen.name == "ticket"
    first = ctl.screen.ticket
    assert server.queue.ticket(first.code).source == "kiosk-remote"

    server.handle.stop()
    with pytest.raises(QueueUnavailable):
        remote.last_event_id()
    ctl.home()
    take_ticket(ctl, server)
    assert ctl.screen.name == "out_of_service"
    timers.fire("probe")                         # still away: keeps probing
    assert ctl.screen.name == "out_of_service" and timers.active("probe")

    server.restart()
    timers.fire("probe")                         # back: the kiosk returns to its first screen
    assert ctl.screen.name == "language"
    take_ticket(ctl, server)
    assert ctl.screen.name == "ticket"
    assert ctl.screen.ticket.number == first.number + 1
    assert len(server.queue.waiting()) == 2


def test_remote_board_feed_reconnects_and_resumes(server: LiveServer, remote: RemoteQueue):
    """A board on RemoteQueue follows the event stream, shows "reconnecting" while the server
    is away, and on its return receives exactly the events it missed."""
    server.queue.issue(JOB)
    feed = remote.event_feed()
    assert isinstance(feed, EventStreamFeed)
    woke = threading.Event()
    board = BoardController(remote, remote.config, feed, clock=server.clock)
    board.start(wakeup=woke.set)
    start_id = board.last_event_id
    received = []
    try:
        wait_for(lambda: feed.connected, woke)
        server.queue.call_next("3")
        wait_for(lambda: bool(received.extend(board.poll()) or
                              any(e.kind == "called" for e in received)), woke)
        assert board.snapshot.calls[0].code == "A-001"

        server.handle.stop()
        wait_for(lambda: bool(received.extend(board.poll())) or board.state.reconnecting, woke)
        assert board.state.reconnecting
        assert board.snapshot.calls[0].code == "A-001"      # keeps its last state
        server.queue.issue(JOB)                             # happens while the board is away
        server.queue.call_next("1")

        server.restart()
        wait_for(lambda: bool(received.extend(board.poll()) or
                              sum(e.kind == "called" for e in received) == 2), woke, timeout=30)
        assert not board.state.reconnecting
        assert feed.reconnects >= 1
        assert received == server.queue.events(start_id)    # no gaps, no repeats
        assert board.snapshot.calls[0].counter == "1"
    finally:
        board.close()


def test_remote_queue_hands_boards_the_push_feed():
    """RemoteQueue hands a board the event-stream feed, which has the board's feed operations."""
    feed = RemoteQueue("http://127.0.0.1:9", "t").event_feed()
    assert isinstance(feed, EventStreamFeed)
    for name in ("start", "poll", "close", "interval_ms"):
        assert hasattr(feed, name)


def test_closing_an_idle_feed_stops_its_reader(server: LiveServer, remote: RemoteQueue):
    """A board closing its feed while the stream waits for the next event stops the reading
    thread at once (close() shuts the connection under it, not only the client around it)."""
    feed = remote.event_feed()
    woke = threading.Event()
    feed.start(remote.last_event_id(), wakeup=woke.set)
    wait_for(lambda: feed.connected, woke)
    feed.close()                      # joins the reader for at most 5 s
    assert feed._thread is not None and not feed._thread.is_alive()
