"""Taking over an occupied counter in the console, in two real Chromium sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_console_browser import sign_in_at_counter
from tests.server.live import STAFF, LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

JOB = "employment.job-seeker"


def test_takeover_needs_the_box_and_the_old_console_says_so(browser, server: LiveServer,
                                                            artifacts: Path):
    """Rauf's open of Aysel's counter 1 is refused with her name; ticking "Take over" opens it,
    and Aysel's console then says it was taken over and offers no actions."""
    for _ in range(2):
        server.queue.issue(JOB)
    aysel_ctx, rauf_ctx = (browser.new_context(viewport={"width": 1280, "height": 800})
                           for _ in range(2))
    aysel, rauf = aysel_ctx.new_page(), rauf_ctx.new_page()
    for page in (aysel, rauf):
        page.set_default_timeout(10_000)
    sign_in_at_counter(aysel, server, "aysel", "1")
    aysel.click("#btn-next")
    expect(aysel.locator("#current-code")).to_have_text("A-001")

    rauf.goto(f"{server.url}/counter?lang=en")
    rauf.fill("input[name=username]", "rauf")
    rauf.fill("input[name=password]", STAFF["rauf"])
    rauf.click("#sign-in")
    rauf.select_option("#counter-select", "1")
    rauf.click("#open-counter")
    expect(rauf.locator("#open-error")).to_contain_text("aysel")
    expect(rauf.locator("#counter-select")).to_have_value("1")
    rauf.screenshot(path=artifacts / "console-takeover-1-refused.png")
    assert server.queue.counter_state("1").staff == "aysel"

    rauf.check("#takeover")
    rauf.click("#open-counter")
    expect(rauf.locator("#live")).to_have_attribute("data-state", "live")
    expect(rauf.locator("#current-code")).to_have_text("A-001")

    message = aysel.locator("#message")                  # the takeover arrives over SSE
    expect(message).to_have_text("Counter 1 was taken over by rauf")
    expect(aysel.locator("#btn-next")).to_be_disabled()
    aysel.keyboard.press("x")                            # No-show by shortcut: nothing happens
    aysel.screenshot(path=artifacts / "console-takeover-2-old-session.png")
    assert server.queue.ticket("A-001").status == "called"
    aysel_ctx.close()
    rauf_ctx.close()
