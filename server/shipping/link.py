"""The link from a centre to the central PostgreSQL: the schema's name, connecting with the
URL's TLS settings honoured, and the errors and redaction both sides use. The centre's shipper
opens it; the central program (central/) reuses it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import psycopg

from shared.config.central import url_problem
from shared.core.errors import NovbeError

SCHEMA = "novbe"
CONNECT_TIMEOUT_S = 5
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")
# pg_advisory_xact_lock key (with hashtext(centre)) over a centre's national bookings: every
# write holds it shared, the centre's bookings link holds it alone while it pulls — so a pull
# sees every write begun before it, and every later write reads a later clock (the cut-off's
# proof, docs/architecture.md "Bookings").
PULL_LOCK = 0x6E6F6262


class CentralError(NovbeError):
    """The central database refused or could not do what was asked."""


class CentralUnavailable(CentralError):
    """The central PostgreSQL cannot be reached right now (down, network, credentials)."""


def tls_warning(url: str) -> str | None:
    """A warning when a URL to another machine does not insist on TLS (sslmode=require or
    verify-*): without it a centre's events and password may cross the network in clear."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or (query.get("host") or [""])[-1]
    mode = (query.get("sslmode") or ["prefer"])[-1]
    if host.startswith("/") or host in LOCAL_HOSTS or mode in ("require", "verify-ca", "verify-full"):
        return None
    return (f"the central URL to {host} has sslmode={mode}: traffic may go unencrypted; "
            "use sslmode=verify-full (with sslrootcert) for a server across the network")


def connect(url: str, *, autocommit: bool = False, app: str = "novbe") -> psycopg.Connection:
    """Open the central database. The URL's own settings (sslmode, sslrootcert, passfile…) are
    libpq's and are honoured as given; failures become CentralUnavailable naming the host."""
    problem = url_problem(url)
    if problem:
        raise CentralError(f"central URL {redact(url)}: {problem}")
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name=app)
    except psycopg.OperationalError as exc:
        raise CentralUnavailable(f"cannot reach the central database {redact(url)}: "
                                 f"{first_line(exc)}") from exc


def redact(url: str) -> str:
    """The URL with its password hidden (for messages and logs)."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextlib.contextmanager
def reaching_central(failure: Callable[[str], str], drop: Callable[[], None],
                     failed: Callable[[str], None]) -> Iterator[None]:
    """One step against the central database: on a database error or a link that cannot be
    had, `drop` the connection, note the failure (`failed`) and raise CentralUnavailable with
    `failure(what went wrong)` as its message."""
    try:
        yield
    except psycopg.Error as exc:
        drop()
        failed(first_line(exc))
        raise CentralUnavailable(failure(first_line(exc))) from exc
    except CentralUnavailable as exc:
        drop()
        failed(str(exc))
        raise
