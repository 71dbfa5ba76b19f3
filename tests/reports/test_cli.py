"""`novbe report` and `novbe staff … --role` on real database files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from novbe.cli import main
from server.auth.accounts import Accounts
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.reports.known_day import DAY, build_known_day


def run(db_path: Path, capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def known_db(local_queue: LocalQueue, clock: FakeClock) -> Path:
    build_known_day(local_queue, clock)
    return local_queue.path


def test_staff_roles_from_the_command_line(db_path: Path, monkeypatch, capsys):
    """`staff add --role manager` makes a manager; `staff role` changes it; list shows both."""
    monkeypatch.setattr("sys.stdin", io.StringIO("manager-secret\n"))
    assert run(db_path, capsys, "staff", "add", "nigar", "--role", "manager",
               "--password-stdin")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("counter-secret\n"))
    assert run(db_path, capsys, "staff", "add", "murad", "--password-stdin")[0] == 0
    assert run(db_path, capsys, "staff", "list")[1].split() == ["murad", "counter",
                                                                "nigar", "manager"]
    assert run(db_path, capsys, "staff", "role", "murad", "manager")[0] == 0
    accounts = Accounts(db_path)
    assert accounts.staff_roles() == {"murad": "manager", "nigar": "manager"}
    accounts.close()
    code, _, err = run(db_path, capsys, "staff", "role", "nobody", "manager")
    assert code == 2 and "no staff member 'nobody'" in err
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(db_path), "staff", "role", "murad", "boss"])
    assert exc.value.code == 2


def test_report_csv_by_counter(known_db: Path, capsys):
    """CSV by counter: time open and idle in minutes, visits, as the known day made them."""
    code, out, _ = run(known_db, capsys, "report", "--from", DAY, "--to", DAY, "--by", "counter",
                       "--format", "csv", "--lang", "en")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    four = next(r for r in rows if r["Counter"] == "Counter 4")
    assert (four["Visits"], four["Time open (min)"], four["Idle while someone waited (min)"]) == \
        ("2", "60.0", "4.0")


def test_report_json_table_and_xlsx(known_db: Path, tmp_path: Path, capsys):
    """JSON carries the raw figures; the table prints; the XLSX opens with every table."""
    code, out, _ = run(known_db, capsys, "report", "--from", DAY, "--to", DAY, "--format", "json")
    assert code == 0
    data = json.loads(out)
    summary = next(t for t in data["tables"] if t["id"] == "summary")["rows"][0]
    assert (summary["issued"], summary["wait_median_s"]) == (7, 300.0)
    code, out, _ = run(known_db, capsys, "report", "--from", DAY, "--to", DAY, "--lang", "ru")
    assert code == 0 and "Выдано талонов" in out and "Регистрация ищущего работу" in out
    target = tmp_path / "report.xlsx"
    code, out, _ = run(known_db, capsys, "report", "--from", DAY, "--to", DAY, "--by", "staff",
                       "--format", "xlsx", "--out", str(target), "--lang", "en")
    assert code == 0
    wb = load_workbook(target)
    assert "By staff member" in wb.sheetnames and len(wb.sheetnames) >= 9
    ws = wb["By staff member"]
    header = [c.value for c in ws[1]]
    rauf = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "rauf")
    assert rauf[header.index("Time open (min)")] == 60.0


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
@pytest.mark.parametrize("by", ["service", "staff", "hour"])
def test_report_tables_fit_100_columns_unless_wide(known_db: Path, capsys, lang: str, by: str):
    """`novbe report` fits a 100-column terminal: the summary as a list of figures, a wide table
    in pieces that each repeat the rows' labels, headers broken between words (was 558
    characters wide); every figure still there. `--wide` puts a row on one line."""
    code, out, _ = run(known_db, capsys, "report", "--from", DAY, "--to", DAY, "--by", by,
                       "--lang", lang, "--table", "all")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    code, wide, _ = run(known_db, capsys, "report", "--from", DAY, "--to", DAY, "--by", by,
                        "--lang", lang, "--wide")
    assert code == 0 and max(len(line) for line in wide.splitlines()) > 100
    code, narrow, _ = run(known_db, capsys, "report", "--from", DAY, "--to", DAY, "--by", by,
                          "--lang", lang)
    figures = [w for w in wide.split() if any(ch.isdigit() for ch in w)]
    assert set(figures) == {w for w in narrow.split() if any(ch.isdigit() for ch in w)}


@pytest.mark.parametrize(("argv", "says"), [
    (("--from", "2026-11-30", "--to", "2026-11-01"), "starts (2026-11-30) after it ends"),
    (("--from", "2025-01-01", "--to", "2026-11-30"), "at most 366 days"),
    (("--from", DAY, "--to", DAY, "--service", "no.such"), "unknown service 'no.such'"),
    (("--from", DAY, "--to", DAY, "--staff", "ghost"), "unknown staff member 'ghost'"),
    (("--from", "23.11.2026", "--to", DAY), "'from' must be a date"),
    (("--from", DAY, "--to", DAY, "--format", "xlsx"), "--out FILE"),
])
def test_report_bad_input_exits_2(known_db: Path, capsys, argv, says):
    """A bad period or filter exits 2 with a message naming it."""
    code, _, err = run(known_db, capsys, "report", *argv)
    assert code == 2 and says in err
