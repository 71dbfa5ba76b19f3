"""What a visitor's phone and a counter see on day one, in Chromium: the phone page in its
ticket's language, error pages without English, console alerts as sentences of the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_console_browser import sign_in_at_counter
from tests.server.live import LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

PENSION = "pensions.age"
ENGLISH_WORDS = ("ticket", "token", "found", "cannot", "connect", "printer", "error")


def test_phone_page_speaks_its_tickets_language(browser, server: LiveServer, artifacts: Path):
    """A phone set to English opens a ru ticket: the page is in Russian (the language chosen at
    the kiosk); its values do not repeat their labels; ?lang= still switches. (A pensions
    counter is open: with none, the page says so instead of a wait.)"""
    server.queue.open_counter("4")
    server.queue.issue(PENSION)
    ticket = server.queue.issue(PENSION, language="ru")
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(f"{server.url}/t/{ticket.token}")
    expect(phone.locator("html")).to_have_attribute("lang", "ru")
    expect(phone.locator("#headline")).to_have_text("Ожидайте, ваш номер объявят")
    expect(phone.locator("#ahead")).to_have_text("1 человек")          # under "Перед вами"
    expect(phone.locator("#ahead-label")).to_have_text("Перед вами")
    expect(phone.locator("#wait-label")).to_have_text("Время ожидания")
    expect(phone.locator("#live")).to_have_attribute("data-state", "live")
    phone.screenshot(path=artifacts / "phone-ru-ticket-en-phone.png")
    phone.goto(f"{server.url}/t/{ticket.token}?lang=az")
    expect(phone.locator("#ahead")).to_have_text("1 nəfər")
    expect(phone.locator("#ahead-label")).to_have_text("Qarşınızda")
    phone.screenshot(path=artifacts / "phone-az.png")
    context.close()


def test_phone_error_page_has_no_english(browser, server: LiveServer, artifacts: Path):
    """A mistyped ticket link on an az or ru phone: a sentence in that language, no English."""
    for lang, expected in (("az", "Bu bilet tapılmadı"), ("ru", "Талон не найден")):
        context = browser.new_context(locale={"az": "az-AZ", "ru": "ru-RU"}[lang],
                                      viewport={"width": 390, "height": 844})
        phone = context.new_page()
        response = phone.goto(f"{server.url}/t/NoSuchTicketToken1234")
        assert response is not None and response.status == 404
        message = phone.locator(".message")
        expect(message).to_contain_text(expected)
        text = message.inner_text().lower()
        assert not [w for w in ENGLISH_WORDS if w in text], text
        phone.screenshot(path=artifacts / f"phone-error-{lang}.png")
        context.close()


def test_console_alerts_are_sentences_without_transport_errors(browser, server: LiveServer,
                                                               artifacts: Path):
    """A kiosk printer offline with an English transport error and a silent board: the az
    console shows two az sentences (device names translated), the raw error nowhere on screen."""
    server.queue.issue(PENSION)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in_at_counter(page, server, "aysel", "4", lang="az")
    server.queue.report_device("kiosk-1", "printer_offline",
                               "tcp://127.0.0.1:9: cannot connect to 127.0.0.1:9")
    server.queue.report_device("board", "board_silent", "no audio output device")
    alerts = page.locator("#alerts .alert")
    expect(alerts).to_have_count(2)
    expect(alerts.nth(0)).to_have_text("1 nömrəli kiosk: printer qoşulu deyil")
    expect(alerts.nth(1)).to_have_text("Tablo səssizdir: səs cihazı yoxdur, çağırışlar eşidilmir")
    assert "cannot connect" not in page.locator("body").inner_text()
    page.screenshot(path=artifacts / "console-az-alerts.png")
    page.goto(f"{server.url}/counter?lang=ru")
    expect(page.locator("#alerts .alert").nth(0)).to_have_text("Киоск 1: принтер не в сети")
    page.screenshot(path=artifacts / "console-ru-alerts.png")
    page.close()
