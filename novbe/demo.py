"""`novbe demo`: the whole system on one machine — kiosk, board and server on a local demo
database, tickets printed to a preview folder; or, with --headless DIR, a scripted run that
writes screenshots, ticket images and announcement WAVs into DIR."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from datetime import time
from pathlib import Path
from typing import Any, cast

from shared.config.centre import WEEKDAYS, CentreConfig, OpeningHours
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue
from shared.paths import data_dir

DEMO_STAFF = ("demo", "demo-2580")
DEMO_MANAGER = ("manager", "manager-demo-1")
SEED_SERVICES = ("pensions.age", "pensions.age", "benefits.child", "employment.job-seeker",
                 "disability.assessment", "vem.veterans", "pensions.recalculation", "benefits.targeted")


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="run kiosk + board + server on a local demo database",
                       description="Start the kiosk, the board and the server on a local demo "
                                   "database with a preview printer; --headless DIR drives them "
                                   "offscreen and writes what they show into DIR.")
    p.add_argument("--headless", metavar="DIR", help="scripted offscreen run writing screenshots, tickets, WAVs")
    p.add_argument("--port", type=int, default=8700, help="server port (default 8700)")
    p.add_argument("--fresh", action="store_true", help="start from an empty demo database")
    p.set_defaults(func=run_demo)


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return False
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def seed(queue: LocalQueue) -> None:
    """A lobby in mid-morning: a few people waiting, two counters busy."""
    if queue.last_event_id():
        return
    for i, service in enumerate(SEED_SERVICES):
        queue.issue(service, priority="veteran" if i == 5 else None, language=("az", "ru", "en")[i % 3],
                    source="demo")
    for counter in ("4", "7"):
        with contextlib.suppress(NoTicketWaiting):
            queue.call_next(counter, staff="demo")


def always_open(config: CentreConfig) -> CentreConfig:
    """The demo's centre is open around the clock, so the kiosk issues whenever it is tried."""
    day = (time(0, 0), time(23, 59, 59))
    return dataclasses.replace(config, hours=OpeningHours.weekly(dict.fromkeys(WEEKDAYS, day)))


def run_demo(ctx: Any) -> int:
    config: CentreConfig = always_open(ctx.config)
    db_path = Path(ctx.args.db) if ctx.args.db else data_dir() / "demo.sqlite"
    if ctx.args.fresh and db_path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    if ctx.args.headless:
        out = Path(ctx.args.headless)
        return _headless(config, Path(ctx.args.db) if ctx.args.db else out / "demo.sqlite", out, ctx)
    return _interactive(config, db_path, ctx)


def _headless(config: CentreConfig, db_path: Path, out: Path, ctx: Any) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    out.mkdir(parents=True, exist_ok=True)
    from board.demo import headless_calls
    from kiosk.demo import headless_visits

    written: list[Path] = []
    kiosk_queue = LocalQueue(db_path, config)
    board_queue = LocalQueue(db_path, config)
    try:
        written += headless_visits(kiosk_queue, config, out / "kiosk")
        written += headless_calls(board_queue, config, out / "board")
    finally:
        kiosk_queue.close()
        board_queue.close()
    ctx.out(f"demo database: {db_path}")
    ctx.out(f"wrote {len(written)} files into {out}:")
    for path in written:
        ctx.out(f"  {path}")
    return 0


def _interactive(config: CentreConfig, db_path: Path, ctx: Any) -> int:
    from server.app import run_server_in_thread
    from server.auth.accounts import ensure_staff

    server_queue = LocalQueue(db_path, config)
    seed(server_queue)
    ensure_staff(server_queue.path, *DEMO_STAFF)
    ensure_staff(server_queue.path, *DEMO_MANAGER, role="manager")
    server = run_server_in_thread(server_queue, config, "127.0.0.1", ctx.args.port)
    ctx.out(f"demo database:   {db_path}")
    ctx.out(f"counter console: {server.url}/counter   (staff {DEMO_STAFF[0]!r}, password {DEMO_STAFF[1]!r})")
    ctx.out(f"manager's view:  {server.url}/manager   (staff {DEMO_MANAGER[0]!r}, password "
            f"{DEMO_MANAGER[1]!r})")
    ctx.out(f"API docs:        {server.url}/docs")
    preview = db_path.parent / "demo-tickets"
    ctx.out(f"printer:         preview://{preview} — the demo's tickets are PNG files there, "
            "nothing is printed on paper (a real kiosk: novbe kiosk --printer URL)")
    try:
        if not _has_display():
            ctx.out("no screen here (no DISPLAY): kiosk and board need one. Serving the counter "
                    "console until Ctrl+C; `novbe demo --headless DIR` shows them offscreen.")
            server.wait()
            return 0
        from PySide6.QtWidgets import QApplication

        from board.app import create_board_window
        from kiosk.app import create_kiosk_window

        app = cast(QApplication | None, QApplication.instance()) or QApplication(sys.argv[:1])
        kiosk_queue = LocalQueue(db_path, config)
        board_queue = LocalQueue(db_path, config)
        kiosk = create_kiosk_window(kiosk_queue, config, f"preview://{preview}", windowed=True)
        board = create_board_window(board_queue, config, windowed=True)
        kiosk.show()
        board.show()
        ctx.out("kiosk and board are open; close either window to stop.")
        app.setQuitOnLastWindowClosed(True)
        return app.exec()
    finally:
        server.stop()
        server_queue.close()
