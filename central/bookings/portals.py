"""Booking portals' tokens on the central database: a portal gets a random token, shown once;
the database keeps only its SHA-256 and the centres it may book at (none named: all)."""

from __future__ import annotations

import secrets
from typing import Any

from central.schema import needs_owner_rights
from server.auth.accounts import token_hash
from server.shipping.link import SCHEMA, CentralError, connect, tls_warning


@needs_owner_rights
def add_portal(url: str, name: str, centres: list[str] | None = None) -> str:
    """Add a portal (or give it a new token: the old one stops working); returns the token."""
    token = secrets.token_urlsafe(32)
    with connect(url, app="novbe-central-admin") as conn, conn.transaction():
        if centres:
            known = {r[0] for r in conn.execute(f"SELECT centre_id FROM {SCHEMA}.centres")}
            unknown = [c for c in centres if c not in known]
            if unknown:
                raise CentralError(f"unknown centre {unknown[0]!r}: novbe central centres URL "
                                   "lists them")
        try:
            conn.execute(f"INSERT INTO {SCHEMA}.portals (name, token_sha256, centres) VALUES "
                         "(%s, %s, %s) ON CONFLICT (name) DO UPDATE SET token_sha256 = "
                         "EXCLUDED.token_sha256, centres = EXCLUDED.centres",
                         (name, token_hash(token), centres))
        except Exception as exc:
            if "portals_name_check" in str(exc):
                raise CentralError(f"a portal's name is lowercase letters, digits, '_', '-', "
                                   f"'.' (at most 40), got {name!r}") from None
            raise
    return token


def cmd_add_portal(ctx: Any) -> int:
    """`novbe central add-portal URL NAME [--centres IDS]`: prints the portal's new token."""
    url, name = ctx.args.url, ctx.args.name
    warning = tls_warning(url)
    if warning:
        ctx.out(f"warning: {warning}")
    centres = [c for c in (ctx.args.centres or "").split(",") if c] or None
    token = add_portal(url, name, centres)
    ctx.out(f"portal {name} may book, cancel and read free national seats at "
            f"{', '.join(centres) if centres else 'every centre'}; its token (shown once):")
    ctx.out(token)
    return 0
