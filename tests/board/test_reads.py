"""The board's queue reads (Qt-free): handed to a runner, one at a time, retried with a growing
pause while the queue is unavailable, and never at the cost of an announcement."""

from __future__ import annotations

from board.announcer import Announcer
from board.controller import RETRY_MAX_S, BoardController
from qtcommon.runner import ManualRunner
from shared.core.errors import QueueUnavailable
from shared.core.feed import LocalFeed
from shared.speech.sinks import RecordingSink


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Flaky:
    """A queue whose reads fail while `down` (counting every snapshot asked for)."""

    def __init__(self, queue) -> None:
        self.queue = queue
        self.clock = queue.clock
        self.down = False
        self.snapshots = 0

    def snapshot(self, zone=None):
        self.snapshots += 1
        if self.down:
            raise QueueUnavailable("the test took the queue away")
        return self.queue.snapshot(zone)

    def fresh_config(self):
        return None

    def events(self, after_id=0, limit=500):
        if self.down:
            raise QueueUnavailable("the test took the queue away")
        return self.queue.events(after_id, limit)


def test_one_read_in_flight_and_results_applied_when_done(local_queue, config) -> None:
    """poll() only hands the read to the runner; until it is done no second read starts, and
    the screen changes only when the runner calls back."""
    runner = ManualRunner()
    board = BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                            runner=runner)
    board.start()
    assert len(runner.jobs) == 1 and board.reading and board.snapshot is None
    for _ in range(5):
        assert board.poll() == []
    assert len(runner.jobs) == 1                        # still the one read
    runner.finish()                                     # the first snapshot arrives
    assert not board.reading and board.snapshot is not None and runner.jobs == []

    local_queue.issue("pensions.age")
    call = local_queue.call_next("4")
    board.poll()
    board.poll()
    assert len(runner.jobs) == 1
    runner.finish()                                     # the events: then the snapshot is read
    assert len(runner.jobs) == 1 and board.state.newest is None
    runner.finish()
    assert board.state.newest is not None and board.state.newest.code == call.code
    board.close()


def test_unavailable_queue_is_retried_after_1_2_4_8_then_10_s(local_queue, config) -> None:
    """While the queue is away the board shows "reconnecting" and asks again after 1 s, 2 s,
    4 s, 8 s, then every 10 s — not on every poll; when it answers, the mark goes."""
    mono = Monotonic()
    flaky = Flaky(local_queue)
    flaky.down = True
    board = BoardController(flaky, config, LocalFeed(local_queue, local_queue.path), monotonic=mono)
    board.start()
    assert board.state.reconnecting and flaky.snapshots == 1
    attempts = [mono.now]
    for _ in range(2000):                               # 250 ms polls for 500 s
        mono.now += 0.25
        before = flaky.snapshots
        board.poll()
        if flaky.snapshots != before:
            attempts.append(mono.now)
    pauses = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert pauses[:5] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert set(pauses[4:]) == {RETRY_MAX_S}
    assert board.state.reconnecting

    flaky.down = False
    mono.now += RETRY_MAX_S
    board.poll()
    assert not board.state.reconnecting and board.snapshot is not None
    local_queue.issue("pensions.age")
    flaky.down = True
    mono.now += 0.25
    board.refresh()                                     # away again: the pause starts at 1 s
    tried = flaky.snapshots
    mono.now += 0.75
    board.poll()
    assert flaky.snapshots == tried
    mono.now += 0.25
    board.poll()
    assert flaky.snapshots == tried + 1
    board.close()


def test_feed_wakeup_ends_the_retry_pause(local_queue, config) -> None:
    """A push feed's wakeup (its connection is back, events arrived) means "read now"."""
    mono = Monotonic()
    flaky = Flaky(local_queue)
    feed = LocalFeed(local_queue, local_queue.path)
    board = BoardController(flaky, config, feed, monotonic=mono)
    board.start()
    flaky.down = True
    board.refresh()
    assert board.state.reconnecting
    flaky.down = False
    board.poll()
    assert board.state.reconnecting                     # still within the pause
    board._feed_wakeup()  # what the feed calls, from its own thread
    board.poll()
    assert not board.state.reconnecting
    board.close()


def test_calls_are_announced_even_when_the_snapshot_then_fails(local_queue, config, tmp_path) -> None:
    """The feed's new calls are announced at once; a failing snapshot afterwards only marks the
    board "reconnecting" (the screen catches up when the queue answers)."""
    mono = Monotonic()
    flaky = Flaky(local_queue)
    sink = RecordingSink()
    announcer = Announcer(sink, ("az",), None, out_dir=tmp_path)
    board = BoardController(flaky, config, LocalFeed(local_queue, local_queue.path),
                            announcer=announcer, monotonic=mono)
    board.start()
    local_queue.issue("pensions.age")
    call = local_queue.call_next("4")
    flaky.down = True                                   # snapshots fail; the feed still reads
    events = board.poll()
    assert [e.kind for e in events][-1] == "called"
    assert board.state.reconnecting and board.state.newest is None
    assert announcer.wait_idle(30)
    assert sink.labels == [f"{call.code} → 4"]
    flaky.down = False
    mono.now += 1
    board.poll()
    assert not board.state.reconnecting and board.state.newest.code == call.code
    assert board.state.highlighted
    board.close()


def test_refresh_asked_during_a_read_is_not_lost(local_queue, config) -> None:
    """refresh() while a snapshot read is in flight: that read does not count, another follows."""
    runner = ManualRunner()
    board = BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                            runner=runner)
    board.start()
    runner.finish()
    local_queue.issue("pensions.age")
    local_queue.call_next("4")
    board.poll()
    runner.finish()                                     # events → a snapshot read is queued
    assert len(runner.jobs) == 1
    board.refresh()                                     # asked while that read is in flight
    assert len(runner.jobs) == 1
    runner.finish()
    board.poll()
    runner.finish()                                     # events (none) → the asked-for snapshot
    assert len(runner.jobs) == 1
    runner.finish()
    board.poll()
    runner.finish()                                     # now nothing more to read
    assert runner.jobs == []
    board.close()


def test_provisional_config_is_replaced_once_the_server_answers(local_queue, config) -> None:
    """A board started on a local config (server down) takes the server's config with its first
    good read — unless the server's config lacks the board's zone, or cannot be used."""
    import dataclasses

    from shared.core.errors import ConfigError

    mono = Monotonic()
    flaky = Flaky(local_queue)
    flaky.down = True
    server_config = dataclasses.replace(config, source="http://server/api/config", board=dataclasses.replace(
        config.board, ticker={"az": "serverin konfiqurasiyası"}))

    def fetch():
        if flaky.down:
            raise QueueUnavailable("down")
        return server_config
    board = BoardController(flaky, config, LocalFeed(local_queue, local_queue.path),
                            monotonic=mono, fetch_config=fetch)
    board.start()
    assert board.state.reconnecting and board.config is config
    assert board.state.ticker == config.board.ticker["az"] and board.state.labels["Now calling"]
    flaky.down = False
    mono.now += 1
    board.poll()
    assert board.config is server_config and board.fetch_config is None
    assert board.state.ticker == "serverin konfiqurasiyası" and not board.state.reconnecting
    board.close()

    zoned = dataclasses.replace(config, counters=tuple(
        dataclasses.replace(c, zone="hall-2" if c.id == "4" else c.zone) for c in config.counters))
    board = BoardController(local_queue, zoned, LocalFeed(local_queue, local_queue.path),
                            zone="hall-2", fetch_config=lambda: server_config)  # no hall-2 there
    board.start()
    assert board.config is zoned and board.fetch_config is None and not board.state.reconnecting
    board.close()

    def broken():
        raise ConfigError(["the server's config is broken"])
    board = BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                            fetch_config=broken)
    board.start()
    assert board.config is config and board.fetch_config is None and board.snapshot is not None
    board.close()
