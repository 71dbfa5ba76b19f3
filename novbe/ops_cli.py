"""The commands IT runs on a centre's machines: `novbe doctor [--role R]` (the machine's checks,
one line each, and an exit code for monitoring: 0 all well, 1 something to look at, 2 the role
cannot work), `novbe upgrade-db` (the package's upgrade step: back up, migrate, check, or put
the file back) and `novbe upgrade-check` (its health check: the new server answers on the file)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from novbe.doctor import CHECKS, ROLES, Machine, check_names, examine, serving_url, verdict
from novbe.upgrade import UpgradeFailed, check_serves, upgrade_database
from shared.exit_codes import FAILED


def cmd_doctor(ctx: Any) -> int:
    a = ctx.args
    backup_dir = a.backup_dir or os.environ.get("NOVBE_BACKUP_DIR")
    unknown = set(a.skip) - set(check_names(a.role))
    if unknown:
        print(f"novbe doctor: no check {', '.join(sorted(unknown))} for the {a.role} role "
              f"(its checks: {', '.join(check_names(a.role))})", file=sys.stderr)
        return FAILED
    serving = a.server if a.role == "server" and a.server else serving_url(
        os.environ.get("NOVBE_HOST"), os.environ.get("NOVBE_PORT"))
    machine = Machine(
        role=a.role, db=ctx.db_path, config=ctx.config_path, serving=serving,
        server=a.server or os.environ.get("NOVBE_SERVER"),
        token=a.token or os.environ.get("NOVBE_TOKEN"),
        printer=a.printer or os.environ.get("NOVBE_PRINTER"),
        backup_dir=Path(backup_dir) if backup_dir else None,
        central_url=a.central_url or os.environ.get("NOVBE_CENTRAL_URL"))
    found = examine(machine, frozenset(a.skip))
    if a.json:
        ctx.out(json.dumps({"role": a.role, "exit": verdict(found),
                            "checks": [f.__dict__ for f in found]}, ensure_ascii=False))
    else:
        for f in found:
            ctx.out(f.line())
    return verdict(found)


def cmd_upgrade_db(ctx: Any) -> int:
    try:
        done = upgrade_database(ctx.db_path, ctx.config_path, ctx.args.backup_to)
    except UpgradeFailed as exc:
        ctx.out(f"upgrade failed: {exc}")
        return FAILED
    if done.backup is None:
        ctx.out(f"no queue file at {ctx.db_path} yet: nothing to upgrade")
    else:
        ctx.out(f"upgraded {ctx.db_path}: {', '.join(done.applied) or 'no migration needed'}; "
                f"backup {done.backup}")
    return 0


def cmd_upgrade_check(ctx: Any) -> int:
    if not ctx.db_path.exists():
        ctx.out(f"health check failed: no queue file at {ctx.db_path}")
        return FAILED
    try:
        version = check_serves(ctx.db_path, ctx.config_path, ctx.args.seconds)
    except UpgradeFailed as exc:
        ctx.out(f"health check failed: {exc}")
        return FAILED
    ctx.out(f"health check passed: the server {version} answers on {ctx.db_path}")
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "doctor", help="check this machine for its role and say what is wrong",
        description="Check this machine for its role (printer and paper, audio and voices, the "
                    "server and the token, the clock, disk, database and last backup). Exit "
                    "code: 0 all well, 1 something to look at, 2 the role cannot work.")
    p.add_argument("--role", choices=ROLES,
                   default=os.environ.get("NOVBE_ROLE") or "server",
                   help="what this machine is (env NOVBE_ROLE, default server)")
    p.add_argument("--server", metavar="URL", help="the centre's server (env NOVBE_SERVER); for "
                   "the server role, where this machine's own server answers (default "
                   "NOVBE_HOST:NOVBE_PORT)")
    p.add_argument("--token", metavar="T", help="this device's token (env NOVBE_TOKEN)")
    p.add_argument("--printer", metavar="URL", help="the kiosk's printer (env NOVBE_PRINTER)")
    p.add_argument("--backup-dir", metavar="DIR", help="where backups are copied "
                   "(env NOVBE_BACKUP_DIR)")
    p.add_argument("--central-url", metavar="URL", help="the central PostgreSQL "
                   "(env NOVBE_CENTRAL_URL)")
    p.add_argument("--json", action="store_true", help="the findings as JSON")
    p.add_argument("--skip", action="append", default=[], metavar="CHECK",
                   choices=sorted({n for role in CHECKS for n in check_names(role)}),
                   help="leave a check out (repeatable), e.g. serving while the package "
                        "upgrades the stopped server")
    p.set_defaults(func=cmd_doctor)
    p = subparsers.add_parser(
        "upgrade-db", help="the package's upgrade step: back up, migrate and check the queue "
                           "file, or put it back as it was",
        description="Back up the queue file, migrate it with this program and check it; if "
                    "anything fails the backup is put back byte for byte (exit 2).")
    p.add_argument("--backup-to", type=Path, metavar="FILE",
                   help="the backup's name (default: a timestamped name beside the file)")
    p.set_defaults(func=cmd_upgrade_db)
    p = subparsers.add_parser(
        "upgrade-check", help="the package's health check: start this program's server on the "
                              "queue file and see it answer",
        description="Start this program's server on the queue file (on a free port of "
                    "127.0.0.1, apart from the centre's own) and wait for /api/health to answer "
                    "with this version; exit 2 if it does not.")
    p.add_argument("--seconds", type=float, default=60.0,
                   help="how long the server may take to answer (default 60)")
    p.set_defaults(func=cmd_upgrade_check)
