"""The board's part of `novbe demo --headless DIR`: a scripted morning on the queue, board
screenshots at the three screen sizes, and the announcement WAVs."""

from __future__ import annotations

import os
from pathlib import Path

from qtcommon.runner import InlineRunner
from shared.config.centre import CentreConfig
from shared.core.errors import NoTicketWaiting
from shared.core.queue import Queue
from shared.speech.sinks import SilentSink
from shared.speech.worker import SpeechWorker

SIZES = ((1920, 1080), (3840, 2160), (1080, 1920))


def scripted_sequence(queue: Queue) -> list[str]:
    """Tickets for several categories, calls at several counters, a recall, a transfer and a
    kiosk printer running out of paper; returns what was done, one line per step."""
    done: list[str] = []
    for service, n in (("employment.job-seeker", 6), ("pensions.age", 5), ("benefits.targeted", 4),
                       ("disability.assessment", 3), ("vem.vem", 2), ("insurance", 2)):
        svc = service if service in queue.config.services else service.split(".")[0]
        if svc not in queue.config.services:
            svc = next(s for s in queue.config.services if s.startswith(service.split(".")[0]))
        for _ in range(n):
            queue.issue(svc, source="kiosk-1")
    done.append("issued 22 tickets")
    for counter in ("1", "4", "7", "11", "2", "5", "18"):
        try:
            t = queue.call_next(counter)
            done.append(f"called {t.code} to {counter}")
        except NoTicketWaiting:
            pass
    queue.recall("4")
    done.append("recalled at 4")
    t = queue.transfer("7", "pensions.age" if "pensions.age" in queue.config.services
                       else next(iter(queue.config.services)))
    done.append(f"transferred {t.code} from 7")
    queue.report_device("kiosk-1", "printer_paper_out", "paper out")
    done.append("kiosk-1 paper out")
    for counter in ("8", "1"):
        t = queue.call_next(counter)
        done.append(f"called {t.code} to {counter}")
    return done


def _app() -> object:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["novbe-board"])


def screenshot(widget: object, size: tuple[int, int], path: Path) -> Path:
    """Resize the board widget and save what it draws as a PNG."""
    widget.resize(*size)  # type: ignore[attr-defined]
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path


def headless_calls(queue: Queue, config: CentreConfig, out_dir: Path) -> list[Path]:
    """Run the scripted sequence on `queue` while a board follows it; write board screenshots
    (board-1920x1080.png, board-3840x2160.png, board-1080x1920.png) and the announcement WAVs
    (announcements/*.wav) into out_dir; return the paths written."""
    from board.app import build_board

    _app()
    out_dir = Path(out_dir)
    wav_dir = out_dir / "announcements"
    wav_dir.mkdir(parents=True, exist_ok=True)
    widget = build_board(queue, config, sink=SilentSink(), speech=SpeechWorker(), wav_dir=wav_dir,
                         runner=InlineRunner())  # driven by hand below
    controller = widget.controller  # type: ignore[attr-defined]
    controller.announcer.keep_wavs = True
    try:
        for _timer in widget.timers:  # type: ignore[attr-defined]
            _timer.stop()  # driven by hand below, not by the event loop
        scripted_sequence(queue)
        controller.poll()
        controller.tick()
        controller.announcer.wait_idle(120)
        paths = [screenshot(widget, size, out_dir / f"board-{size[0]}x{size[1]}.png")
                 for size in SIZES]
        paths += sorted(wav_dir.glob("announce-*.wav"))
        return paths
    finally:
        controller.close()
        widget.deleteLater()
