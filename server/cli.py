"""`novbe serve`, `novbe staff …`, `novbe device …` — the server's commands."""

from __future__ import annotations

import getpass
import logging
import sys
from typing import Any

from server.auth.accounts import DEVICE_ROLES, STAFF_ROLES, AccountError, Accounts
from server.http.limits import MAX_CONNECTIONS, MAX_PER_ADDRESS
from shared.config.setup_checks import serve_warnings

log = logging.getLogger(__name__)


# A counter action or a kiosk's issue that cannot have the database within this is answered
# 503 at once (the kiosk retries with its request id) rather than holding a thread for 10 s.
WRITE_DEADLINE_S = 2.0


def _accounts(ctx: Any) -> Accounts:
    return Accounts(ctx.db_path)  # opening it creates / migrates the database


def _read_password(ctx: Any) -> str:
    if ctx.args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {ctx.args.name}: ")
        if getpass.getpass("again: ") != password:
            raise AccountError("the two passwords differ")
    return password


def serve_options(args: Any) -> Any:
    """The ServeOptions `novbe serve`'s arguments ask for (refusing half a TLS pair)."""
    from server.http.limits import Limits
    from server.http.serving import ServeOptions

    if bool(args.certfile) != bool(args.keyfile):
        raise AccountError("HTTPS needs both --certfile and --keyfile")
    limits = Limits(max_connections=args.max_connections,
                    max_per_address=args.max_connections_per_address)
    return ServeOptions(args.host, args.port, args.certfile, args.keyfile,
                        args.forwarded_allow_ips, limits)


def cmd_serve(ctx: Any) -> int:
    from server.app import create_app
    from server.http.serving import prepare, serve

    options = prepare(serve_options(ctx.args))
    host, port = options.host, options.port
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: other machines of the network can reach the server", host)
        if options.certfile is None and options.forwarded_allow_ips is None:
            log.warning("no --certfile/--keyfile: staff passwords cross the network in clear "
                        "(use HTTPS, or a reverse proxy with TLS: see the README)")
    ctx.write_timeout_s = WRITE_DEADLINE_S
    app = create_app(ctx.queue, ctx.config, db_path=ctx.db_path, limits=options.limits,
                     secure_cookies=options.certfile is not None)
    shown = f"[{host}]" if ":" in host else host
    ctx.out(f"Növbə server on {options.scheme}://{shown}:{port}  — counter console /counter, "
            "API docs /docs")
    if ctx.config.public_url:
        ctx.out(f"phones open their tickets at {ctx.config.public_url}/t/…")
    for warning in serve_warnings(ctx.config, host, port):
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    serve(app, options)
    return 0


def cmd_staff(ctx: Any) -> int:
    accounts = _accounts(ctx)
    try:
        action, name = ctx.args.staff_action, str(getattr(ctx.args, "name", ""))
        if action == "list":
            for staff, role in accounts.staff_roles().items():
                ctx.out(f"{staff}\t{role}")
        elif action == "add":
            accounts.add_staff(name, _read_password(ctx), ctx.args.role)
            ctx.out(f"staff member {name} ({ctx.args.role}) added")
        elif action == "role":
            accounts.set_role(name, ctx.args.role_name)
            ctx.out(f"staff member {name} is now {ctx.args.role_name}")
        elif action == "passwd":
            accounts.set_password(name, _read_password(ctx))
            ctx.out(f"password of {name} changed; their sessions are signed out")
        elif action == "remove":
            accounts.remove_staff(name)
            ctx.out(f"staff member {name} removed")
    finally:
        accounts.close()
    return 0


def _counter_list(ctx: Any, text: str | None) -> list[str]:
    """Counter ids from "3,4,5", each one a counter of the centre config."""
    if not text:
        return []
    counters = [c.strip() for c in text.split(",") if c.strip()]
    for counter in counters:
        ctx.config.counter(counter)       # UnknownCounter names it
    return counters


def cmd_device(ctx: Any) -> int:
    accounts = _accounts(ctx)
    try:
        action, name = ctx.args.device_action, str(getattr(ctx.args, "name", ""))
        if action == "list":
            held = accounts.device_counters()
            for device, role in accounts.device_roles().items():
                named = f"\tcounters {','.join(held.get(device, [])) or '-'}" \
                    if role == "counter" else ""
                ctx.out(f"{device}\t{role}{named}")
        elif action == "add":
            role = ctx.args.role
            counters = _counter_list(ctx, ctx.args.counters)
            if role == "counter" and not counters:
                raise AccountError("a counter device needs --counters: the counters it may act "
                                   "for, e.g. --counters 3,4")
            token = accounts.add_device(name, role, counters)
            ctx.out(f"device {name} ({role}) added; its token (shown only now, keep it secret):")
            ctx.out(token)
        elif action == "counters":
            counters = _counter_list(ctx, ctx.args.counters)
            accounts.set_device_counters(name, counters)
            ctx.out(f"device {name} may act for counters {', '.join(counters) or 'none'}")
        elif action == "remove":
            accounts.remove_device(name)
            ctx.out(f"device {name} removed; its token no longer works")
    finally:
        accounts.close()
    return 0


def register(subparsers: Any) -> None:
    """Add serve, staff and device to the novbe command line."""
    p = subparsers.add_parser("serve", help="run the server (counter console, phone page, API)",
                              description="Run the Növbə server over the queue database.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8700, help="port (default 8700)")
    p.add_argument("--certfile", metavar="PEM", help="serve HTTPS with this certificate "
                   "(chain) file; needs --keyfile")
    p.add_argument("--keyfile", metavar="PEM", help="the certificate's private key file")
    p.add_argument("--forwarded-allow-ips", metavar="ADDRS", default=None,
                   help="comma-separated addresses of reverse proxies whose X-Forwarded-For "
                        "and X-Forwarded-Proto are trusted (default: none — the headers are "
                        "ignored)")
    p.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS, metavar="N",
                   help=f"open connections at most, event streams included (default "
                        f"{MAX_CONNECTIONS}; lowered to fit the open-file limit)")
    p.add_argument("--max-connections-per-address", type=int, default=MAX_PER_ADDRESS,
                   metavar="N", help=f"open connections from one client address at most "
                                     f"(default {MAX_PER_ADDRESS}; 0: no cap — behind a "
                                     "reverse proxy every client has the proxy's address)")
    p.set_defaults(func=cmd_serve)

    p = subparsers.add_parser("staff", help="staff accounts of the counter console",
                              description="Add, change or remove staff accounts.")
    sub = p.add_subparsers(dest="staff_action", required=True, metavar="ACTION")
    for action, text in (("add", "add a staff account"), ("passwd", "change a password")):
        a = sub.add_parser(action, help=text, description=text)
        a.add_argument("name")
        a.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of stdin (no prompt)")
        if action == "add":
            a.add_argument("--role", choices=STAFF_ROLES, default="counter",
                           help="counter (default), manager (the manager's view and reports), "
                                "volunteer (only the /assist page: tickets for visitors, help "
                                "requests), it (the devices page) or reception (the booking "
                                "desk /desk)")
    a = sub.add_parser("role", help="change a staff member's role",
                       description="Make a staff member a manager, a volunteer, or counter "
                                   "staff again.")
    a.add_argument("name")
    a.add_argument("role_name", metavar="ROLE", choices=STAFF_ROLES, help="counter, manager, volunteer, it or reception")
    sub.add_parser("remove", help="remove a staff account").add_argument("name")
    sub.add_parser("list", help="list staff accounts")
    p.set_defaults(func=cmd_staff)

    p = subparsers.add_parser("device", help="device tokens of remote kiosks, boards, counters",
                              description="Add or remove device tokens.")
    sub = p.add_subparsers(dest="device_action", required=True, metavar="ACTION")
    a = sub.add_parser("add", help="add a device and print its token once",
                       description="Add a device and print its token once. Its role says what "
                                   "the token may do: a kiosk issues tickets and reports its "
                                   "printer, a board only reads, a counter acts for counters.")
    a.add_argument("name")
    a.add_argument("--role", choices=DEVICE_ROLES, default="kiosk",
                   help="kiosk (default), board or counter")
    a.add_argument("--counters", metavar="IDS",
                   help="counter devices: the counters it may act for, comma-separated "
                        "(e.g. 3,4)")
    a = sub.add_parser("counters", help="set the counters a counter device may act for",
                       description="Replace the counters a counter device may act for.")
    a.add_argument("name")
    a.add_argument("counters", metavar="IDS", help="comma-separated counter ids (\"\" for none)")
    sub.add_parser("remove", help="revoke a device's token").add_argument("name")
    sub.add_parser("list", help="list devices")
    p.set_defaults(func=cmd_device)
