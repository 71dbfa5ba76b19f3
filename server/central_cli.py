"""`novbe central …` — the central PostgreSQL of all centres: init, add-centre, passwd,
add-reader, centres (for the agency's IT, with the owner's URL) and status, push (on a centre,
with its [central] config)."""

from __future__ import annotations

import getpass
import json
import sys
import time
from typing import Any

from server import central_schema
from server.central_schema import CentralError, redact, role_for, tls_warning
from server.shipping import Shipper
from shared.central_settings import CentralSettings


def _password(ctx: Any, who: str) -> str:
    if ctx.args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(f"password for {who}: ")
    if getpass.getpass("again: ") != password:
        raise CentralError("the two passwords differ")
    return password


def _warn_tls(url: str) -> None:
    warning = tls_warning(url)
    if warning:
        print(f"novbe: warning: {warning}", file=sys.stderr)


def cmd_init(ctx: Any) -> int:
    url = ctx.args.url
    _warn_tls(url)
    applied = central_schema.init(url, ctx.out)
    ctx.out(f"central database ready: {redact(url)}"
            + ("" if applied else " (already up to date)"))
    return 0


def cmd_add_centre(ctx: Any) -> int:
    url, centre = ctx.args.url, ctx.args.centre_id
    _warn_tls(url)
    role = central_schema.add_centre(url, centre, _password(ctx, role_for(centre)))
    ctx.out(f"centre {centre} added; it ships as the PostgreSQL role {role}. In its config:")
    ctx.out(f'  [central]\n  url = "postgresql://{role}@HOST:5432/DATABASE?sslmode=verify-full'
            f'&sslrootcert=/etc/novbe/central-ca.crt&passfile=/etc/novbe/central.pgpass"')
    return 0


def cmd_passwd(ctx: Any) -> int:
    url, centre = ctx.args.url, ctx.args.centre_id
    _warn_tls(url)
    role = central_schema.set_centre_password(url, centre, _password(ctx, role_for(centre)))
    ctx.out(f"password of {role} changed: the old one no longer works; put the new one in the "
            "centre's passfile (its events wait locally until then)")
    return 0


def cmd_add_reader(ctx: Any) -> int:
    url, name = ctx.args.url, ctx.args.name
    _warn_tls(url)
    central_schema.add_reader(url, name, _password(ctx, name))
    ctx.out(f"reader {name} added: it may read every centre's rows and change none")
    return 0


def cmd_centres(ctx: Any) -> int:
    for centre in central_schema.centres(ctx.args.url):
        ctx.out(centre)
    return 0


def _settings(ctx: Any) -> CentralSettings:
    settings = ctx.config.central
    if settings is None:
        raise CentralError(f"the centre config {ctx.config.source} has no [central] section "
                           "(url = \"postgresql://…\"): this centre ships nowhere")
    return settings


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def cmd_status(ctx: Any) -> int:
    settings = _settings(ctx)
    shipper = Shipper(ctx.db_path, settings, ctx.config)
    try:
        status = shipper.status(ask_central=True)
    finally:
        shipper.close()
    now = time.time()
    if ctx.args.json:
        ctx.out(json.dumps(status.to_json(now), ensure_ascii=False))
        return 0 if status.reachable else 1
    where = redact(settings.url)
    if status.reachable:
        ctx.out(f"centre {status.centre_id} → {where}: reachable")
    else:
        ctx.out(f"centre {status.centre_id} → {where}: NOT reachable ({status.last_error})")
    if status.acknowledged_id is None:
        ctx.out(f"  {status.local_last_id} events here; how many the central copy holds is "
                "unknown (never shipped from this machine)")
        return 1
    known = "" if status.known_from == "central" else " (as last known on this machine)"
    ctx.out(f"  central copy holds events up to #{status.acknowledged_id}{known}; "
            f"newest here #{status.local_last_id}")
    if status.pending:
        ctx.out(f"  {status.pending} events not yet shipped, the oldest {_age(status.lag_seconds(now))} old")
    else:
        ctx.out("  up to date: nothing waiting to be shipped")
    return 0 if status.reachable else 1


def cmd_push(ctx: Any) -> int:
    settings = _settings(ctx)
    shipper = Shipper(ctx.db_path, settings, ctx.config)
    try:
        shipper.record_config()
        started = time.perf_counter()
        sent = shipper.ship_pending()
        took = time.perf_counter() - started
        status = shipper.status()
    finally:
        shipper.close()
    ctx.out(f"shipped {sent} events to {redact(settings.url)} in {took:.1f} s; "
            f"the central copy holds up to #{status.acknowledged_id}, "
            f"{status.pending} waiting")
    return 0


def register(subparsers: Any) -> None:
    """Add `novbe central …` to the command line."""
    p = subparsers.add_parser(
        "central", help="the central PostgreSQL of all centres (set-up, shipping status)",
        description="The central PostgreSQL that holds every centre's event log.")
    sub = p.add_subparsers(dest="central_action", required=True, metavar="ACTION")

    def add(name: str, fn: Any, text: str) -> Any:
        a = sub.add_parser(name, help=text, description=text)
        a.set_defaults(func=fn)
        return a

    add("init", cmd_init, "create or migrate the central schema and its roles (run as the "
        "database's owner)").add_argument("url", help="postgresql://OWNER@HOST/DB?sslmode=…")
    for name, fn, text in (("add-centre", cmd_add_centre, "add a centre and its login role"),
                           ("passwd", cmd_passwd, "give a centre's login a new password")):
        a = add(name, fn, text)
        a.add_argument("url", help="the owner's postgresql:// URL")
        a.add_argument("centre_id")
        a.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of stdin (no prompt)")
    a = add("add-reader", cmd_add_reader, "add a read-only login for national reports")
    a.add_argument("url", help="the owner's postgresql:// URL")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin (no prompt)")
    add("centres", cmd_centres, "list the centres of the central database").add_argument("url")
    add("status", cmd_status, "how far behind the central copy of this centre's events is "
        "(exit 1 when the central database cannot be reached)").add_argument(
        "--json", action="store_true")
    add("push", cmd_push, "ship this centre's events to the central database now")
