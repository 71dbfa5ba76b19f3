"""The `[central]` section of a centre config: where the centre ships its event log.

    [central]
    url = "postgresql://novbe_centre_dost-abseron@central.example.az/novbe?sslmode=verify-full"
    centre_id = "dost-abseron"      # optional: defaults to [centre] id

The password is best kept out of the file (libpq's ~/.pgpass or `passfile=` in the URL).
CentralSettings is a validated pydantic dataclass, frozen, like the rest of the config."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from pydantic import PlainValidator
from pydantic.dataclasses import dataclass

from shared.config.values import TABLE

CENTRE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
URL_SCHEMES = ("postgresql", "postgres")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def _url(value: Any) -> str:
    problem = url_problem(value)
    if problem:
        raise ValueError(problem)
    return str(value)


def _centre_id(value: Any) -> str:
    if not isinstance(value, str) or not CENTRE_ID_RE.match(value):
        raise ValueError("must be an id of lowercase letters, digits, '_', '-', '.' "
                         f"(at most 40), got {value!r}")
    return value


@dataclass(frozen=True, config=TABLE)
class CentralSettings:
    """The central PostgreSQL this centre ships to, and the centre's id there (in the file,
    [centre] id unless set)."""

    url: Annotated[str, PlainValidator(_url)]
    centre_id: Annotated[str, PlainValidator(_centre_id)]


def url_problem(url: Any) -> str | None:
    """What is wrong with a central database URL, or None when it can be used."""
    if not isinstance(url, str) or not url.strip():
        return "must be a postgresql:// URL"
    parts = urlsplit(url)
    if parts.scheme not in URL_SCHEMES:
        return f"must start with postgresql://, got {url.split(':', 1)[0]!r}"
    modes = parse_qs(parts.query).get("sslmode", [])
    if modes and modes[-1] not in SSL_MODES:
        return f"sslmode must be one of {', '.join(SSL_MODES)}, got {modes[-1]!r}"
    return None
