"""`novbe serve`, `novbe staff …`, `novbe device …` — the server's commands."""

from __future__ import annotations

import getpass
import logging
import sys
from typing import Any

from server.accounts import DEVICE_ROLES, STAFF_ROLES, AccountError, Accounts

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


def cmd_serve(ctx: Any) -> int:
    import uvicorn

    from server.app import create_app

    host, port = ctx.args.host, ctx.args.port
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: other machines of the network can reach the server", host)
    ctx.write_timeout_s = WRITE_DEADLINE_S
    app = create_app(ctx.queue, ctx.config, db_path=ctx.db_path)
    shown = f"[{host}]" if ":" in host else host
    ctx.out(f"Növbə server on http://{shown}:{port}  — counter console /counter, API docs /docs")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=3, timeout_keep_alive=30)
    return 0


def cmd_staff(ctx: Any) -> int:
    accounts = _accounts(ctx)
    try:
        action, name = ctx.args.staff_action, getattr(ctx.args, "name", None)
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


def cmd_device(ctx: Any) -> int:
    accounts = _accounts(ctx)
    try:
        action, name = ctx.args.device_action, getattr(ctx.args, "name", None)
        if action == "list":
            for device, role in accounts.device_roles().items():
                ctx.out(f"{device}\t{role}")
        elif action == "add":
            role = ctx.args.role
            token = accounts.add_device(name, role)
            ctx.out(f"device {name} ({role}) added; its token (shown only now, keep it secret):")
            ctx.out(token)
        elif action == "remove":
            accounts.remove_device(name)
            ctx.out(f"device {name} removed; its token no longer works")
    finally:
        accounts.close()
    return 0


def register(subparsers: Any) -> None:
    """Add serve, staff, device and central to the novbe command line."""
    from server import central_cli

    central_cli.register(subparsers)
    p = subparsers.add_parser("serve", help="run the server (counter console, phone page, API)",
                              description="Run the Növbə server over the queue database.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8700, help="port (default 8700)")
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
                           help="counter (default) or manager (the manager's view and reports)")
    a = sub.add_parser("role", help="change a staff member's role",
                       description="Make a staff member a manager, or counter staff again.")
    a.add_argument("name")
    a.add_argument("role_name", metavar="ROLE", choices=STAFF_ROLES, help="counter or manager")
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
    sub.add_parser("remove", help="revoke a device's token").add_argument("name")
    sub.add_parser("list", help="list devices")
    p.set_defaults(func=cmd_device)
