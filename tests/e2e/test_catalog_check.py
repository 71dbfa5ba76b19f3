"""One message-catalog check over what a person meets: the counter console (choosing a counter,
a visitor at the window, alerts, a pause), the phone page (a ticket and a missing one) and the
manager's pages, rendered in Chromium in az and ru — no word of the English catalog may show.
A word counts as English when the en catalog uses it and no az / ru text (catalog or centre
config) does; device messages (printer transport errors, "no audio output device") are caught
the same way."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from shared.i18n import LOCALE_DIR
from tests.server.live import STAFF, LiveServer

JOB = "employment.job-seeker"
WORD = re.compile(r"(?<![\w-])[A-Za-z]{4,}(?![\w-])")


def _texts(lang: str) -> list[str]:
    out = []
    for po in sorted((LOCALE_DIR / lang).glob("*.po")):
        with po.open("rb") as fh:
            for m in read_po(fh, locale=None if lang == "az" else lang):
                ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
                strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
                out += [s for s in (*ids, *strings) if s] if lang == "en" else [s for s in strings if s]
    return out


@cache
def english_only(lang: str, config_names: tuple[str, ...]) -> frozenset[str]:
    """Words of the English catalog that no `lang` text uses (lower case)."""
    english = {w.lower() for text in _texts("en") for w in WORD.findall(text)}
    local = {w.lower() for text in (*_texts(lang), *config_names) for w in WORD.findall(text)}
    return frozenset(english - local)


def leaks(page: Page, lang: str, server: LiveServer) -> list[str]:
    """English words on the page; names are data, not text of the catalog: the centre's
    (config) and its devices' (the "hall" of board-hall, as its administrator named it)."""
    cfg = server.queue.config
    names = tuple([cfg.name(lang)] + [s.name(lang) for s in cfg.services.values()]
                  + [c.name(lang) for c in cfg.categories] + [p.name(lang) for p in cfg.priorities]
                  + [a.source.replace("-", " ") for a in server.queue.snapshot().alerts])
    words = english_only(lang, names)
    return sorted({w for w in WORD.findall(page.locator("body").inner_text()) if w.lower() in words})


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_console_and_phone_pages_show_no_english(browser, server: LiveServer, artifacts: Path,
                                                 lang: str):
    """Every console state and both phone pages in az / ru: no English word on screen."""
    mine = server.queue.issue(JOB, language=lang)
    server.queue.issue(JOB)
    server.queue.report_device("kiosk-1", "printer_offline", "tcp://10.0.0.9:9100: cannot connect")
    server.queue.report_device("board-hall", "board_silent", "no audio output device")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    seen: dict[str, list[str]] = {}
    page.goto(f"{server.url}/counter?lang={lang}")
    seen["sign-in"] = leaks(page, lang, server)
    page.fill("input[name=username]", "aysel")
    page.fill("input[name=password]", STAFF["aysel"])
    page.click("#sign-in")
    seen["choose"] = leaks(page, lang, server)
    page.select_option("#counter-select", "3")
    page.click("#open-counter")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    expect(page.locator("#alerts .alert")).to_have_count(2)
    seen["console"] = leaks(page, lang, server)
    for button, state in (("#btn-next", "called"), ("#btn-start", "serving")):
        page.click(button)
        expect(page.locator("#current-status")).to_have_attribute("data-status", state)
        seen[f"console {state}"] = leaks(page, lang, server)
    page.click("#btn-finish")
    expect(page.locator("#message")).to_have_attribute("data-kind", "ok")
    # the answer is said before the console reads its state again; an action meanwhile is
    # ignored (console.js: one at a time), so the pause waits for that read to end
    expect(page.locator("#console")).to_have_attribute("data-busy", "")
    seen["console finished"] = leaks(page, lang, server)
    page.click("#btn-pause")
    expect(page.locator("#btn-open")).to_be_visible()
    seen["console paused"] = leaks(page, lang, server)
    page.screenshot(path=artifacts / f"catalog-console-{lang}.png")
    page.goto(f"{server.url}/t/{mine.token}?lang={lang}")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    seen["phone"] = leaks(page, lang, server)
    page.goto(f"{server.url}/t/short?lang={lang}")
    seen["phone 404"] = leaks(page, lang, server)
    page.close()
    assert {k: v for k, v in seen.items() if v} == {}


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_manager_pages_show_no_english(browser, server: LiveServer, artifacts: Path, lang: str):
    """The manager's live view (with device alerts in English from their devices), reports and
    planner in az / ru: no English word on screen."""
    server.accounts.set_role("aysel", "manager")
    server.queue.issue(JOB)
    server.queue.report_device("board-hall", "board_silent", "no audio output device")
    server.queue.report_device("kiosk-1", "printer_paper_out", "paper end sensor")
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    page.set_default_timeout(15_000)
    page.goto(f"{server.url}/manager?lang={lang}")
    seen = {"sign-in": leaks(page, lang, server)}
    page.fill("input[name=username]", "aysel")
    page.fill("input[name=password]", STAFF["aysel"])
    page.click("#sign-in")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    expect(page.locator("#alerts li.alert")).to_have_count(2)
    seen["live"] = leaks(page, lang, server)
    page.screenshot(path=artifacts / f"catalog-manager-{lang}.png", full_page=True)
    for name, path in (("reports", "/manager/reports"), ("plan", "/manager/plan")):
        page.goto(f"{server.url}{path}?lang={lang}")
        seen[name] = leaks(page, lang, server)
    page.close()
    assert {k: v for k, v in seen.items() if v} == {}
