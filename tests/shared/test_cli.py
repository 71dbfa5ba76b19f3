"""The `novbe` command line on a real database file: what each command does and says, in this
process (`novbe.cli.main`); a real `python -m novbe` subprocess for each family of commands
(issue, the counter commands, serve), which proves the program starts as a centre runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from shared.waits.closed import OPENING_DELAY_S
from tests.novbe_cli import novbe_in_process

ROOT = Path(__file__).resolve().parents[2]
TICKET_FIELDS = {"code", "service", "number", "status", "counter", "token", "ahead",
                 "estimated_wait_min", "issued_at"}


@pytest.fixture
def novbe(tmp_path):
    """`novbe --db <tmp file> ARGS…` run in this process, returned as a finished process;
    `novbe.real(ARGS…)` runs `python -m novbe` as a subprocess instead."""
    db = tmp_path / "cli.sqlite"

    def words(args: tuple[str, ...], db_flag: bool) -> list[str]:
        return [*(["--db", str(db)] if db_flag else []), *args]

    def run(*args: str, db_flag: bool = True, env: dict[str, str] | None = None):
        return novbe_in_process(words(args, db_flag), env)

    def real(*args: str, db_flag: bool = True):
        return subprocess.run([sys.executable, "-m", "novbe", *words(args, db_flag)], cwd=ROOT,
                              capture_output=True, text=True, timeout=60, env=os.environ)
    run.db = db
    run.real = real
    return run


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line message, got {text!r}"
    return lines[0]


def test_issue_json_has_the_ticket_fields(novbe):
    """`issue --json` prints one object with every ticket field the issue lists."""
    done = novbe.real("issue", "employment.job-seeker", "--json")
    assert done.returncode == 0, done.stderr
    t = json.loads(done.stdout)
    assert set(t) >= TICKET_FIELDS
    assert (t["code"], t["service"], t["number"], t["status"]) == ("A-001", "employment.job-seeker", 1, "waiting")
    # No counter is open yet: nobody is ahead, but the wait is never "none" (issue 13).
    assert t["counter"] is None and t["ahead"] == 0 and t["estimated_wait_min"] > 0
    assert len(t["token"]) >= 22
    assert datetime.fromisoformat(t["issued_at"]).tzinfo is not None

    second = json.loads(novbe("issue", "employment.unemployment", "--lang", "ru", "--json").stdout)
    # counters 1, 2 serve all employment: the job-seeker ticket is ahead of the unemployment one
    assert (second["code"], second["ahead"], second["language"]) == ("A-002", 1, "ru")
    third = json.loads(novbe("issue", "employment.unemployment", "--priority", "elderly", "--json").stdout)
    assert (third["code"], third["priority"], third["ahead"]) == ("A-003", "elderly", 0)
    fourth = json.loads(novbe("issue", "employment.unemployment", "--json").stdout)
    # the 4 counters serving it (none open yet) are expected to open shortly and take the 3
    # ahead and this one at once
    assert fourth["ahead"] == 3 and fourth["estimated_wait_min"] == round(OPENING_DELAY_S / 60)


def test_issue_without_json_prints_one_readable_line(novbe):
    """Plain `issue` prints the code and service on one line."""
    done = novbe("issue", "labour")
    assert done.returncode == 0
    assert one_line(done.stdout).startswith("H-001  labour  waiting")


def test_call_exits_0_then_3_when_nobody_waits(novbe):
    """`call` calls the next ticket (exit 0); with nobody waiting it says so and exits 3, after
    saying what it recorded for the visit it ended."""
    novbe("issue", "pensions.age")
    done = novbe("call", "4", "--json")
    assert done.returncode == 0, done.stderr
    t = json.loads(done.stdout)
    assert (t["code"], t["status"], t["counter"]) == ("B-001", "called", "4")
    empty = novbe("call", "4")
    assert empty.returncode == 3
    assert empty.stdout == "B-001: did not come\n"     # what it recorded before finding nobody
    assert "4" in one_line(empty.stderr) and "nobody is waiting" in empty.stderr


def test_counter_commands_walk_a_visit(novbe):
    """recall, start, finish, no-show and transfer act on the counter's visitor with exit 0."""
    for _ in range(3):
        novbe("issue", "employment.job-seeker")
    assert novbe.real("call", "1").returncode == 0
    recalled = json.loads(novbe.real("recall", "1", "--json").stdout)
    assert recalled["recalls"] == 1
    assert json.loads(novbe("start", "1", "--json").stdout)["status"] == "serving"
    assert json.loads(novbe("finish", "1", "--json").stdout)["status"] == "done"
    novbe("call", "1")
    assert json.loads(novbe("no-show", "1", "--json").stdout)["status"] == "no_show"
    novbe("call", "1")
    moved = json.loads(novbe("transfer", "1", "labour", "--json").stdout)
    assert (moved["code"], moved["service"], moved["status"]) == ("A-003", "labour", "waiting")


def test_counter_commands_say_what_they_recorded(novbe, tmp_path):
    """`call` names what it recorded for the visit it ended (also when nobody waits next);
    `finish --outcome` records unresolved / referred; `correct` puts an outcome right."""
    for _ in range(4):
        novbe("issue", "employment.job-seeker")
    novbe("call", "1")
    quick = novbe("call", "1")                 # at once: within the walk-up time, no Start
    assert quick.returncode == 0, quick.stderr
    assert quick.stdout.splitlines()[0] == "A-001: did not come"
    fixed = novbe("correct", "1", "A-001", "served")
    assert fixed.returncode == 0, fixed.stderr
    assert re.fullmatch(r"A-001: served, \d+:\d\d", one_line(fixed.stdout))
    config = tmp_path / "no-walk-up.toml"       # walk_up_s = 0: Next never files a no-show
    config.write_text((ROOT / "assets/config/dost.toml").read_text(encoding="utf-8")
                      .replace("walk_up_s = 60", "walk_up_s = 0"), encoding="utf-8")
    served = novbe("--config", str(config), "call", "1")
    assert re.fullmatch(r"A-002: served, \d+:\d\d", served.stdout.splitlines()[0])
    referred = novbe("finish", "1", "--outcome", "referred")
    assert referred.returncode == 0, referred.stderr
    assert re.fullmatch(r"A-003: referred to another agency, \d+:\d\d", one_line(referred.stdout))
    assert json.loads(novbe("status", "--json").stdout) is not None
    novbe("call", "1")
    last = novbe("--config", str(config), "call", "1")
    assert last.returncode == 3 and re.fullmatch(r"A-004: served, \d+:\d\d", one_line(last.stdout))
    bad = novbe("finish", "1", "--outcome", "happy")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_finish_without_a_visitor_exits_2(novbe):
    """A counter command with no visitor at the counter is refused in one line, exit 2."""
    done = novbe("finish", "7")
    assert done.returncode == 2
    assert "counter 7" in one_line(done.stderr)


@pytest.mark.parametrize("args, named", [
    (("issue", "no-such-service"), "unknown service 'no-such-service'"),
    (("issue", "labour", "--priority", "vip"), "unknown priority class 'vip'"),
    (("call", "99"), "unknown counter '99'"),
    (("recall", "99"), "unknown counter '99'"),
    (("transfer", "1", "nowhere"), "unknown service 'nowhere'"),
], ids=["service", "priority", "counter", "recall-counter", "transfer-service"])
def test_unknown_names_exit_2_with_a_one_line_message(novbe, args, named):
    """Unknown service, priority class or counter: exit 2 and one line naming it."""
    done = novbe(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert one_line(done.stderr) == f"novbe: {named}"


def test_bad_usage_exits_2(novbe):
    """A missing argument or an unknown language is a usage error, exit 2."""
    assert novbe("issue").returncode == 2
    assert novbe("issue", "labour", "--lang", "de").returncode == 2
    assert novbe().returncode == 2


def test_status_json(novbe):
    """`status --json` shows waiting per service and the counters with their tickets."""
    novbe("issue", "labour")
    novbe("issue", "labour")
    novbe("issue", "pensions.age")
    novbe("call", "15")
    done = novbe("status", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["waiting"]["labour"] == 1 and data["waiting"]["pensions.age"] == 1
    counters = {c["id"]: c for c in data["counters"]}
    assert counters["15"]["mode"] == "open" and counters["15"]["ticket"]["code"] == "H-001"
    assert counters["4"]["ticket"] is None
    plain = novbe("status")
    assert plain.returncode == 0 and "H-001" in plain.stdout


def test_services_json(novbe):
    """`services --json` lists every service with its prefix and names in three languages."""
    done = novbe("services", "--json")
    assert done.returncode == 0
    services = json.loads(done.stdout)
    assert len(services) == 30
    labour = next(s for s in services if s["id"] == "labour")
    assert labour["prefix"] == "H" and set(labour["names"]) == {"az", "ru", "en"}


def test_db_from_the_environment(novbe, tmp_path):
    """Without --db the CLI uses $NOVBE_DB."""
    env_db = tmp_path / "from-env.sqlite"
    done = novbe("issue", "labour", db_flag=False, env={"NOVBE_DB": str(env_db)})
    assert done.returncode == 0, done.stderr
    assert env_db.exists() and not novbe.db.exists()


def test_init_creates_the_database(novbe):
    """`novbe init` creates the file and says where."""
    done = novbe("init")
    assert done.returncode == 0
    assert novbe.db.exists() and str(novbe.db) in done.stdout


def test_broken_config_from_the_cli_exits_2(novbe, tmp_path):
    """A broken --config file stops any command with its problems and exit 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[centre\n", encoding="utf-8")
    done = novbe("--config", str(bad), "issue", "labour")
    assert done.returncode == 2
    assert f"{bad}: not valid TOML" in done.stderr


def test_unusable_database_exits_2_in_one_line(novbe, tmp_path):
    """A --db path that cannot be a database is one line naming it, exit 2, no traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = novbe("--db", str(blocker / "q.sqlite"), "issue", "labour", db_flag=False)
    assert done.returncode == 2
    assert one_line(done.stderr).startswith(f"novbe: cannot open the queue database {blocker}")
    not_sqlite = novbe("--db", str(blocker), "status", db_flag=False)
    assert not_sqlite.returncode == 2 and "not a database" in one_line(not_sqlite.stderr)


def _damage(kind: str, db: Path) -> None:
    """Damage a database file the way disks and copies do."""
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = db.read_bytes()
    if kind == "truncated":
        db.write_bytes(data[: len(data) // 2])
    elif kind == "scrambled":             # page 2's b-tree header overwritten
        db.write_bytes(data[:page_size] + b"\xff" * 12 + data[page_size + 12:])
    elif kind == "empty":
        db.write_bytes(b"")


@pytest.mark.parametrize("kind", ["truncated", "scrambled", "empty"])
def test_a_damaged_database_is_refused_in_one_line_naming_its_backups(novbe, kind):
    """init, issue, status and serve refuse a damaged file in one line (exit 2) that names
    the backups beside it; the file is left as it was."""
    from shared.config.centre import load_config
    from shared.core.local_queue import LocalQueue

    q = LocalQueue(novbe.db, load_config())
    for _ in range(30):
        q.issue("employment.job-seeker")
    q.close()
    made = novbe("backup")
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert backup.parent == novbe.db.parent and backup.name.endswith(".bak")
    _damage(kind, novbe.db)
    damaged = novbe.db.read_bytes()
    for args in (("init",), ("issue", "employment.job-seeker"), ("status",),
                 ("serve", "--port", "0")):
        done = (novbe.real if args[0] == "serve" else novbe)(*args)   # serve: never in here
        line = one_line(done.stderr)
        assert done.returncode == 2, (args, done.stderr)
        assert "damaged" in line and backup.name in line and "novbe restore" in line, line
        assert "Traceback" not in done.stderr
    assert novbe.db.read_bytes() == damaged


def test_restore_brings_back_the_backup_and_keeps_the_damaged_file(novbe):
    """`novbe restore` puts the copy in place; the damaged file is moved aside, not deleted."""
    for _ in range(3):
        novbe("issue", "employment.job-seeker")
    backup = Path(novbe("backup").stdout.strip())
    novbe("issue", "employment.job-seeker")              # after the backup
    _damage("truncated", novbe.db)
    done = novbe("restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert "moved aside" in done.stdout
    assert list(novbe.db.parent.glob("cli.sqlite.*.damaged"))
    status = json.loads(novbe("status", "--json").stdout)
    assert status["waiting"]["employment.job-seeker"] == 3


def test_backup_of_a_live_database_while_another_process_writes(novbe, tmp_path):
    """A backup taken while a kiosk process issues is a sound database with every ticket
    committed before it began."""
    import sqlite3

    stream = subprocess.Popen([sys.executable, "-m", "tests.shared.workers", "stream",
                               str(novbe.db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert stream.stdout.readline().strip() == "ready"
        for _ in range(20):
            stream.stdout.readline()
        target = tmp_path / "copy.sqlite"
        done = novbe("backup", str(target))
        assert done.returncode == 0, done.stderr
    finally:
        stream.kill()
        stream.wait()
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM tickets").fetchone()[0] >= 20
    copy.close()
    assert novbe("backup", str(target)).returncode == 2          # never overwrites a file
