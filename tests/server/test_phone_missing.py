"""The phone page of a token that is short, made up or absent is a 404 page in the reader's
language, never the API's raw JSON."""

from __future__ import annotations

import httpx
import pytest

from tests.server.live import LiveServer

TITLES = {"az": "Bilet tapılmadı", "ru": "Талон не найден", "en": "Ticket not found"}


@pytest.mark.parametrize("path", ["/t/abc", "/t/made-up-token-123456", "/t/", "/t/x%20y"])
def test_a_missing_ticket_is_a_page_in_three_languages(server: LiveServer, path: str):
    """Each bad address answers 404 with an HTML page titled in az, ru or en as asked (the
    phone's own Accept-Language when nothing is asked), with links to the other two."""
    with httpx.Client(base_url=server.url, timeout=10) as phone:
        for lang, title in TITLES.items():
            page = phone.get(path, params={"lang": lang})
            assert page.status_code == 404
            assert page.headers["content-type"].startswith("text/html")
            assert f"<h1>{title}</h1>" in page.text and f'<html lang="{lang}">' in page.text
            assert '"error"' not in page.text
            phone.cookies.clear()
        by_phone = phone.get(path, headers={"Accept-Language": "ru-RU,ru;q=0.9"})
        assert by_phone.status_code == 404 and TITLES["ru"] in by_phone.text


def test_a_real_token_still_opens_its_page(server: LiveServer):
    """The check for the token's shape lets a real ticket's page through."""
    ticket = server.queue.issue("employment.job-seeker", language="ru")
    with httpx.Client(base_url=server.url, timeout=10) as phone:
        page = phone.get(f"/t/{ticket.token}")
    assert page.status_code == 200 and ticket.code in page.text
