"""Running remote kiosks and boards follow the server's config: the server restarted with new
opening hours or texts is followed within one config check, with no restart of the device."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import time

import pytest

from board.controller import BoardController
from kiosk.controller import KioskController
from qtcommon.runner import InlineRunner
from qtcommon.timers import ManualTimers
from shared.client.remote_queue import RemoteQueue
from shared.config.centre import CentreConfig, OpeningHours
from shared.core.local_queue import LocalQueue
from tests.e2e.test_remote_devices import RecordingView
from tests.server.live import LiveServer

# The test clock is Monday 10:00 in Baku; the shipped hours are 09:00–18:00.


def monday(config: CentreConfig, opens: int) -> CentreConfig:
    """The config with Monday's hours starting at `opens` o'clock."""
    week = {**config.hours.week, "mon": (time(opens), time(18))}
    return dataclasses.replace(config, hours=OpeningHours.weekly(week, config.hours.closed_dates))


def restart_with(server: LiveServer, config: CentreConfig) -> None:
    """Stop the server and start it again on the same port and file with another config (what
    an administrator does after editing centre.toml)."""
    server.handle.stop()
    server.queue.close()
    server.queue = LocalQueue(server.db_path, config, server.clock)
    server.restart()


@pytest.fixture
def remote(server: LiveServer):
    queue = RemoteQueue(server.url, server.device_token, timeout=10)
    yield queue
    queue.close()


def kiosk(server: LiveServer, remote: RemoteQueue) -> tuple[KioskController, ManualTimers]:
    timers = ManualTimers()
    ctl = KioskController(RecordingView(), remote, remote.config, None, timers, InlineRunner(),
                          clock=server.clock, source="kiosk-remote")
    ctl.start()
    return ctl, timers


def test_a_running_kiosk_closes_when_the_hours_narrow(server: LiveServer, remote: RemoteQueue,
                                                      config: CentreConfig):
    """Hours narrowed on the server (now opens at 11:00): the running kiosk's next config check
    closes it while a visitor is on the category screen — before any more taps — and the
    closed screen shows the new hours."""
    ctl, timers = kiosk(server, remote)
    assert ctl.screen.name == "language" and timers.active("config")
    restart_with(server, monday(config, 11))
    server.clock.advance(seconds=2)
    ctl.tap_language("az")
    assert ctl.screen.name == "categories"       # the check has not come yet
    timers.fire("config")
    assert ctl.screen.name == "closed"
    assert ("Bazar ertəsi", "11:00–18:00") in [(d.split(" · ")[0], h) for d, h in ctl.screen.hours]
    server.clock.advance(seconds=2)
    ctl.tap_language("az")
    assert ctl.screen.name == "closed" and list(ctl.issued) == []
    assert timers.active("config")               # it keeps following


def test_a_running_kiosk_opens_when_the_hours_widen(server: LiveServer, config: CentreConfig):
    """Started outside the server's hours (opens at 11:00), the kiosk shows the closed screen;
    the server widened to 09:00 lifts it at the next check, and a ticket can be taken."""
    restart_with(server, monday(config, 11))
    with RemoteQueue(server.url, server.device_token, timeout=10) as remote:
        ctl, timers = kiosk(server, remote)
        assert ctl.screen.name == "closed"
        restart_with(server, monday(config, 9))
        timers.fire("config")
        assert ctl.screen.name == "language"
        for tap, arg in ((ctl.tap_language, "az"), (ctl.tap_category, "labour"),
                         (ctl.tap_priority, "none")):
            server.clock.advance(seconds=2)
            tap(arg)
        assert ctl.screen.name == "ticket"


def test_an_unchanged_config_is_not_read_again(server: LiveServer, remote: RemoteQueue):
    """A check with no change costs the version request only: fresh_config answers None."""
    first = remote.config
    assert remote.fresh_config() is None and remote.config is first


def wait_for(condition: Callable[[], bool], signal: threading.Event, timeout: float = 20) -> None:
    while not condition():
        assert signal.wait(timeout), "the feed never woke up"
        signal.clear()


def test_a_running_board_follows_a_new_config(server: LiveServer, remote: RemoteQueue,
                                              config: CentreConfig):
    """The server restarted with a new centre name and ticker: the board that was following it
    shows them once it is back, without a restart."""
    renamed = dataclasses.replace(
        config, names={**config.names, "az": "Yeni ad mərkəzi"},
        board=dataclasses.replace(config.board, ticker={
            "az": "Cümə günü 17:00-dək", "ru": "В пятницу до 17:00", "en": "Friday until 17:00"}))
    woke = threading.Event()
    board = BoardController(remote, remote.config, remote.event_feed(), clock=server.clock,
                            lang="az")
    board.start(wakeup=woke.set)
    try:
        assert board.state.centre_name == config.name("az")
        wait_for(lambda: board.feed.connected, woke)
        restart_with(server, renamed)
        wait_for(lambda: bool(board.poll() or True) and not board.reading
                 and board.state.centre_name == "Yeni ad mərkəzi", woke, timeout=30)
        assert board.state.ticker == "Cümə günü 17:00-dək"
        assert board.config.name("az") == "Yeni ad mərkəzi"
    finally:
        board.close()
