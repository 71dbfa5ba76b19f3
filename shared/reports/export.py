"""A report written out: CSV (one table), an XLSX workbook (every table, one sheet each, with
openpyxl), JSON, and a plain-text table for the terminal. Times are in minutes in CSV and
XLSX (what spreadsheets add up), m:ss on screen; shares are percentages.

Names in a report come from centres' configs and events (a centre's service names, a staff
name typed at a counter): no text cell may run as a formula when a spreadsheet opens it.
Text that begins with `= + - @`, a tab or a carriage return is written as text — quoted with
a leading `'` in CSV, a string cell with Excel's quote prefix in XLSX (OWASP's advice on CSV
injection); numbers stay numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

from shared.i18n import tr
from shared.reports.report import Column, Report, Table

MINUTE_KINDS = ("seconds", "signed")


def display(value: Any, kind: str) -> str:
    """A figure as people read it on a page or in a terminal."""
    if value is None:
        return "—"
    if kind in MINUTE_KINDS:
        sign = "−" if value < 0 else ""
        total = int(round(abs(value)))
        h, rest = divmod(total, 3600)
        m, s = divmod(rest, 60)
        return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"
    if kind == "percent":
        return f"{value:.1f} %"
    if kind == "score":
        return f"{value:.2f}"
    return str(value)


def cell(value: Any, kind: str) -> Any:
    """A figure as a spreadsheet cell: minutes (2 decimals), percentages (1 decimal)."""
    if value is None:
        return None
    if kind in MINUTE_KINDS:
        return round(value / 60, 2)
    if kind == "percent":
        return round(value, 1)
    if kind == "score":
        return round(value, 2)
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def could_run(value: Any) -> bool:
    """Whether a spreadsheet could read this cell as a formula (text with a formula start)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def as_text(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: formula-like text quoted with a leading `'`."""
    return "'" + value if could_run(value) else value


def header(col: Column, lang: str) -> str:
    if col.kind in MINUTE_KINDS:
        return f"{col.label} ({tr(lang, 'min')})"
    if col.kind == "percent":
        return f"{col.label} (%)"
    return col.label


def to_csv(report: Report, table_id: str) -> str:
    """One table of the report as CSV (UTF-8 text; the caller adds a BOM for Excel)."""
    table = report.table(table_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([as_text(header(c, report.lang)) for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if (v := cell(row.get(c.key), c.kind)) is None else as_text(v)
                         for c in table.columns])
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """Every table of the report, one worksheet each, in one workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    first = wb.active
    about = first if first is not None else wb.create_sheet()
    about.title = _sheet_title(tr(report.lang, "Report"), set())
    req = report.request
    _append(about, [report.centre])
    _append(about, [tr(report.lang, "Period"), req.first_day.isoformat(),
                    req.last_day.isoformat()])
    about["A1"].font = Font(bold=True, size=14)
    used = {about.title}
    for table in report.tables:
        ws = wb.create_sheet(_sheet_title(table.title, used))
        used.add(ws.title)
        _append(ws, [header(c, report.lang) for c in table.columns])
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in table.rows:
            _append(ws, [cell(row.get(c.key), c.kind) for c in table.columns])
        for i, col in enumerate(table.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = \
                max(10, min(40, len(header(col, report.lang)) + 2))
        ws.freeze_panes = "B2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _append(ws: Any, values: list[Any]) -> None:
    """One row of a worksheet; formula-like text stays a string cell (openpyxl would otherwise
    store a str that begins with "=" as a formula), with the quote prefix so that editing the
    cell in a spreadsheet keeps it text."""
    ws.append(values)
    for c in ws[ws.max_row]:
        if could_run(c.value):
            c.data_type = "s"
            c.quotePrefix = True


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:25]} {n}", n + 1
    return name


def to_json(report: Report) -> dict[str, Any]:
    """The report as JSON: raw figures (seconds, percentages) per table."""
    req = report.request
    return {"centre": report.centre, "from": req.first_day.isoformat(),
            "to": req.last_day.isoformat(), "by": req.by, "lang": report.lang,
            "tables": [{"id": t.id, "title": t.title,
                        "columns": [{"key": c.key, "label": c.label, "kind": c.kind}
                                    for c in t.columns],
                        "rows": t.rows} for t in report.tables]}


def to_text(report: Report, table_id: str) -> str:
    """One table for a terminal: aligned columns, figures as on the page."""
    table: Table = report.table(table_id)
    cells = [[c.label for c in table.columns]]
    for row in table.rows:
        cells.append([display(row.get(c.key), c.kind) if c.kind != "text"
                      else str(row.get(c.key, "")) for c in table.columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
    lines = [table.title]
    for n, r in enumerate(cells):
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                               for i, (v, w) in enumerate(zip(r, widths, strict=True))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
