"""A remote board whose server hangs, is down at start, or goes away: the screen, the clock and
the announcements keep going (queue reads run off the UI thread), and it catches up by itself.

The "unresponsive server" is a real TCP socket on 127.0.0.1 that accepts connections and never
answers, so every HTTP read to it hangs until its time-out."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from board.announcer import Announcer
from board.app import build_board
from board.cli import remote_board_config
from board.demo import screenshot
from server.app import run_server_in_thread
from server.auth.accounts import Accounts
from shared.client.remote_queue import RemoteQueue
from shared.config.centre import CentreConfig
from shared.core.feed import LocalFeed
from shared.core.local_queue import LocalQueue
from shared.speech.sinks import RecordingSink

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

JOB = "employment.job-seeker"


class Unresponsive:
    """Accepts TCP connections on 127.0.0.1 and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.conns: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.conns.append(conn)

    @property
    def accepted(self) -> int:
        with self._lock:
            return len(self.conns)

    def close(self) -> None:
        self.sock.close()
        with self._lock:
            for conn in self.conns:
                conn.close()


@pytest.fixture
def unresponsive() -> Iterator[Unresponsive]:
    server = Unresponsive()
    yield server
    server.close()


class Ticks:
    """A QTimer on the UI thread, counting its timeouts: it only ticks if the thread is free."""

    def __init__(self, interval_ms: int = 10):
        self.count = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(interval_ms)

    def _tick(self) -> None:
        self.count += 1

    def stop(self) -> None:
        self.timer.stop()


def test_ui_thread_keeps_ticking_while_a_read_hangs(qtbot, config, unresponsive) -> None:
    """A board on a server that accepts but never answers: while its first read hangs, the UI
    thread keeps running (a UI timer keeps ticking, the clock is shown, poll() returns at once
    and starts no second read)."""
    remote = RemoteQueue(unresponsive.url, "token", timeout=60)
    widget = build_board(remote, config, sink=RecordingSink(), speech=False)
    qtbot.addWidget(widget)
    controller = widget.controller
    ticks = Ticks()
    try:
        qtbot.waitUntil(lambda: unresponsive.accepted >= 1, timeout=5000)  # the read is hanging
        assert controller.reading
        seen = ticks.count
        qtbot.waitUntil(lambda: ticks.count >= seen + 50, timeout=10000)
        assert controller.reading and unresponsive.accepted == 1    # still the one read
        assert controller.state.time_text and controller.state.date_text
        for _ in range(10):
            assert controller.poll() == []
        assert controller.reads == 1
    finally:
        ticks.stop()
        controller.close()
        remote.close()


def test_read_timeouts_show_reconnecting_and_the_ui_keeps_ticking(qtbot, config, unresponsive,
                                                                  artifacts) -> None:
    """With short read time-outs the board marks itself "reconnecting" and retries with pauses,
    the UI thread ticking throughout."""
    remote = RemoteQueue(unresponsive.url, "token", timeout=0.3)
    widget = build_board(remote, config, sink=RecordingSink(), speech=False)
    qtbot.addWidget(widget)
    widget.resize(1920, 1080)
    controller = widget.controller
    ticks = Ticks()
    try:
        qtbot.waitUntil(lambda: controller.state.reconnecting, timeout=10000)
        seen = ticks.count
        qtbot.waitUntil(lambda: unresponsive.accepted >= 2, timeout=10000)  # it tried again
        assert ticks.count > seen
        assert controller.snapshot is None and controller.state.labels["Now calling"]
        screenshot(widget, (1920, 1080), artifacts / "board-remote-unresponsive.png")
    finally:
        ticks.stop()
        controller.close()
        remote.close()


class Outage:
    """A LocalQueue whose snapshot, during an outage, is asked of the unresponsive server
    (the feed still reads the file, so new calls keep arriving)."""

    def __init__(self, queue: LocalQueue, unresponsive: Unresponsive):
        self.queue = queue
        self.clock = queue.clock
        self.path = queue.path
        self.remote = RemoteQueue(unresponsive.url, "token", timeout=60)
        self.on = False

    def snapshot(self, zone=None):
        return self.remote.snapshot(zone) if self.on else self.queue.snapshot(zone)

    def events(self, after_id=0, limit=500):
        return self.queue.events(after_id, limit)

    def fresh_config(self):
        return None


def test_queued_announcements_play_while_a_read_hangs(qtbot, local_queue, config, unresponsive,
                                                      tmp_path) -> None:
    """Announcements already queued play to their end through the Qt audio sink (which runs on
    the UI thread) while the board's read of the queue hangs."""
    from qtcommon.audio import QtAudioSink

    outage = Outage(local_queue, unresponsive)
    sink = QtAudioSink()
    widget = build_board(outage, config, feed=LocalFeed(local_queue, local_queue.path), sink=sink,
                         speech=False, wav_dir=tmp_path)
    qtbot.addWidget(widget)
    controller = widget.controller
    announcer: Announcer = controller.announcer
    ticks = Ticks()
    try:
        qtbot.waitUntil(lambda: controller.following, timeout=10000)  # calls before it are not news
        for counter in ("1", "2", "3"):
            local_queue.issue(JOB)
            local_queue.call_next(counter)
        qtbot.waitUntil(lambda: len(announcer.history) == 3, timeout=10000)
        outage.on = True
        controller.refresh()                            # the next read hangs on the server
        qtbot.waitUntil(lambda: unresponsive.accepted >= 1, timeout=10000)
        played_when_it_hung = sum(a.played_at is not None for a in announcer.history)
        assert played_when_it_hung < 3
        qtbot.waitUntil(lambda: all(a.played_at is not None for a in announcer.history),
                        timeout=30000)
        assert controller.reading and unresponsive.accepted == 1   # the read is still hanging
        assert [a.label for a in announcer.history] == [
            f"{t.code} → {t.counter}" for t in reversed(local_queue.snapshot().calls)]
        assert ticks.count > 0
    finally:
        ticks.stop()
        controller.close()
        outage.remote.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_board_starts_before_its_server_and_catches_up(qtbot, db_path: Path, config: CentreConfig,
                                                       clock, artifacts) -> None:
    """`novbe board --server` on a PC that booted before the server: it starts with the local
    config, marked "reconnecting"; when the server starts it takes the server's config and
    state, then follows its calls (and shows "reconnecting" again when the server goes)."""
    server_queue = LocalQueue(db_path, config, clock)
    accounts = Accounts(db_path)
    token = accounts.add_device("lobby-board")
    server_queue.issue(JOB)
    first = server_queue.call_next("3")
    port = _free_port()
    remote = RemoteQueue(f"http://127.0.0.1:{port}", token, timeout=3)
    local = dataclasses.replace(config, board=dataclasses.replace(
        config.board, ticker={"az": "Yerli konfiqurasiya (server hələ cavab vermir)"}))
    board_config, fetch = remote_board_config(remote, lambda: local)
    assert board_config is local and fetch is not None

    sink = RecordingSink()
    widget = build_board(remote, board_config, sink=sink, speech=False, fetch_config=fetch)
    qtbot.addWidget(widget)
    widget.resize(1920, 1080)
    controller = widget.controller
    handle = None
    try:
        qtbot.waitUntil(lambda: controller.state.reconnecting, timeout=10000)
        assert controller.state.ticker == local.board.ticker["az"]
        screenshot(widget, (1920, 1080), artifacts / "board-remote-before-server.png")

        handle = run_server_in_thread(server_queue, config, port=port, accounts=accounts,
                                      clock=clock)
        qtbot.waitUntil(lambda: not controller.state.reconnecting, timeout=30000)
        assert controller.config.source.endswith("/api/config")        # the server's config
        assert controller.state.ticker == config.board.ticker["az"]
        assert controller.state.newest.code == first.code

        server_queue.issue(JOB)
        second = server_queue.call_next("1")
        qtbot.waitUntil(lambda: controller.state.newest.code == second.code, timeout=10000)
        qtbot.waitUntil(lambda: sink.labels == [f"{second.code} → 1"], timeout=10000)

        handle.stop()
        handle = None
        qtbot.waitUntil(lambda: controller.state.reconnecting, timeout=30000)
        assert controller.state.newest.code == second.code              # keeps its last state
        screenshot(widget, (1920, 1080), artifacts / "board-remote-reconnecting.png")
    finally:
        controller.close()
        remote.close()
        if handle is not None:
            handle.stop()
        accounts.close()
        server_queue.close()


def test_novbe_board_cli_waits_for_a_server_that_is_down(db_path: Path, config: CentreConfig,
                                                         clock, tmp_path) -> None:
    """`novbe board --server URL --token T` with the server down does not exit: it says in its
    log that it starts on the local config, and that it uses the server's once it answers."""
    import os
    import queue as queue_mod
    import signal
    import subprocess
    import sys

    accounts = Accounts(db_path)
    token = accounts.add_device("lobby-board")
    server_queue = LocalQueue(db_path, config, clock)
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOVBE_DATA": str(tmp_path / "data"),
           "NOVBE_DB": str(tmp_path / "board-own.sqlite")}
    proc = subprocess.Popen([sys.executable, "-m", "novbe", "board", "--windowed",
                             "--server", f"http://127.0.0.1:{port}", "--token", token],
                            cwd=root, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    lines: queue_mod.Queue[str | None] = queue_mod.Queue()

    def read_stderr() -> None:
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)
    threading.Thread(target=read_stderr, daemon=True).start()
    said: list[str] = []

    def wait_line(part: str) -> str:
        while True:
            line = lines.get(timeout=60)       # waits for the board's log, not for a time
            assert line is not None, f"the board exited (rc={proc.wait()}): {''.join(said)}"
            said.append(line)
            if part in line:
                return line
    handle = None
    try:
        assert "starting with the local config" in wait_line("cannot be reached")
        assert proc.poll() is None                                   # still running
        handle = run_server_in_thread(server_queue, config, port=port, accounts=accounts,
                                      clock=clock)
        wait_line("the server answered")
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
        if handle is not None:
            handle.stop()
        accounts.close()
        server_queue.close()
    assert rc == 0
