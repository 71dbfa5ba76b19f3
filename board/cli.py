"""`novbe board` (the lobby board) and `novbe say` (write one announcement to a WAV)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from board.errors import NoDisplay
from shared.config.centre import LANGUAGES, CentreConfig

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    """Add the board's commands to the `novbe` CLI."""
    p = sub.add_parser("board", help="run the lobby display board",
                       description="Run the lobby display board (full screen unless --windowed).")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--zone", help="show only the counters of this zone (see [[counter]] zone)")
    p.add_argument("--server", metavar="URL", default=os.environ.get("NOVBE_SERVER") or None,
                   help="follow the centre's server instead of --db (env NOVBE_SERVER)")
    p.add_argument("--token", metavar="T", default=os.environ.get("NOVBE_TOKEN") or None,
                   help="the board's device token for --server (env NOVBE_TOKEN)")
    p.add_argument("--board-id", help="this board's name in staff alerts (default: board, or "
                                      "board-ZONE with --zone)")
    p.set_defaults(func=cmd_board)

    p = sub.add_parser("say", help="write the announcement of a call to a WAV file",
                       description="Write chime + speech for CODE called to COUNTER to a WAV "
                                   "(to check the voices at installation time).")
    p.add_argument("code", metavar="CODE", help="ticket code, e.g. A-015")
    p.add_argument("counter", metavar="COUNTER", help="counter id, e.g. 7")
    p.add_argument("--lang", choices=LANGUAGES, action="append",
                   help="language (repeatable; default: the board's speech_languages)")
    p.add_argument("--recall", action="store_true", help="say it as a repeated call")
    p.add_argument("--wav", required=True, type=Path, metavar="FILE", help="the WAV to write")
    p.set_defaults(func=cmd_say)


def cmd_board(ctx: Any) -> int:
    """Run the board on the local queue file, or on the server with --server/--token."""
    from board.app import run_board
    from board.controller import zone_counters

    args = ctx.args
    if sys.platform.startswith("linux") and not any(
            os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        raise NoDisplay("no screen: set DISPLAY (X11) or WAYLAND_DISPLAY, or QT_QPA_PLATFORM")
    if args.server:
        from shared.client.remote_queue import connect_device  # httpx only when remote

        queue = connect_device(args.server, args.token, "board")
        config, fetch_config = remote_board_config(queue, lambda: ctx.config)
        zone_counters(config, args.zone)  # UnknownZone before any window opens
        return run_board(queue, config, windowed=args.windowed, zone=args.zone,
                         fetch_config=fetch_config, source=args.board_id)
    zone_counters(ctx.config, args.zone)
    return run_board(ctx.queue, ctx.config, windowed=args.windowed, zone=args.zone,
                     source=args.board_id)


def remote_board_config(queue: Any, local_config: Callable[[], CentreConfig]
                        ) -> tuple[CentreConfig, Callable[[], CentreConfig] | None]:
    """The config a remote board starts with: the server's, or — when the server cannot be
    reached (the board PC booted first after a power cut) — the local one (--config or the
    bundled file), with a function that fetches the server's once it answers."""
    from shared.core.errors import QueueUnavailable

    try:
        return queue.config, None
    except QueueUnavailable as exc:
        config = local_config()
        log.warning("board: the server cannot be reached (%s); starting with the local config "
                    "(%s), marked \"reconnecting\", until it answers", exc, config.source)
        return config, lambda: queue.config


def cmd_say(ctx: Any) -> int:
    """Render one announcement (chime + speech) to --wav; exit 1 if some speech is missing."""
    from board.announcer import render_announcement
    from shared.speech.wavfile import stats
    from shared.speech.worker import SpeechWorker

    args = ctx.args
    langs = args.lang or list(ctx.config.board.speech_languages)
    out: Path = args.wav
    out.parent.mkdir(parents=True, exist_ok=True)
    worker = SpeechWorker()
    try:
        wav, spoken, problems = render_announcement(worker, langs, args.code, str(args.counter),
                                                    out, recall=args.recall)
    finally:
        worker.close()
    s = stats(wav)
    ctx.out(f"{wav}: {s.seconds:.2f} s, RMS {s.rms:.3f}, peak {s.peak:.3f}; "
            f"speech: {', '.join(spoken) or 'none'} (engine {worker.engine_name or '—'})")
    for problem in problems:
        ctx.out(f"  no speech in {problem} — the announcement is the chime only")
    return 1 if problems else 0
