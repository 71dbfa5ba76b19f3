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
import textwrap
from typing import Any

from shared.i18n import tr
from shared.reports.report import BY_TITLES, Column, Report, Table

SHEET_LIMIT = 31            # Excel refuses longer sheet names
# Each table's sheet: a short name whose translations all fit SHEET_LIMIT whole.
SHEET_NAMES = {
    "summary": "Summary", "counters": "Per counter", "staff": "Per staff member",
    "within_target": "Within target", "priority": "Priority and everyone else",
    "heatmap": "Arrivals by hour, weekday", "by_hour_waits": "Waits by hour of day",
    "satisfaction": "Satisfaction by day", "estimates_hour": "Printed vs real wait, by hour",
    "estimates_service": "Printed vs real, by service",
    "profile_levels": "Calls by profile level", "profile_within": "Within target by profile",
    "idle_hours": "Idle while waiting, by hour",
    "profile_levels_centres": "Profile levels by centre",
    "profile_within_centres": "Within target, profile, centre",
    **{f"by_{by}": title for by, title in BY_TITLES.items()},
}

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
        return f"{value:.1f}\u00a0%"       # a no-break space: a narrow tile never wraps "%" alone
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
        name = tr(report.lang, SHEET_NAMES[table.id]) if table.id in SHEET_NAMES else table.title
        ws = wb.create_sheet(_sheet_title(name, used))
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


def _fit(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut only between words."""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;–-")
    return cut if 0 < len(cut) <= limit else text[:limit]


def _sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel takes: no []:*?/\\, within 31 characters, cut only between words,
    unique in the workbook (a number added when two tables share a name)."""
    clean = " ".join("".join(ch for ch in title if ch not in "[]:*?/\\").split()) or "Sheet"
    name, n = _fit(clean, SHEET_LIMIT), 2
    while name in used:
        suffix = f" {n}"
        name, n = _fit(clean, SHEET_LIMIT - len(suffix)) + suffix, n + 1
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


TERMINAL_WIDTH = 100          # `novbe report` fits this unless told --wide
LABEL_WIDTH = 30              # a row's label (a service's name) is wrapped beyond this


def to_text(report: Report, table_id: str, width: int | None = TERMINAL_WIDTH) -> str:
    """One table for a terminal: aligned columns, figures as on the page. Within `width`
    characters (None: one line per row, however wide): the summary as a list of figures, and
    a wide table in pieces that each repeat the rows' labels, headers wrapped between words."""
    table: Table = report.table(table_id)
    rows = [[display(row.get(c.key), c.kind) if c.kind != "text" else str(row.get(c.key, ""))
             for c in table.columns] for row in table.rows]
    if width is not None and table_id == "summary" and len(rows) == 1:
        pairs = list(zip([c.label for c in table.columns[1:]], rows[0][1:], strict=True))
        left = max(len(label) for label, _ in pairs)
        return "\n".join([table.title, *(f"{label.ljust(left)}  {value}" for label, value in pairs)]) + "\n"
    if width is None:
        return table.title + "\n" + _aligned([[c.label] for c in table.columns], rows) + "\n"
    labels = [_wrap(r[0], LABEL_WIDTH) for r in rows]
    label_w = max([len(line) for lines in labels for line in lines] +
                  [len(w) for w in table.columns[0].label.split()])
    heads, widths = [], []
    for i, col in enumerate(table.columns[1:], start=1):
        values = max((len(r[i]) for r in rows), default=1)
        head = _wrap(col.label, max(values, 8))
        heads.append(head)
        widths.append(max(values, *(len(line) for line in head)))
    pieces: list[list[int]] = [[]]
    used = label_w
    for i, w in enumerate(widths):
        if pieces[-1] and used + 2 + w > width:
            pieces.append([])
            used = label_w
        pieces[-1].append(i)
        used += 2 + w
    out = []
    for piece in pieces:
        head_cols = [_wrap(table.columns[0].label, label_w)] + [heads[i] for i in piece]
        body = [[lines, *([rows[r][i + 1]] for i in piece)] for r, lines in enumerate(labels)]
        out.append(_aligned(head_cols, body, [label_w] + [widths[i] for i in piece]))
    return table.title + "\n" + "\n\n".join(out) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width`, broken between words (a longer word stays whole)."""
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def _aligned(heads: list[list[str]], rows: list[Any], widths: list[int] | None = None) -> str:
    """Columns side by side: headers (each a list of lines) above a rule, then the rows (each
    cell a string or a list of lines); the first column to the left, figures to the right."""
    cells = [[c if isinstance(c, list) else [c] for c in row] for row in rows]
    if widths is None:
        widths = [max(len(line) for col in [heads[i], *(r[i] for r in cells)] for line in col)
                  for i in range(len(heads))]

    def lines_of(block: list[list[str]], bottom: bool) -> list[str]:
        height = max(len(c) for c in block)
        padded = [([""] * (height - len(c)) + c) if bottom else (c + [""] * (height - len(c)))
                  for c in block]
        return ["  ".join(col[k].ljust(w) if i == 0 else col[k].rjust(w)
                          for i, (col, w) in enumerate(zip(padded, widths, strict=True))).rstrip()
                for k in range(height)]

    out = lines_of(heads, bottom=True) + ["  ".join("-" * w for w in widths)]
    for row in cells:
        out += lines_of(row, bottom=False)
    return "\n".join(out)
