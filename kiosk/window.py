"""The kiosk window: shows the controller's screens, forwards taps, and is locked down —
frameless full screen, no keyboard exit, no cursor; staff leave by the hidden corner + PIN."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QCursor, QGuiApplication, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QVBoxLayout, QWidget

from kiosk.access import Voice
from kiosk.controller import KioskController
from kiosk.keymap import BLOCKED, key_press
from kiosk.metrics import Metrics
from kiosk.pages import build_page
from kiosk.print_requests import PrintRequests
from kiosk.screens import Screen
from kiosk.speaker import Speaker
from kiosk.spooler import PrintSpooler
from kiosk.widgets import ALERT, FitText, cap_ratio
from qtcommon.qt import QtTimers, ThreadRunner, UiRelay
from shared.config import versions as config_versions
from shared.config.centre import CentreConfig
from shared.core.clock import Clock
from shared.core.presence import HEARTBEAT_S
from shared.core.queue import Queue
from shared.version import VERSION

log = logging.getLogger(__name__)
DEFAULT_PRINT_RETRY_SECONDS = 5.0


class StaffCorner(QAbstractButton):
    """An invisible square in the top-left corner; taps on it count toward the staff exit."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("staff-corner")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt) — invisible on purpose
        pass


class KioskWindow(QWidget):
    """The kiosk: a KioskView for the controller. `locked` turns the lockdown on."""

    exited = Signal()

    def __init__(self, queue: Queue, config: CentreConfig, printer_url: str | None = None,
                 locked: bool = True, clock: Clock | None = None, source: str = "kiosk",
                 print_retry_seconds: float = DEFAULT_PRINT_RETRY_SECONDS,
                 voice: Voice | None = None):
        super().__init__()
        self.setObjectName("kiosk")
        self.setWindowTitle(f"Növbə — {config.name('az')}")
        self.locked = locked
        self._allow_close = False
        self._screen: Screen | None = None
        self._page: QWidget | None = None
        self._built_for = QSize()
        self.warning: FitText | None = None
        self.relay = UiRelay(self)
        self.timers = QtTimers(self)
        self.runner = ThreadRunner(self.relay)
        url = printer_url or config.kiosk.printer
        self.spooler = PrintSpooler(queue, config, url, source=source, retry_seconds=print_retry_seconds,
                                    notify=lambda outcome: self.relay.call(self._print_outcome, outcome),
                                    clock=clock,
                                    on_fault=lambda faulted: self.relay.call(self._printer_state, faulted))
        # The voice is made when audio guidance is first used (the sink on the UI thread).
        self.speaker = None if voice is not None else Speaker(self._audio_sink)
        self.controller = KioskController(self, queue, config, self.spooler, self.timers,
                                          self.runner, clock, source,
                                          voice=voice if voice is not None else self.speaker)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.corner = StaffCorner(self)
        self.corner.clicked.connect(self.controller.tap_staff_corner)
        self.setMinimumSize(640, 480)
        app = QApplication.instance()
        if app is not None:  # always, once a widget exists
            app.installEventFilter(self)
        self.spooler.start()
        self.print_requests = PrintRequests(queue, self.spooler, self.timers, self.runner, source)
        self.controller.start()
        self.print_requests.start()
        self._beat_send = lambda state: queue.heartbeat(source, "kiosk", VERSION, state)
        self._beat_timer = QTimer(self)
        self._beat_timer.setInterval(HEARTBEAT_S * 1000)
        self._beat_timer.timeout.connect(self._beat)
        self._beat_timer.start()
        self._beat()      # the server's version is known from the start

    def _device_state(self) -> dict[str, str]:
        """What the heartbeat tells IT: screen, printer and paper, the config in use."""
        size = self.size()
        return {"screen": f"{size.width()}x{size.height()}", **self.spooler.condition(),
                "config_version": config_versions.device_version(self.controller.config, "kiosk")}

    def _beat(self) -> None:
        """One heartbeat off the UI thread (a failure shows as the device going offline)."""
        state = self._device_state()
        self.runner.run(lambda: self._beat_send(state), self.controller.outage.server_version,
                        lambda exc: log.debug("heartbeat not sent: %s", exc))

    # ---- KioskView ----------------------------------------------------------------------------
    def show(self, screen: Screen | None = None) -> None:
        """With a screen: draw it (KioskView). Without: QWidget.show()."""
        if screen is None:
            super().show()
            return
        old, self._screen = self._screen, screen
        if old is not None and replace(old, frame=replace(old.frame, warning=screen.frame.warning)) == screen:
            self._place_warning()   # only the countdown changed: the page (and a tap on it) stays
            return
        self._rebuild()

    def set_busy(self, busy: bool) -> None:
        if self._page is not None:
            self._page.setEnabled(not busy)

    def exit_kiosk(self) -> None:
        self._allow_close = True
        self.shutdown()
        self.close()
        self.exited.emit()

    def _audio_sink(self):
        from qtcommon.audio import QtAudioSink  # QtMultimedia only when audio is first used

        return QtAudioSink(self)

    # ---- drawing ------------------------------------------------------------------------------
    def metrics(self) -> Metrics:
        screen = self.screen()
        dpi = screen.logicalDotsPerInch() if screen else 96.0
        large = self._screen is not None and self._screen.frame.large
        return Metrics(max(1, self.width()), max(1, self.height()), dpi, large, cap_ratio())

    def _rebuild(self) -> None:
        if self._screen is None:
            return
        old = self._page
        self._page = build_page(self._screen, self.controller, self.metrics())
        self._built_for = self.size()
        self._layout.addWidget(self._page)
        self._page.show()
        if old is not None:
            self._layout.removeWidget(old)
            old.hide()
            old.deleteLater()
        self._page.setEnabled(not self.controller.issuing)
        self._place_warning()
        self._place_corner()

    def _place_warning(self) -> None:
        """The time-out warning: a banner over the page, just above the bottom bar."""
        text = self._screen.frame.warning if self._screen is not None else ""
        if not text:
            if self.warning is not None:
                self.warning.hide()
            return
        m = self.metrics()
        if self.warning is None:
            self.warning = FitText(text, m.text(4.2), bold=True, color=QColor("#000"),
                                   background=ALERT, min_px=m.min_text, parent=self)
            self.warning.setObjectName("timeout-warning")
            # a tap on the banner only keeps the place: it must not reach the button under it
            self.warning.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, False)
        self.warning.text, self.warning.max_px, self.warning.min_px = text, m.text(4.2), m.min_text
        pad = round(2.5 * m.u)
        height = round(max(12 * m.u, m.min_text * 4.4))
        bottom = self.height() - pad - m.bar_height - round(1.6 * m.u)
        self.warning.setGeometry(pad, bottom - height, self.width() - 2 * pad, height)
        self.warning.show()
        self.warning.raise_()
        self.warning.update()

    def _place_corner(self) -> None:
        side = self.metrics().target
        self.corner.setGeometry(0, 0, side, side)
        self.corner.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt)
        super().resizeEvent(event)
        if self.size() != self._built_for:
            self._rebuild()

    def current_page(self) -> QWidget | None:
        return self._page

    # ---- lockdown -----------------------------------------------------------------------------
    def lock_down(self) -> None:
        """Frameless, on top, full screen, no cursor — with or without a window manager."""
        self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
                            | Qt.WindowType.Window)
        self.setCursor(QCursor(Qt.CursorShape.BlankCursor))
        QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
        screen = self.screen() or QGuiApplication.primaryScreen()
        # Under Wayland the compositor sizes the window: cage makes its one application full
        # screen at once (a client cannot place itself there; see docs/install.md on cage).
        if screen is not None and QGuiApplication.platformName() != "wayland":
            # On a bare X session (xinit, no window manager) nobody acts on the full-screen
            # request: the window covers the screen itself, and follows it if it changes size.
            self.setGeometry(screen.geometry())
            screen.geometryChanged.connect(self._cover_screen)
        self.showFullScreen()

    def _cover_screen(self, geometry: QRect) -> None:
        if self.locked and not self._allow_close:
            self.setGeometry(geometry)

    def _print_outcome(self, outcome) -> None:
        self.controller.print_outcome(outcome)

    def _printer_state(self, faulted: bool) -> None:
        self.controller.printer_state(faulted)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        kind = event.type()
        mine = isinstance(watched, QWidget) and (watched is self or self.isAncestorOf(watched))
        if not mine:
            return False
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self._code_key(event):
            return True          # a booking code typed or scanned (kiosk/appointments.py)
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            press = key_press(event.key(), event.modifiers())
            if press is not None:
                if not event.isAutoRepeat():
                    self.controller.key(press)  # the keypad: audio guidance, moving, choosing
                return True
        if self.locked and kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
                                    QEvent.Type.ShortcutOverride, QEvent.Type.Shortcut):
            return True  # no keyboard way out of a kiosk: Alt+F4, Ctrl+Q… do nothing
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin) and watched is not self.corner:
            self.controller.activity()   # a warning that goes leaves the page (and this tap) alone
            if self._screen is not None and self._screen.name == "closed":
                self.controller.tap_closed()
        return False

    def _code_key(self, event: QKeyEvent) -> bool:
        """A key of a booking code: text from a scanner or keyboard, Enter, Backspace."""
        if event.modifiers() & BLOCKED:
            return False
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        return self.controller.appointments.typed_key(
            "" if enter else event.text(), enter=enter, erase=key == Qt.Key.Key_Backspace)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        if self.locked:
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        if self.locked and not self._allow_close:
            event.ignore()  # Alt+F4 and the window manager's close: only the staff PIN exits
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop timers, answers still on their way and the printer thread (idempotent)."""
        self.runner.close()
        self.timers.stop_all()
        self._beat_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
            if self.locked:
                while QApplication.overrideCursor() is not None:
                    QApplication.restoreOverrideCursor()
        self.spooler.stop()
        if self.speaker is not None:
            self.speaker.close()
