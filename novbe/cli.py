"""`novbe` — the command line for admins, scripts and the demo."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from novbe.machine_settings import SettingsUnreadable, load_machine_settings
from shared.config.centre import CentreConfig, load_config
from shared.core.errors import ConfigError, NoTicketWaiting, NovbeError
from shared.core.local_queue import LocalQueue
from shared.core.model import FINISH_OUTCOMES, Ticket
from shared.core.outcome_text import recorded
from shared.exit_codes import FAILED, exit_code
from shared.logs import setup_logging
from shared.paths import data_dir, default_config, default_db_path


class Context:
    """What a command needs: the parsed args, the config and (lazily) the queue."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self._config: CentreConfig | None = None
        self._queue: LocalQueue | None = None
        self.write_timeout_s: float | None = None   # the server sets a short one
        # The whole-file check for commands that stay open or make the file (serve, kiosk,
        # board, init, backup); a one-shot command checks the header and meets any damage.
        self.verify = args.command in ("init", "backup", "serve", "kiosk", "board", "demo")

    @property
    def db_path(self) -> Path:
        return Path(self.args.db) if self.args.db else default_db_path()

    @property
    def config_path(self) -> Path:
        return Path(self.args.config) if self.args.config else default_config()

    @property
    def config(self) -> CentreConfig:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def queue(self) -> LocalQueue:
        if self._queue is None:
            extra: dict[str, Any] = {"verify": self.verify}
            if self.write_timeout_s:
                extra["write_timeout_s"] = self.write_timeout_s
            self._queue = LocalQueue(self.db_path, self.config, **extra)
        return self._queue

    def out(self, text: str = "") -> None:
        print(text, flush=True)

    def note(self, text: str) -> None:
        """A line for the person at the terminal: on stdout, or on stderr when stdout carries
        --json (so `novbe … --json | tool` reads pure JSON)."""
        print(text, file=sys.stderr if getattr(self.args, "json", False) else sys.stdout, flush=True)

    def print_ticket(self, ticket: Ticket) -> None:
        if self.args.json:
            self.out(json.dumps(ticket.to_json(include_token=True), ensure_ascii=False))
        else:
            where = f" → counter {ticket.counter}" if ticket.counter and ticket.status in ("called", "serving") else ""
            self.out(f"{ticket.code}  {ticket.service}  {ticket.status}{where}  "
                     f"ahead {ticket.ahead}, ~{ticket.estimated_wait_min} min")


Command = Callable[[Context], int | None]


def _cmd_init(ctx: Context) -> int:
    ctx.queue.last_event_id()  # opening the queue creates or migrates the file
    ctx.out(f"queue database ready: {ctx.db_path}")
    return 0


def _cmd_services(ctx: Context) -> int:
    cfg = ctx.config
    if ctx.args.json:
        ctx.out(json.dumps([{"id": s.id, "category": s.category, "prefix": s.prefix,
                             "names": s.names, "service_min": s.service_min,
                             "target_wait_min": s.target_wait_min, "daily_cap": s.daily_cap}
                            for s in cfg.services.values()], ensure_ascii=False, indent=1))
        return 0
    for cat in cfg.categories:
        ctx.out(f"{cat.prefix}  {cat.id}  — {cat.name('az')}")
        for svc in cat.services:
            if svc.id != cat.id:
                ctx.out(f"     {svc.id}  — {svc.name('az')}")
    return 0


def _cmd_check_config(ctx: Context) -> int:
    from shared.config.setup_checks import config_warnings

    cfg = load_config(ctx.args.file)
    ctx.out(f"{ctx.args.file}: OK — {len(cfg.categories)} categories, {len(cfg.services)} services, "
            f"{len(cfg.priorities)} priority classes, {len(cfg.counters)} counters")
    for warning in config_warnings(cfg):
        ctx.out(f"warning: {warning}")
    return 0


def _cmd_issue(ctx: Context) -> int:
    ticket = ctx.queue.issue(ctx.args.service, priority=ctx.args.priority, language=ctx.args.lang,
                             source="cli")
    ctx.print_ticket(ticket)
    if ctx.args.print_url:
        from kiosk.cli import print_issued

        return print_issued(ctx, ticket, ctx.args.print_url)
    return 0


def _counter_queue(ctx: Context) -> Any:
    """The queue a counter command acts on: the local file, or with --server the centre's
    server as a counter PC (its device token acts only for the counters it names)."""
    if not ctx.args.server:
        return ctx.queue
    from shared.client.remote_queue import connect_device  # httpx only when remote

    return connect_device(ctx.args.server, ctx.args.token or os.environ.get("NOVBE_TOKEN"),
                          "counter PC")


def _counter_cmd(op: str) -> Command:
    def run(ctx: Context) -> int:
        q = _counter_queue(ctx)
        expect = ctx.args.expect
        try:
            if op == "call":
                ticket = q.call_next(ctx.args.counter, expect=expect)
            elif op == "transfer":
                ticket = q.transfer(ctx.args.counter, ctx.args.service, expect=expect)
            elif op == "finish":
                ticket = q.finish(ctx.args.counter, ctx.args.outcome, expect=expect)
            else:
                ticket = getattr(q, op)(ctx.args.counter, expect=expect)
        except NoTicketWaiting as exc:      # Next ended a visit, then found nobody: say both
            if exc.ended is not None:
                ctx.out(json.dumps({"ended": exc.ended.to_json()}) if ctx.args.json
                        else recorded("en", exc.ended))
            raise
        finally:
            if q is not ctx._queue:
                q.close()
        if ticket.ended is not None and not ctx.args.json:
            ctx.out(recorded("en", ticket.ended))
        if op not in ("finish", "no_show") or ctx.args.json:
            ctx.print_ticket(ticket)
        return 0
    return run


def _cmd_correct(ctx: Context) -> int:
    q = _counter_queue(ctx)
    try:
        ended = q.correct(ctx.args.counter, ctx.args.ticket, ctx.args.outcome)
    finally:
        if q is not ctx._queue:
            q.close()
    ctx.out(json.dumps(ended.to_json()) if ctx.args.json else recorded("en", ended))
    return 0


def _cmd_backup(ctx: Context) -> int:
    from shared.store import backups
    from shared.store import database as store

    target = Path(ctx.args.file) if ctx.args.file else store.backup_path(ctx.db_path)
    if ctx.args.file and target.exists():
        raise NovbeError(f"{target} exists already: name a new file")
    made = ctx.queue.backup(target)             # from a reader: writers go on meanwhile
    ctx.out(str(made))
    if ctx.args.keep_days:
        for gone in backups.prune(ctx.db_path, ctx.args.keep_days):
            ctx.out(f"deleted {gone.name} (older than {ctx.args.keep_days} days)")
    copy_to = ctx.args.copy_to or os.environ.get("NOVBE_BACKUP_DIR")
    if copy_to:
        ctx.out(f"copied to {backups.copy_off(made, copy_to)}")
    return 0


def _cmd_restore(ctx: Context) -> int:
    from shared.store import database as store

    aside = store.restore(Path(ctx.args.file), ctx.db_path)
    moved = f"; the damaged file was moved aside to {aside}" if aside else ""
    ctx.out(f"restored {ctx.db_path} from {ctx.args.file}{moved}")
    return 0


def _cmd_status(ctx: Context) -> int:
    snap = ctx.queue.snapshot()
    if ctx.args.json:
        ctx.out(json.dumps({
            "service_day": snap.service_day,
            "waiting": {s.id: s.waiting for s in snap.services},
            "counters": [c.to_json() for c in snap.counters],
        }, ensure_ascii=False))
        return 0
    ctx.out(f"service day {snap.service_day}")
    for s in snap.services:
        if s.waiting:
            ctx.out(f"  {s.id:<40} {s.waiting:>4} waiting, ~{s.estimated_wait_min} min")
    if not any(s.waiting for s in snap.services):
        ctx.out("  nobody waiting")
    for c in snap.counters:
        if c.mode != "closed" or c.ticket:
            current = f"{c.ticket.code} ({c.ticket.status})" if c.ticket else "—"
            ctx.out(f"  counter {c.id:<4} {c.mode:<7} {current}")
    return 0


# Roles add their own subcommands (kiosk, board, serve, say, reprint…): each role's cli module
# has register(subparsers); a command's func takes the Context above. Each command word names
# the one module that registers it, so a role command imports that module only (server.cli
# alone, not psycopg, the reports or httpx of the others: ~0.7 CPU-s less per start); help and
# a mistyped command load every module, to list them all.
ROLE_MODULES: dict[str, str] = {
    "kiosk": "kiosk.cli", "reprint": "kiosk.cli",
    "board": "board.cli", "say": "board.cli",
    "serve": "server.cli", "staff": "server.cli", "device": "server.cli",
    "central": "central.cli",
    "demo": "novbe.demo",
    "report": "novbe.report_cli",
    "doctor": "novbe.ops_cli", "upgrade-db": "novbe.ops_cli", "upgrade-check": "novbe.ops_cli",
    "simulate": "planning.cli", "plan": "planning.cli",
}


def _role_registrars(command: str | None = None) -> list[Callable[[Any], None]]:
    """The register() of the module that owns `command`, or of every role module (in
    ROLE_MODULES's order) for any other word; a module not installed is left out."""
    import importlib

    owner = ROLE_MODULES.get(command or "")
    registrars = []
    for module in ([owner] if owner else list(dict.fromkeys(ROLE_MODULES.values()))):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        registrars.append(mod.register)
    return registrars


EXPECT_HELP = ("act only if the counter still has this ticket ('' for none); "
               "otherwise nothing is done (exit 2)")


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of a command line (after the global --db/--config options)."""
    args = list(argv)
    while args:
        word = args.pop(0)
        if word in ("--db", "--config"):
            args = args[1:]
        elif not word.startswith("-"):
            return word
    return None


def _counter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    p.add_argument("--expect", metavar="CODE", help=EXPECT_HELP)
    p.add_argument("--server", metavar="URL",
                   help="act on the centre's server (a counter PC) instead of --db")
    p.add_argument("--token", metavar="T", help="the counter PC's device token for --server "
                   "(`novbe device add NAME --role counter --counters 3,4`; env NOVBE_TOKEN)")


def build_parser(with_roles: bool = True, command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; without the roles' commands (kiosk, board, serve, report…) for
    a command of this module, whose start-up then imports none of them; with only its own
    module's commands for a role command (`command`)."""
    parser = argparse.ArgumentParser(prog="novbe", description="Növbə — queue system for social-services centres")
    parser.add_argument("--db", help="queue database file (env NOVBE_DB)")
    parser.add_argument("--config", help="centre config TOML (env NOVBE_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=fn)
        return p

    add("init", _cmd_init, "create or migrate the queue database")
    add("services", _cmd_services, "list the services of the centre").add_argument("--json", action="store_true")
    add("check-config", _cmd_check_config, "validate a centre config file").add_argument("file")
    p = add("issue", _cmd_issue, "issue a ticket for a service")
    p.add_argument("service")
    p.add_argument("--priority", help="priority class id")
    p.add_argument("--lang", default="az", choices=["az", "ru", "en"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--print", dest="print_url", metavar="URL", help="print the ticket to this printer URL")
    for name, op, help in (("call", "call", "end the current visit (saying what it recorded) "
                                            "and call the next ticket"),
                           ("recall", "recall", "call the counter's ticket again"),
                           ("start", "start", "start serving the called visitor"),
                           ("finish", "finish", "finish the counter's visit"),
                           ("no-show", "no_show", "the called visitor did not come")):
        p = add(name, _counter_cmd(op), help)
        p.add_argument("counter")
        _counter_options(p)
        if op == "finish":
            p.add_argument("--outcome", default="served", choices=[str(o) for o in FINISH_OUTCOMES],
                           help="how the visit ended: served (default), unresolved (the matter "
                                "was not resolved) or referred (sent to another agency)")
    p = add("correct", _cmd_correct, "put right the outcome recorded moments ago ([visits] "
            "undo_s) for a visit that ended at the counter")
    p.add_argument("counter")
    p.add_argument("ticket", help="the ticket's code")
    p.add_argument("outcome", choices=[*(str(o) for o in FINISH_OUTCOMES), "no_show"])
    _counter_options(p)
    p = add("transfer", _counter_cmd("transfer"), "send the counter's visitor to another service")
    p.add_argument("counter")
    p.add_argument("service")
    _counter_options(p)
    b = add("backup", _cmd_backup, "copy the live queue database consistently (beside it, or to "
            "FILE)")
    b.add_argument("file", nargs="?")
    b.add_argument("--keep-days", type=int, metavar="N",
                   help="delete backups beside the file older than N days (the newest is kept)")
    b.add_argument("--copy-to", metavar="DIR|HOST:PATH",
                   help="also copy the new backup there (env NOVBE_BACKUP_DIR; a host via rsync)")
    add("restore", _cmd_restore, "put a backup in place of the queue database (stop the apps "
        "first; a damaged file is moved aside, never deleted)").add_argument("file")
    add("status", _cmd_status, "waiting per service, current ticket per counter").add_argument("--json", action="store_true")
    if with_roles:
        for register in _role_registrars(command):
            register(sub)
    return parser




def _stdout_closed() -> int:
    """The reader of stdout went away (`novbe services --json | head`): stop quietly, as other
    Unix tools do, instead of printing a BrokenPipeError traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's final flush must not fail again
    return 141  # 128 + SIGPIPE, what a shell reports for a command cut off by its reader


CORE_COMMANDS = ("init", "services", "check-config", "issue", "call", "recall", "start", "finish",
                 "correct", "no-show", "transfer", "backup", "restore", "status")


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        load_machine_settings()
    except SettingsUnreadable as exc:
        print(f"novbe: {exc}", file=sys.stderr)
        return FAILED
    command = _command_of(words)
    parser = build_parser(with_roles=command not in CORE_COMMANDS, command=command)
    args = parser.parse_args(words)
    setup_logging(data_dir(), name="novbe")
    ctx = Context(args)
    try:
        return int(args.func(ctx) or 0)
    except BrokenPipeError:
        return _stdout_closed()
    except ConfigError as exc:
        print("novbe: the centre config is broken:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return FAILED
    except NovbeError as exc:
        print(f"novbe: {exc}", file=sys.stderr)
        return exit_code(exc)
    except sqlite3.Error as exc:
        print(f"novbe: the queue database {ctx.db_path} failed: {exc}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        return 130
    finally:
        if ctx._queue is not None:
            ctx._queue.close()
