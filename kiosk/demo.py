"""The kiosk's part of `novbe demo --headless DIR`: one scripted visit per language, tapped
through the real window offscreen, with a screenshot of every screen and the printed tickets."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from shared.config.centre import CentreConfig
from shared.core.clock import Clock
from shared.core.queue import Queue

# (language, category, service or None when the category has one, priority tile)
VISITS = (
    ("az", "pensions", "pensions.age", "veteran"),
    ("ru", "benefits", "benefits.birth", "none"),
    ("en", "vem", "vem.martyrs-families", "none"),
)
SIZE = (1920, 1080)


class ScriptClock:
    """The queue's clock plus the seconds a scripted visitor spends reading each screen."""

    def __init__(self, base: Clock):
        self.base = base
        self.offset = timedelta()

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def think(self, seconds: float = 2.0) -> None:
        self.offset += timedelta(seconds=seconds)


def _wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QThread

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        QThread.msleep(5)
    return True


def _visit_plan(config: CentreConfig) -> list[tuple[str, str, str | None, str]]:
    plan = []
    for lang, category, service, priority in VISITS:
        try:
            cat = config.category(category)
        except Exception:
            cat = config.categories[0]
        svc_ids = [s.id for s in cat.services]
        svc = service if service in svc_ids else svc_ids[0]
        prio = priority if priority == "none" or any(p.id == priority for p in config.priorities) else "none"
        plan.append((lang if lang in config.languages else config.languages[0], cat.id,
                     svc if len(svc_ids) > 1 else None, prio))
    return plan


def headless_visits(queue: Queue, config: CentreConfig, out_dir: Path) -> list[Path]:
    """Drive the kiosk offscreen through one visit per language; write a PNG of every screen and
    each printed ticket (preview printer) into out_dir. Returns the files written, in order."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QAbstractButton, QApplication

    from kiosk.screens import TicketScreen
    from kiosk.window import KioskWindow

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tickets_dir = out_dir / "tickets"
    app = QApplication.instance() or QApplication(["novbe-kiosk-demo"])
    clock = ScriptClock(queue.clock)
    window = KioskWindow(queue, config, f"preview://{tickets_dir}", locked=False, clock=clock,
                         source="kiosk-demo")
    written: list[Path] = []
    try:
        window.resize(*SIZE)
        window.show()
        app.processEvents()

        def shot(name: str) -> None:
            app.processEvents()
            path = out_dir / f"kiosk-{name}.png"
            window.grab().save(str(path))
            written.append(path)

        def now_showing() -> str:
            screen = window.controller.screen
            return screen.name if screen is not None else ""

        def printing() -> bool:
            screen = window.controller.screen
            return isinstance(screen, TicketScreen) and screen.print_state == "printing"

        def tap(name: str) -> None:
            page = window.current_page()
            button = page.findChild(QAbstractButton, name) if page is not None else None
            if button is None:
                raise RuntimeError(f"the demo visit found no {name!r} on the "
                                   f"{now_showing()} screen")
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            clock.think()

        for n, (lang, category, service, priority) in enumerate(_visit_plan(config), 1):
            prefix = f"{n}-{lang}"
            window.controller.home()
            shot(f"{prefix}-1-language")
            if now_showing() == "closed":
                break  # outside opening hours: the closed screen is what a visitor would see
            tap(f"tile:{lang}")
            shot(f"{prefix}-2-categories")
            tap(f"tile:{category}")
            if service:
                shot(f"{prefix}-3-services")
                tap(f"tile:{service}")
            if now_showing() == "priorities":
                shot(f"{prefix}-4-priorities")
                tap(f"tile:{priority}")
            _wait_until(lambda: not window.controller.issuing)
            if now_showing() == "ticket":
                _wait_until(lambda: not printing())
            shot(f"{prefix}-5-{now_showing()}")
            clock.think(window.controller.config.kiosk.home_after_seconds)
        _wait_until(lambda: not window.spooler.pending())
    finally:
        window._allow_close = True
        window.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    written += list(getattr(window.spooler.device, "written", []))  # the preview printer's PNGs
    return written
