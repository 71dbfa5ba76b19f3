"""Whether the server supports this board's version (a heartbeat's answer says the server's):
one that does not puts an alert on the board's own staff line until one that does answers —
the board keeps showing calls meanwhile, and IT sees the device on /manager/devices too."""

from __future__ import annotations

import logging
from datetime import datetime

from shared.core.alerts import VERSION_UNSUPPORTED
from shared.core.model import Alert
from shared.version import VERSION, supports

log = logging.getLogger(__name__)

class VersionCheck:
    """The staff-line alert of a board the server does not support."""

    def __init__(self, source: str):
        self.source = source
        self.unsupported_by: str | None = None    # the server's version, when not ours

    def heard(self, server_version: str) -> bool:
        """The server's version from a heartbeat's answer; True when the staff line changes."""
        unsupported = None if supports(server_version, VERSION) else server_version
        changed = (unsupported is None) != (self.unsupported_by is None)
        self.unsupported_by = unsupported
        if changed and unsupported is not None:
            log.error("the server runs version %s and does not support this board's %s",
                      unsupported, VERSION)
        return changed

    def staff_alerts(self, queued: list[Alert], now: datetime) -> list[Alert]:
        """The staff line's alerts with this board's own version alert, while it stands."""
        if self.unsupported_by is None:
            return queued
        return [*queued, Alert(self.source, VERSION_UNSUPPORTED,
                               f"board {VERSION}, server {self.unsupported_by}", now)]
