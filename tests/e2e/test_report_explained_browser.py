"""A manager can read every figure (issue 18, item 8), in Chromium: each column, headline figure
and chart of the report has a "?" that opens its one-line explanation by keyboard as well as by
pointer; the printed A4 page carries a legend of every figure instead; "transferred" and
"referred" are different words; the printed tiles keep "100.0 %" on one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from shared.reports.explain import CHART_EXPLANATIONS, EXPLANATIONS
from tests.e2e.a4 import A4_PRINTED_WIDTH_PX
from tests.e2e.test_manager_browser import sign_in_as_manager
from tests.reports.known_day import DAY, build_known_day
from tests.server.live import LiveServer

WORDS = {"az": ("Başqa quruma göndərildi", "Başqa xidmətə keçirilib", "Rəqəmlər nə deməkdir"),
         "ru": ("Направлен в другое ведомство", "Переведены на другую услугу",
                "Что означают показатели"),
         "en": ("Referred to another agency", "Transferred to another service",
                "What the figures mean")}


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
def test_every_figure_explains_itself_on_screen_and_on_paper(browser, server: LiveServer,
                                                             artifacts: Path, lang: str):
    """Every figure column and chart has its "?"; Enter on one shows the explanation; the A4
    print hides the "?"s and shows the legend of every figure; tiles never wrap."""
    build_known_day(server.queue, server.clock)
    server.accounts.set_role("aysel", "manager")
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    page.set_default_timeout(15_000)
    sign_in_as_manager(page, server, lang)
    page.goto(f"{server.url}/manager/reports?from={DAY}&to={DAY}&by=service&lang={lang}")
    referred, transferred, legend_title = WORDS[lang]
    summary = page.locator("#table-summary")
    expect(summary.locator("dt", has_text=referred)).to_have_count(1)
    expect(summary.locator("dt", has_text=transferred)).to_have_count(1)

    headers = page.locator("table.data thead th.num")
    assert headers.count() > 20
    assert headers.locator("details.explain").count() == headers.count()   # every figure column
    for chart in CHART_EXPLANATIONS:
        if page.locator(f"#chart-{chart}").count():
            expect(page.locator(f"#chart-{chart} figcaption details.explain")).to_have_count(1)
    first = page.locator("#table-by_service thead th.num details.explain").first
    first.locator("summary").focus()
    page.keyboard.press("Enter")                     # not hover-only: the keyboard opens it
    expect(first.locator(".explain-text")).to_be_visible()
    page.screenshot(path=artifacts / f"report-explained-{lang}.png", full_page=False)
    page.keyboard.press("Enter")
    expect(first.locator(".explain-text")).to_be_hidden()

    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PRINTED_WIDTH_PX, "height": 1100})
    expect(page.locator("details.explain").first).to_be_hidden()
    legend = page.locator("#legend")
    expect(legend.locator("h2")).to_have_text(legend_title)
    shown = {page.evaluate("k => k", k) for k in EXPLANATIONS}
    assert legend.locator("dt").count() >= 25 and shown
    expect(legend.locator("dt", has_text=referred)).to_have_count(1)
    # each headline tile keeps its figure on one line ("100.0 %", never "100.0" / "%")
    heights = page.evaluate("""() => [...document.querySelectorAll(".figures dd")].map(d => {
        const lh = parseFloat(getComputedStyle(d).lineHeight) || parseFloat(getComputedStyle(d).fontSize) * 1.3;
        return d.getBoundingClientRect().height / lh; })""")
    assert all(h < 1.6 for h in heights), heights
    legend.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"report-a4-legend-{lang}.png", full_page=True)
    page.close()
