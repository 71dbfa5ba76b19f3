"""`novbe report` — a report over a period from the command line: a table in the terminal, or
CSV, XLSX or JSON to a file (or stdout)."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.core.errors import NovbeError
from shared.core.service_day import service_day
from shared.reports.bookings import with_bookings
from shared.reports.export import TERMINAL_WIDTH, to_csv, to_json, to_text, to_xlsx
from shared.reports.facts import FactStore
from shared.reports.figures import known_values
from shared.reports.report import Report, build_report
from shared.reports.request import GROUPINGS, make_request

FORMATS = ("table", "csv", "xlsx", "json")


def _staff_names(db_path: Path) -> set[str]:
    from server.auth.accounts import Accounts

    accounts = Accounts(db_path)
    try:
        return set(accounts.staff_names())
    finally:
        accounts.close()


def cmd_report(ctx: Any) -> int:
    args = ctx.args
    if args.format == "xlsx" and not args.out:
        raise NovbeError("--format xlsx writes a workbook: name it with --out FILE")
    if args.central:
        from central.cli import national_report_for

        return _write(ctx, national_report_for(args))
    return _write(ctx, _centre_report(ctx))


def _centre_report(ctx: Any) -> Report:
    """This centre's report, from its own queue file."""
    args = ctx.args
    if not ctx.db_path.exists():
        raise NovbeError(f"no queue database at {ctx.db_path}")
    config = ctx.config
    now = time.time()
    today = service_day(datetime.fromtimestamp(now, UTC), config.tz, config.day_reset_hour)
    facts = FactStore(ctx.db_path, config)
    try:
        facts.refresh(now)
        known = _staff_names(ctx.db_path) | known_values(facts.conn, "staff")
        req = make_request(config, args.first or today.replace(day=1), args.last or today,
                           args.by, services=args.service, categories=args.category,
                           priorities=args.priority, counters=args.counter, staff=args.staff,
                           known_staff=known)
        report = build_report(facts.conn, config, req, args.lang)
    finally:
        facts.close()
    return with_bookings(report, ctx.db_path, config)          # appointments


def _write(ctx: Any, report: Report) -> int:
    """The report in the asked format, to --out or stdout."""
    args, req = ctx.args, report.request
    table = args.table or f"by_{req.by}"
    if args.format == "xlsx":
        Path(args.out).write_bytes(to_xlsx(report))
        ctx.out(f"wrote {args.out}")
        return 0
    if args.format == "csv":
        text = to_csv(report, table)
    elif args.format == "json":
        text = json.dumps(to_json(report), ensure_ascii=False, indent=1) + "\n"
    else:
        tables = [t.id for t in report.tables] if args.table == "all" else ["summary", table]
        head = f"{report.centre} — {req.first_day} … {req.last_day}\n\n"
        width = None if args.wide else TERMINAL_WIDTH
        text = head + "\n".join(to_text(report, t, width) for t in tables)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8")
        ctx.out(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


def register(subparsers: Any) -> None:
    """Add `report` to the novbe command line."""
    p = subparsers.add_parser(
        "report", help="a report over a period (table, CSV, XLSX or JSON)",
        description="Figures of a period from the event log: visitors, waits, walk-up and "
                    "service times, within-target share, per counter and staff, satisfaction, "
                    "and how true the printed waits were.")
    p.add_argument("--from", dest="first", metavar="DATE",
                   help="first service day, YYYY-MM-DD (default: the 1st of this month)")
    p.add_argument("--to", dest="last", metavar="DATE", help="last service day (default: today)")
    p.add_argument("--by", choices=GROUPINGS, default="service", help="grouping (default service)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output (default table)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--table", metavar="ID",
                   help="which table for csv/table (default: by the grouping; 'all' in table "
                        "format prints every table)")
    p.add_argument("--wide", action="store_true",
                   help=f"table format: every column on one line per row (by default tables "
                        f"fit {TERMINAL_WIDTH} columns: wide ones in pieces repeating the "
                        "row labels)")
    p.add_argument("--lang", choices=("az", "ru", "en"), default="az", help="language (default az)")
    for name, what in (("service", "service id"), ("category", "category id"),
                       ("priority", "priority class id, or 'none'"), ("counter", "counter id"),
                       ("staff", "staff member")):
        p.add_argument(f"--{name}", action="append", metavar=name.upper(),
                       help=f"only this {what} (repeatable)")
    p.add_argument("--central", metavar="URL",
                   help="national report from the central PostgreSQL (postgresql://…) instead "
                        "of this centre's file")
    p.add_argument("--centres", default="all", metavar="IDS",
                   help="with --central: 'all' (default) or centre ids, comma-separated")
    p.set_defaults(func=cmd_report)
