"""Report charts and exports people can read (issue 18, item 7): axis ticks at readable values
drawn where their values are, chart labels broken between words, sheet names whole and unique
within Excel's 31 characters, percentages that never wrap their "%" alone."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.i18n import tr
from shared.reports import charts
from shared.reports.export import SHEET_NAMES, display, to_xlsx
from shared.reports.facts import FactStore
from shared.reports.report import build_report
from shared.reports.request import make_request
from tests.reports.conftest import refreshed
from tests.reports.known_day import DAY, build_known_day

TICK = re.compile(r'<line x1="[\d.]+" y1="([\d.]+)"[^>]*class="grid"[^>]*/><text x="[\d.]+" '
                  r'y="([\d.]+)"[^>]*class="lbl tick"[^>]*>([^<]+)</text>')
BAR = re.compile(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" class="series0"')


def test_a_1_30_column_reaches_the_line_labelled_1_30():
    """Waits of 1:30 and 0:45: the ticks read 0:30, 1:00, 1:30, and the 1:30 column's top is
    exactly on the 1:30 line (was: whole minutes, a 1:30 bar reaching the line labelled "2")."""
    svg = charts.columns("Waits", ["09", "10"], [("mean", [1.5, 0.75])], "min", minutes=True)
    ticks = {label: float(y) for y, _, label in TICK.findall(svg)}
    assert list(ticks) == ["0:30", "1:00", "1:30"]
    top = float(BAR.findall(svg)[0][0])
    assert top == pytest.approx(ticks["1:30"], abs=0.1)
    half = BAR.findall(svg)[1]
    assert float(half[0]) == pytest.approx((ticks["0:30"] + ticks["1:00"]) / 2, abs=0.1)


@pytest.mark.parametrize("maximum, want", [
    (1.5, [0, 0.5, 1, 1.5]), (7.3, [0, 2, 4, 6, 8]), (43, [0, 15, 30, 45]), (0.2, [0, 0.25]),
])
def test_minute_ticks_are_readable_steps(maximum: float, want: list[float]):
    """A minutes axis steps by ¼, ½, 1, 2, 5, 10, 15… minutes, at most four ticks above zero."""
    assert charts.axis_ticks(maximum, charts.MINUTE_STEPS) == want


def test_percent_line_ticks_are_quarters():
    """The satisfaction line's axis reads 25 %, 50 %, 75 %, 100 %."""
    svg = charts.line("Satisfied", ["11-01", "11-02"], [80.0, 90.0], 100.0, "%")
    assert [label for _, _, label in TICK.findall(svg)] == ["25%", "50%", "75%", "100%"]


def test_long_chart_labels_break_between_words():
    """A long service name is drawn in two lines, broken between words; what does not fit ends
    with "…" after a whole word (was: "…görə pensi")."""
    name = "Yaşa görə pensiya təyinatı və digər sosial ödənişlər üzrə müraciətlərin qəbulu"
    svg = charts.bars("Within target", [(name, 80.0, "80.0 %"), ("Qısa ad", 50.0, "50.0 %")], 100)
    drawn = re.findall(r'text-anchor="end" class="lbl"[^>]*>([^<]+)</text>', svg)
    assert drawn[:2] == ["Yaşa görə pensiya təyinatı və", "digər sosial ödənişlər üzrə…"]
    words = set(name.split())
    for line in drawn[:2]:
        assert all(w in words for w in line.rstrip("…").split()), line
    assert drawn[2] == "Qısa ad"


@pytest.fixture
def known_report_facts(local_queue: LocalQueue, clock: FakeClock, facts: FactStore) -> FactStore:
    build_known_day(local_queue, clock)
    return refreshed(facts, clock)


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
@pytest.mark.parametrize("by", ["service", "staff"])
def test_sheet_names_are_whole_unique_and_fit_excel(known_report_facts: FactStore,
                                                    config: CentreConfig, lang: str, by: str):
    """Every sheet of the XLSX export is named by its table's short name, whole (was: "Çap olunan
    və real gözləm 2"), unique, at most 31 characters, in each language."""
    report = build_report(known_report_facts.conn, config, make_request(config, DAY, DAY, by), lang)
    names = load_workbook(io.BytesIO(to_xlsx(report))).sheetnames
    assert len(names) == len(set(names)) == len(report.tables) + 1
    assert all(len(n) <= 31 for n in names), names
    assert names[1:] == [tr(lang, SHEET_NAMES[t.id]) for t in report.tables]


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_every_sheet_name_fits_in_every_language(lang: str):
    """The catalog's sheet names all fit Excel's 31 characters, with no character it refuses."""
    for msgid in SHEET_NAMES.values():
        name = tr(lang, msgid)
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\"), (lang, name)


def test_a_percentage_never_wraps_its_sign_alone():
    """"100.0 %" is joined by a no-break space: a narrow A4 tile cannot wrap it to "100.0 / %"."""
    assert display(100.0, "percent") == "100.0\u00a0%"
