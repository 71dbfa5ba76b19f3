"""National reports from the command line: `novbe report --central URL --centres …`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from novbe.cli import main
from tests.central.activity import two_busy_centres
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

PERIOD = ["--from", "2026-11-23", "--to", "2026-11-24"]
AGENCY = ("ministry", "agency-password-1")


def test_report_central_cli_json(tmp_path: Path, central: CentralDb,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`novbe report --central URL --centres all` prints the national report with the centres
    side by side; the totals row adds up the centres' visitors."""
    two_busy_centres(tmp_path, central)
    capsys.readouterr()
    assert main(["report", "--central", central.admin_url, "--centres", "all", *PERIOD,
                 "--format", "json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    tables = {t["id"]: t for t in data["tables"]}
    rows = {r["key"]: r for r in tables["centres"]["rows"]}
    assert list(rows) == ["nord", "sud", "*"]
    assert rows["*"]["issued"] == rows["nord"]["issued"] + rows["sud"]["issued"] > 100
    assert tables["summary"]["rows"][0]["issued"] == rows["*"]["issued"]


def test_report_central_cli_table_and_bad_centre(tmp_path: Path, central: CentralDb,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """One centre as a terminal table; an unknown centre is exit 2 naming it."""
    two_busy_centres(tmp_path, central)
    capsys.readouterr()
    assert main(["report", "--central", central.admin_url, "--centres", "sud", *PERIOD,
                 "--lang", "en", "--table", "centres"]) == 0
    out = capsys.readouterr().out
    assert "Centres side by side" in out and "All together" not in out
    assert main(["report", "--central", central.admin_url, "--centres", "sud,mars", *PERIOD]) == 2
    assert "unknown centre 'mars'" in capsys.readouterr().err


