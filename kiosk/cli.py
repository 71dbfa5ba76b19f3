"""The kiosk's commands: `novbe kiosk`, `novbe reprint CODE --print URL`, and the printing half
of `novbe issue SERVICE --print URL` (print_issued)."""

from __future__ import annotations

import os
import sys
from typing import Any

from shared.core.errors import NovbeError, QueueUnavailable
from shared.core.model import Ticket
from shared.exit_codes import FAILED, NOT_PRINTED

# The printing modules (escpos and its capability database: ~0.15 s) are imported only by the
# commands that print, so `novbe status` and `novbe issue` start fast.


def register(sub: Any) -> None:
    """Add the kiosk's commands to the `novbe` CLI."""
    p = sub.add_parser("kiosk", help="run the touchscreen ticket kiosk",
                       description="Run the ticket kiosk: full screen and locked down unless "
                                   "--windowed; staff exit with 5 taps in the top-left corner and "
                                   "the PIN from the config.")
    p.add_argument("--printer", metavar="URL", default=os.environ.get("NOVBE_PRINTER") or None,
                   help="printer URL (env NOVBE_PRINTER; overrides [kiosk] printer): usb://VID:PID, tcp://HOST:9100, "
                        "serial:///dev/ttyUSB0?baudrate=9600, file:///dev/usb/lp0, cups://NAME, "
                        "win32://NAME, preview://FOLDER, dummy://")
    p.add_argument("--windowed", action="store_true", help="a normal window (development)")
    p.add_argument("--server", metavar="URL", default=os.environ.get("NOVBE_SERVER") or None,
                   help="use the centre's server instead of --db (env NOVBE_SERVER)")
    p.add_argument("--token", metavar="T", default=os.environ.get("NOVBE_TOKEN") or None,
                   help="the kiosk's device token for --server (env NOVBE_TOKEN)")
    p.add_argument("--kiosk-id", default="kiosk", help="this kiosk's name in events (default: kiosk)")
    p.set_defaults(func=cmd_kiosk)

    p = sub.add_parser("reprint", help="print a ticket of today again",
                       description="Print today's ticket CODE (or any ticket by token) again.")
    p.add_argument("code", metavar="CODE", help="ticket code, e.g. A-015")
    p.add_argument("--print", dest="print_url", metavar="URL", help="printer URL (default: the config's)")
    p.set_defaults(func=cmd_reprint)


class NoPrinterNamed(NovbeError):
    """`novbe kiosk` was given no printer: neither --printer nor the config's [kiosk] printer."""


def kiosk_printer(given: str | None, config: Any, option: str = "--printer") -> str:
    """The printer a kiosk prints to: --printer, else the config's [kiosk] printer when the file
    names one. Never the preview printer by default: tickets would become PNG files while the
    screen says "take your ticket"."""
    url = given or (config.kiosk.printer if config.kiosk.printer_named else "")
    if not url:
        raise NoPrinterNamed(
            f"no printer named; give {option} URL (usb://VID:PID, tcp://HOST:9100, "
            "cups://NAME…) or set [kiosk] printer in the config. For no paper at all, say so "
            f"with {option} preview://FOLDER (each ticket becomes a PNG file in FOLDER)")
    if url.startswith("preview://"):
        print(f"novbe: printing to {url}: each ticket becomes a PNG file in "
              f"{url.removeprefix('preview://') or '.'}, nothing is printed on paper",
              file=sys.stderr, flush=True)
    return url


def cmd_kiosk(ctx: Any) -> int:
    from kiosk.app import run_kiosk  # Qt only when the kiosk really starts

    args = ctx.args
    if args.server:
        from shared.client.remote_queue import connect_device  # httpx only when remote

        queue = connect_device(args.server, args.token, "kiosk")
        try:
            printer = kiosk_printer(args.printer, ctx.config)
        except NoPrinterNamed:
            queue.close()
            raise
        try:
            config = queue.config
        except QueueUnavailable as exc:
            print(f"novbe kiosk: {exc}; using {ctx.config_path} until the server answers",
                  file=sys.stderr)
            config = ctx.config
        # The printer is this kiosk's own (--printer, else its local config): never the
        # server's, whose URL (file://…) would write wherever the server says.
        try:
            _check_setup(config)
            return run_kiosk(queue, config, printer, args.windowed, source=args.kiosk_id)
        finally:
            queue.close()
    _check_setup(ctx.config)
    printer = kiosk_printer(args.printer, ctx.config)
    return run_kiosk(ctx.queue, ctx.config, printer, args.windowed, source=args.kiosk_id)


def _check_setup(config: Any) -> None:
    """Refuse the shipped staff PIN; tell the admin why tickets will have no QR code."""
    from shared.config.setup_checks import qr_warnings, refuse_shipped_pin

    refuse_shipped_pin(config)
    for warning in qr_warnings(config):
        print(f"novbe kiosk: warning: {warning}", file=sys.stderr, flush=True)


def _print(ctx: Any, ticket: Ticket, url: str, failed: str, done: str) -> int:
    """Print `ticket` to `url`: 0 when printed, the error's exit code if not (the ticket stays
    valid either way: it was committed before printing)."""
    from kiosk.printing import BadPrinterURL, PrinterError
    from kiosk.spooler import print_now

    try:
        print_now(ctx.queue, ctx.config, ticket, url, source="cli")
    except PrinterError as exc:
        print(f"novbe: ticket {ticket.code} {failed}: {exc}", file=sys.stderr)
        return FAILED if isinstance(exc, BadPrinterURL) else NOT_PRINTED
    ctx.note(f"{done} {ticket.code} → {url}")
    return 0


def print_issued(ctx: Any, ticket: Ticket, url: str) -> int:
    """Print a ticket just issued from the CLI (`novbe issue SERVICE --print URL`)."""
    return _print(ctx, ticket, url, "is issued but was not printed", "printed")


def cmd_reprint(ctx: Any) -> int:
    ticket = ctx.queue.ticket(ctx.args.code)
    return _print(ctx, ticket, kiosk_printer(ctx.args.print_url, ctx.config, "--print"),
                  "was not printed", "reprinted")
