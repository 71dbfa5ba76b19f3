"""`novbe central …` — the central PostgreSQL of all centres: init, add-centre, passwd,
add-reader, add-portal, centres, refresh, drop-rows and status URL (for the agency's IT, with the owner's
URL) and status, push, reship (on a centre, with its [central] config)."""

from __future__ import annotations

import getpass
import json
import sys
import time
from datetime import UTC
from typing import Any

from central import schema as central_schema
from central.bookings.portals import cmd_add_portal
from central.schema import role_for
from server.shipping.link import CentralError, redact, tls_warning
from server.shipping.shipper import Shipper
from shared.config.central import CentralSettings


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
    if ctx.args.url:
        return central_status(ctx)
    settings = _settings(ctx)
    shipper = Shipper(ctx.db_path, settings, ctx.config)
    try:
        status = shipper.status(ask_central=True)
    finally:
        shipper.close()
    now = time.time()
    whole = status.reachable and status.up_to_date
    if ctx.args.json:
        ctx.out(json.dumps(status.to_json(now), ensure_ascii=False))
        return 0 if whole else 1
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
    history = f" of this file's history {status.generation}" if status.generation else ""
    ctx.out(f"  central copy holds events up to #{status.acknowledged_id}{history}{known}; "
            f"newest here #{status.local_last_id}")
    if status.pending:
        ctx.out(f"  {status.pending} events not yet shipped, the oldest {_age(status.lag_seconds(now))} old")
    if status.differs:
        ctx.out(f"  NOT up to date: {status.differs} events the central copy holds differ from "
                "this file's (left as they are there)")
    if status.unplaced:
        ctx.out(f"  NOT up to date: the central copy holds {status.unplaced} events beyond the "
                f"newest one here, which this file never wrote")
    if status.differs or status.unplaced:
        ctx.out("  the central owner can drop them (novbe central drop-rows URL "
                f"{status.centre_id} --events …), or ship this file's whole history anew "
                "as a new generation: novbe central reship")
    elif not status.pending:
        ctx.out("  up to date: nothing waiting to be shipped")
    if ctx.config.bookings.enabled:
        from server.shipping.bookings_link import status_line
        ctx.out("  " + status_line(ctx.db_path, now))
    return 0 if whole else 1


def central_status(ctx: Any) -> int:
    """`novbe central status URL`: every centre's central copy as the owner sees it."""
    from central.facts import known_centres
    from central.health import health
    from central.reports import central_reader

    _warn_tls(ctx.args.url)
    from central.bookings.desk_view import pull_lines

    with central_reader(ctx.args.url, refresh_facts=False) as conn:
        found = health(conn, known_centres(conn))
        pulls = pull_lines(conn, time.time())
    if ctx.args.json:
        ctx.out(json.dumps([h.to_json() for h in found], ensure_ascii=False))
        return 0 if all(h.complete for h in found) else 1
    for h in found:
        when = (h.refreshed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
                if h.refreshed_at else "never")
        older = f", {h.generations - 1} older kept apart" if h.generations > 1 else ""
        shipped = (f"{h.events} events of history {h.generation or '(from before generations)'}"
                   f"{older}" if h.generations else "nothing shipped yet")
        ctx.out(f"{h.centre_id}: {'complete' if h.complete else 'INCOMPLETE'} — {shipped}; "
                f"refreshed {when}")
        if h.centre_id in pulls:
            ctx.out(f"  {pulls[h.centre_id]}")
        if h.problem:
            ctx.out(f"  refresh failed: {h.problem}")
        if h.set_aside:
            ctx.out(f"  set aside: {h.set_aside.get('event', 0)} events, "
                    f"{h.set_aside.get('config', 0)} config versions, each with its reason:")
        for what, ref, reason in h.set_aside_rows:
            ctx.out(f"    {what} {ref}: {reason}")
        for problem, n in sorted(h.alerts.items()):
            said = ("differ from the centre's own" if problem == "differs"
                    else "lie beyond the centre's newest event")
            ctx.out(f"  shipping alert: {n} events here {said}")
        if not h.complete:
            ctx.out(f"  to drop them: novbe central drop-rows URL {h.centre_id} --set-aside "
                    "[--events IDS]")
    if not found:
        ctx.out("no centres yet")
    return 0 if all(h.complete for h in found) else 1


def cmd_drop_rows(ctx: Any) -> int:
    from central.upkeep import drop_rows, parse_ids

    a = ctx.args
    _warn_tls(a.url)
    spans = parse_ids(a.events) if a.events else []
    dropped = drop_rows(a.url, a.centre_id, set_aside=a.set_aside, events=spans,
                        old_generations=a.old_generations)
    ctx.out(f"dropped {dropped.events} events, {dropped.configs} config versions and "
            f"{dropped.generations} older histories of centre {a.centre_id}; its figures are "
            "folded again by the next refresh, and the centre ships its own rows again when it "
            "next connects (novbe central push on the centre: now)")
    return 0


def cmd_reship(ctx: Any) -> int:
    from shared.store import identity

    _settings(ctx)                    # a centre that ships nowhere is told so first
    with ctx.queue.writer.borrowed() as conn:
        generation = identity.renew(conn, ctx.db_path)
    ctx.out(f"this file's history ships anew as generation {generation} (the central copy keeps "
            "the old one apart); a running server's shipper takes it up by itself")
    return cmd_push(ctx)


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


def national_report_for(args: Any) -> Any:
    """`novbe report --central URL --centres …`: the report over those centres, with the
    centres side by side as its second table (id `centres`)."""
    from datetime import datetime

    from central.health import centre_name
    from central.reports import (
        central_reader,
        compare_centres,
        incompleteness,
        mark_incomplete,
        national_report,
        pick_centres,
        template_config,
    )
    from shared.reports.dialect import POSTGRES
    from shared.reports.figures import known_values
    from shared.reports.request import make_request

    _warn_tls(args.central)
    with central_reader(args.central) as conn:
        chosen = pick_centres(conn, args.centres)
        config = template_config(conn, chosen)
        today = datetime.now(config.tz).date()
        known = known_values(conn, "staff", POSTGRES)
        request = make_request(config, args.first or today.replace(day=1), args.last or today,
                               args.by, services=args.service, categories=args.category,
                               priorities=args.priority, counters=args.counter,
                               staff=args.staff, known_staff=known)
        report = national_report(conn, request, chosen, args.lang)
        side = compare_centres(conn, request, chosen, args.lang, together=report.summary)
        report.tables.insert(1, side.table)
        names = {c: centre_name(conn, c, args.lang) for c in chosen}
        mark_incomplete(report, incompleteness(conn, chosen, args.lang), names, args.lang)
    return report


def cmd_refresh(ctx: Any) -> int:
    from central.facts import refresh
    from central.reports import central_reader

    _warn_tls(ctx.args.url)
    from central.bookings.erasure import erase_due

    with central_reader(ctx.args.url, refresh_facts=False) as conn:
        started = time.perf_counter()
        done = refresh(conn)
        erased = erase_due(conn, time.time())
        conn.commit()
    if erased:
        ctx.out(f"names and phone numbers of {erased} bookings past their keeping time erased")
    ctx.out(f"report facts refreshed in {time.perf_counter() - started:.1f} s: "
            + (", ".join(f"{c} {r.days} days" for c, r in done.items()
                         if r.problem is None) or "no centres"))
    for centre, r in done.items():
        if r.problem is not None:
            ctx.out(f"  {centre}: FAILED, its figures are as before: {r.problem}")
        elif r.set_aside:
            ctx.out(f"  {centre}: {r.set_aside} rows set aside, its figures are incomplete "
                    "(novbe central status URL)")
    return 1 if any(r.problem for r in done.values()) else 0


def cmd_serve(ctx: Any) -> int:
    import uvicorn

    from central.app import create_central_app
    from server.auth.accounts import Accounts

    url = ctx.args.url
    _warn_tls(url)
    central_schema.centres(url)          # reachable and initialised, or a clear message now
    accounts = Accounts(ctx.db_path)
    if not accounts.staff_names():
        raise CentralError(f"no agency users in {ctx.db_path}: add one with "
                           f"novbe --db {ctx.db_path} staff add NAME --role manager")
    app = create_central_app(url, accounts, secure_cookies=ctx.args.secure_cookies)
    host, port = ctx.args.host, ctx.args.port
    ctx.out(f"Növbə national reports on http://{host}:{port}/ over {redact(url)}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
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
    a = add("add-portal", cmd_add_portal, "give a booking portal a token for the bookings API "
            "(a new token replaces the portal's old one)")
    a.add_argument("url", help="the owner's postgresql:// URL")
    a.add_argument("name")
    a.add_argument("--centres", metavar="IDS", help="only these centres, e.g. nord,sud")
    add("centres", cmd_centres, "list the centres of the central database").add_argument("url")
    a = add("status", cmd_status, "on a centre: how far behind the central copy of its events "
            "is; with the owner's URL: every centre's copy, rows set aside and alerts (exit 1 "
            "when not reachable or not whole)")
    a.add_argument("url", nargs="?", help="the central database (the owner's or a reader's URL)")
    a.add_argument("--json", action="store_true")
    a = add("drop-rows", cmd_drop_rows, "drop a centre's rows that cannot be counted (as the "
            "owner); the centre ships its own again")
    a.add_argument("url", help="the owner's postgresql:// URL")
    a.add_argument("centre_id")
    a.add_argument("--set-aside", action="store_true",
                   help="the rows its current history has set aside (see central status URL)")
    a.add_argument("--events", metavar="IDS", help="these event ids of its current history, "
                   "e.g. 5,7,100-120 (those its shipper could not place or found different)")
    a.add_argument("--old-generations", action="store_true",
                   help="every history of the centre but the current one")
    add("reship", cmd_reship, "on a centre: ship this file's whole history anew as a new "
        "generation (the central copy keeps the old one apart)")
    add("push", cmd_push, "ship this centre's events to the central database now")
    add("refresh", cmd_refresh, "fold newly shipped events into the national report facts "
        "(as the owner; e.g. every few minutes from cron)").add_argument("url")
    a = add("serve", cmd_serve, "the national reports page and the 142 booking desk for "
            "signed-in agency users (accounts: novbe --db FILE staff add NAME --role manager "
            "or --role booking), and the portals' booking API")
    a.add_argument("url", help="the central database (a reader's URL; the owner's also refreshes)")
    a.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    a.add_argument("--port", type=int, default=8710, help="port (default 8710)")
    a.add_argument("--secure-cookies", action="store_true",
                   help="mark the session cookie Secure (behind an HTTPS proxy)")
