"""The board application: wires queue → feed → BoardController → BoardWidget, the announcer
and QtAudioSink, with the two timers (feed poll, 1 s tick). Queue reads run on a worker thread
(QtWorkerRunner): the timers' slots never wait for the queue.

For the demo: `create_board_window(queue, config, zone=None)` inside a running QApplication;
`run_board(queue, config, windowed, zone)` as the whole program."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from board.announcer import Announcer
from board.controller import BoardController
from board.sound_health import SoundMonitor
from board.view import BoardWidget
from qtcommon.qt import QtWorkerRunner
from qtcommon.runner import Runner
from shared.config import versions as config_versions
from shared.config.centre import CentreConfig
from shared.core.feed import EventFeed
from shared.core.presence import HEARTBEAT_S
from shared.core.queue import Queue
from shared.speech.sinks import AudioSink
from shared.speech.worker import SpeechWorker
from shared.version import VERSION

log = logging.getLogger(__name__)

TICK_MS = 1000


def _guarded(name: str, fn: Callable[[], object]) -> Callable[[], None]:
    """A timer slot that logs an unexpected error instead of taking the board down."""
    def slot() -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 — the board keeps running and shows its last state
            log.exception("board: %s failed", name)
    return slot


class _Wakeup(QObject):
    """Carries a push feed's wakeup (any thread) to the GUI thread."""

    fired = Signal()


def build_board(queue: Queue, config: CentreConfig, zone: str | None = None,
                feed: EventFeed | None = None, sink: AudioSink | None = None,
                speech: SpeechWorker | None | bool = True, lang: str | None = None,
                parent: QWidget | None = None, wav_dir: Path | None = None,
                runner: Runner | None = None,
                fetch_config: Callable[[], CentreConfig] | None = None,
                source: str | None = None, monitor: SoundMonitor | None = None) -> BoardWidget:
    """Make a running board widget (needs a QApplication). `speech=False` chimes only;
    `sink=None` plays through QtMultimedia; queue reads run on a worker thread unless a
    `runner` is given (InlineRunner for a board driven by hand); `fetch_config` (see
    BoardController) replaces a provisional config once the server answers; `source` is the
    board's device id in alerts (default "board", or "board-ZONE"). The controller is
    `widget.controller`; the audio output and the speech report to `controller.sound`."""
    widget = BoardWidget(parent)
    monitor = monitor or SoundMonitor()  # given with a sink that reports to it
    if sink is None:
        from qtcommon.audio import QtAudioSink

        sink = QtAudioSink(widget, monitor=monitor)
    worker = SpeechWorker() if speech is True else (speech or None)
    announcer = Announcer(sink, config.board.speech_languages, worker, out_dir=wav_dir,
                          monitor=monitor)
    feed = feed or queue.event_feed()
    runner = runner or QtWorkerRunner(widget, name="board-queue-reads")
    controller = BoardController(queue, config, feed, widget, announcer, zone=zone, lang=lang,
                                 runner=runner, fetch_config=fetch_config, sound=monitor,
                                 source=source)
    widget.controller = controller  # type: ignore[attr-defined]
    wake = _Wakeup(widget)
    wake.fired.connect(_guarded("poll", controller.poll))
    poll = QTimer(widget)
    poll.setInterval(max(10, feed.interval_ms))
    poll.timeout.connect(_guarded("poll", controller.poll))
    tick = QTimer(widget)
    tick.setInterval(TICK_MS)
    tick.timeout.connect(_guarded("tick", controller.tick))
    beat = QTimer(widget)
    beat.setInterval(HEARTBEAT_S * 1000)
    beat.timeout.connect(_guarded("heartbeat", lambda: _heartbeat(widget, queue, controller,
                                                                   runner, monitor)))
    widget.timers = (poll, tick, beat)  # type: ignore[attr-defined]
    controller.start(wakeup=wake.fired.emit)
    poll.start()
    tick.start()
    beat.start()
    widget.destroyed.connect(lambda *_: controller.close())

    def stop_timers() -> None:
        for timer in (poll, tick, beat):
            with contextlib.suppress(RuntimeError):  # already deleted with the widget
                timer.stop()
    controller.on_close = stop_timers
    return widget


AUDIO_STATES = {"board_ok": "ok", "board_silent": "silent", "speech_missing": "speech_missing"}


def _heartbeat(widget: QWidget, queue: Queue, controller: BoardController, runner: Runner,
               monitor: SoundMonitor) -> None:
    """Tell the server (or the file) this board is there: screen, audio, the config in use."""
    size = widget.size()
    state = {"screen": f"{size.width()}x{size.height()}",
             "audio": AUDIO_STATES.get(monitor.state.kind, "unknown"),
             "config_version": config_versions.device_version(controller.config, "board")}
    def answered(server_version: str) -> None:
        if controller.version_check.heard(server_version):
            controller.refresh()        # the staff line shows or drops the version alert
    runner.run(lambda: queue.heartbeat(controller.source, "board", VERSION, state),
               answered, lambda exc: log.debug("heartbeat not sent: %s", exc))


def create_board_window(queue: Queue, config: CentreConfig, zone: str | None = None,
                        windowed: bool = True,
                        fetch_config: Callable[[], CentreConfig] | None = None,
                        source: str | None = None) -> QWidget:
    """A board window for a QApplication that is already running (the demo shows it beside the
    kiosk); call .show() on it (full screen if not `windowed`)."""
    widget = build_board(queue, config, zone, fetch_config=fetch_config, source=source)
    widget.setWindowTitle(f"Növbə — {config.name(config.languages[0])}")
    widget.resize(1280, 720)
    if not windowed:
        widget.setWindowState(Qt.WindowState.WindowFullScreen)
    return widget


def run_board(queue: Queue, config: CentreConfig, windowed: bool = False,
              zone: str | None = None,
              fetch_config: Callable[[], CentreConfig] | None = None,
              source: str | None = None) -> int:
    """Run the board as the program: full screen on the primary screen unless `windowed`;
    `fetch_config` as for build_board."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("novbe-board")
    # Ctrl+C / SIGTERM end the board cleanly (the 50 ms poll timer lets Python see the signal).
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    widget = create_board_window(queue, config, zone, windowed=windowed, fetch_config=fetch_config,
                                 source=source)
    if windowed:
        widget.show()
    else:
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            widget.setGeometry(screen.geometry())
        widget.showFullScreen()
    try:
        return app.exec()
    finally:
        widget.controller.close()  # type: ignore[attr-defined]
