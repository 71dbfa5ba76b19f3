"""Logging to stderr and to a rotating file in the data dir."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(data_dir: Path, level: int = logging.INFO, name: str = "novbe") -> Path | None:
    """Send log lines to stderr and to <data_dir>/<name>.log (5 files of 2 MB)."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        # Ours from an earlier call, or the bare stderr handler a library's import-time
        # logging.basicConfig() left behind (python-escpos does), which would echo INFO lines.
        if getattr(handler, "_novbe", False) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logging.Formatter(FORMAT))
    stderr._novbe = True  # type: ignore[attr-defined]
    root.addHandler(stderr)
    file = data_dir / f"{name}.log"
    path: Path | None = file
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(file, maxBytes=2_000_000, backupCount=5,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._novbe = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", path, exc)
        path = None
    return path
