"""Keeping backups for a set time and a copy off the machine: the nightly timer's `novbe backup
--keep-days N` deletes older copies beside the file, and copies each new one to a directory
(a mounted share, a USB disk) or a host (`user@host:path`, through rsync over ssh)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from pathlib import Path

from shared.core.errors import NovbeError
from shared.store.database import backups_of

log = logging.getLogger(__name__)

DAY_S = 86_400
COPY_TIMEOUT_S = 600


class BackupCopyFailed(NovbeError):
    """A backup was made but could not be copied where the settings say."""


def prune(db_path: Path, keep_days: int, now: float | None = None) -> list[Path]:
    """Delete the backups beside `db_path` older than `keep_days`, always keeping the newest;
    returns what was deleted."""
    if keep_days < 1:
        raise NovbeError(f"--keep-days must be at least 1 (got {keep_days})")
    cutoff = (time.time() if now is None else now) - keep_days * DAY_S
    found = backups_of(db_path)
    gone = [p for p in found[1:] if p.stat().st_mtime < cutoff]
    for path in gone:
        path.unlink(missing_ok=True)
        log.info("deleted backup %s (older than %d days)", path, keep_days)
    return gone


def copy_off(made: Path, destination: str) -> str:
    """Copy one backup to a directory or to `user@host:path`; returns where it went."""
    if ":" in destination and not destination.startswith("/"):
        rsync = shutil.which("rsync")
        if rsync is None:
            raise BackupCopyFailed(f"cannot copy {made.name} to {destination}: rsync is not "
                                   "installed")
        done = subprocess.run([rsync, "-t", "--partial", str(made), destination],
                              capture_output=True, text=True, timeout=COPY_TIMEOUT_S)
        if done.returncode != 0:
            raise BackupCopyFailed(f"cannot copy {made.name} to {destination}: "
                                   f"{done.stderr.strip()[:200]}")
        return f"{destination.rstrip('/')}/{made.name}"
    folder = Path(destination)
    if not folder.is_dir():
        raise BackupCopyFailed(f"cannot copy {made.name}: {folder} is not a directory (is the "
                               "share or disk mounted?)")
    target = folder / made.name
    partial = target.with_name(target.name + ".part")
    try:
        shutil.copy2(made, partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupCopyFailed(f"cannot copy {made.name} to {folder}: {exc}") from exc
    return str(target)
