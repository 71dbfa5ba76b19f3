"""The server's shipper in a process of its own: shipping shares no interpreter lock with the
queue (a thread in the server's process lengthened call_next's p99 in bench/central.py), and a
crash or stall there can never touch the server. The process runs server.shipping.shipper.Shipper's
loop; the server reads its progress from the state file it saves after every batch or failure
and from the queue file, and stops it with the server. It ends by itself if the server dies."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from server.shipping.link import redact
from server.shipping.shipper import Shipper, ShippingStatus
from shared.config.central import CentralSettings
from shared.config.centre import CentreConfig

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 10.0
NICENESS = 10


def _ship_forever(db_path: str, settings: CentralSettings, config: CentreConfig, stop: Any,
                  wake: Any, parent: int, options: dict[str, Any]) -> None:
    """The process's body: Shipper's loop until `stop` is set or the server is gone, at a
    lower CPU priority than the queue's processes (shipping is background work)."""
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    with contextlib.suppress(Exception):
        from shared.logs import setup_logging
        from shared.paths import data_dir

        setup_logging(data_dir(), name="novbe-shipper")

    def orphaned() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()
                wake.set()
    threading.Thread(target=orphaned, daemon=True, name="novbe-shipper-parent").start()
    shipper = Shipper(db_path, settings, config, duty=1.0, events=(stop, wake), **options)
    shipper._run()


class ShipperProcess:
    """A Shipper running in a child process (spawned, never forked from a threaded server)."""

    def __init__(self, db_path: str | Path, settings: CentralSettings, config: CentreConfig,
                 **options: Any):
        self.db_path = Path(db_path)
        self.settings = settings
        self.centre_id = settings.centre_id
        self.config = config
        self.options = options
        self._viewer = Shipper(self.db_path, settings, config)   # reads status, ships nothing
        ctx = multiprocessing.get_context("spawn")
        self._stop, self._wake = ctx.Event(), ctx.Event()
        self._process = ctx.Process(
            target=_ship_forever, name=f"novbe-shipper-{self.centre_id}", daemon=True,
            args=(str(self.db_path), settings, config, self._stop, self._wake, os.getpid(),
                  options))

    def start(self) -> ShipperProcess:
        self._process.start()
        return self

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def push(self) -> None:
        """Ship now (and retry now after a failure)."""
        self._wake.set()

    def status(self) -> ShippingStatus:
        """How far behind the central copy is, from the process's last saved progress."""
        return replace(self._viewer.status(), known_from="shipper")

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Ask the process to end (a batch in flight finishes or fails), then make sure."""
        self._stop.set()
        self._wake.set()
        if self._process.pid is not None:
            self._process.join(timeout)
            if self._process.is_alive():
                log.warning("central copy: the shipping process did not stop; terminating it")
                self._process.terminate()
                self._process.join(2)
        self._viewer.close()


def start_for(config: CentreConfig, db_path: str | Path | None) -> Any:
    """The running shipper (a process of its own) of a server whose config names a central
    database, else None."""
    if config.central is None or db_path is None:
        return None
    log.info("shipping events of %s to %s", config.central.centre_id, redact(config.central.url))
    return ShipperProcess(db_path, config.central, config).start()
