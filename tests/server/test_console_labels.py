"""The counter list a staff member chooses from says what each counter serves: "All services"
for a counter that serves every service, else its first services in the alphabet of the page."""

from __future__ import annotations

import pytest

from shared.collation import sorted_by_name
from tests.server.live import LiveServer

ALL = {"az": "Bütün xidmətlər", "ru": "Все услуги", "en": "All services"}


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_a_counter_serving_everything_is_labelled_so(server: LiveServer, lang: str):
    """Counter 20 serves all 30 services: its label is "All services" in the page's language;
    counter 3 by its first three services in the page's alphabet."""
    staff = server.staff_client("aysel")
    page = staff.get(f"/counter?lang={lang}", headers={"Accept": "text/html"}).text
    staff.close()
    assert f">20 — {ALL[lang]}</option>" in page
    line = next(x for x in page.splitlines() if 'value="3"' in x)
    shown = line.split(" — ", 1)[1].split("</option>")[0].rstrip("…").split(", ")
    names = [server.queue.config.service(s).name(lang)
             for s in server.queue.config.counter("3").services]
    assert shown == sorted_by_name(names, str, lang)[:3] and line.endswith("…</option>")
