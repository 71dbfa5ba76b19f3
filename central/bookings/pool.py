"""The booking desk's and portals' connections to the central PostgreSQL: a small pool (each
booking is a few statements, so ten connections serve many desks at once), every connection
in autocommit with a statement time-out; a database that cannot be reached is CentralUnavailable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from server.shipping.link import CONNECT_TIMEOUT_S, CentralUnavailable, first_line, redact

POOL_MAX = 10
WAIT_S = 10.0               # a request that gets no connection by then is refused (503)
STATEMENT_TIMEOUT_MS = 10_000


class BookingPool:
    """Connections for booking; `connection()` lends one for a request."""

    def __init__(self, url: str, max_size: int = POOL_MAX):
        self.url = url
        self._pool = ConnectionPool(
            url, min_size=1, max_size=max_size, open=True, timeout=WAIT_S,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S,
                    "application_name": "novbe-booking"},
            configure=_configure, name="novbe-booking")

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A connection for one request (CentralUnavailable when none can be had)."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except (PoolTimeout, psycopg.OperationalError) as exc:
            raise CentralUnavailable(f"the central database {redact(self.url)} cannot be "
                                     f"reached now: {first_line(exc)}"
                                     ) from exc

    def close(self) -> None:
        self._pool.close()


def _configure(conn: psycopg.Connection) -> None:
    conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")


def booking_pool(url: str) -> BookingPool:
    """The pool of `novbe central serve` over `url`."""
    return BookingPool(url)
