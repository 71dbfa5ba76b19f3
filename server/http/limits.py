"""How much the server gives one client: request body size, how long a client may take to send
its headers and its body, how long an idle connection stays open, and how many connections
are open at once (in all, and from one address). The phone page faces the public, so every
figure is small and every wait is bounded."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace

log = logging.getLogger(__name__)

BODY_BYTES = 8 * 1024          # the largest body of any route is well under 1 KB
HEADER_BYTES = 16 * 1024       # request line + headers
HEADER_SECONDS = 10.0          # from a connection (or the end of the previous answer) to headers
BODY_SECONDS = 10.0            # from the headers to the end of the body
KEEP_ALIVE_SECONDS = 20.0      # an idle keep-alive connection is closed after this (long
                               # enough that a console pressing Next reuses its connection)
MAX_CONNECTIONS = 4096         # open connections in all (event streams included)
MAX_PER_ADDRESS = 256          # open connections from one client address (0: no cap)
WANTED_OPEN_FILES = 65536      # the open-file limit asked for at start
RESERVED_FILES = 256           # files kept for the database, logs, templates…


@dataclass(frozen=True)
class Limits:
    """The server's limits on clients (see the module's constants for the defaults)."""

    body_bytes: int = BODY_BYTES
    header_bytes: int = HEADER_BYTES
    header_seconds: float = HEADER_SECONDS
    body_seconds: float = BODY_SECONDS
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS
    max_connections: int = MAX_CONNECTIONS
    max_per_address: int = MAX_PER_ADDRESS

    def fitted_to(self, open_files: int | None) -> Limits:
        """These limits with max_connections lowered to what the open-file limit allows."""
        if open_files is None:
            return self
        allowed = max(16, open_files - RESERVED_FILES)
        if allowed >= self.max_connections:
            return self
        log.warning("the open-file limit (%d) allows only %d connections, not %d",
                    open_files, allowed, self.max_connections)
        return replace(self, max_connections=allowed)


def raise_open_file_limit(wanted: int = WANTED_OPEN_FILES) -> int | None:
    """Raise this process's soft open-file limit towards `wanted` (never above the hard limit);
    returns the limit now in force (None where the platform has no such limit)."""
    try:
        import resource
    except ImportError:        # Windows: no RLIMIT_NOFILE
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
