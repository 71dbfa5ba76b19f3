"""The national page's work-profile tables in Debian's Chromium over a real PostgreSQL: two
centres calling by profiles shipped, the tables shown in az, ru and en, each fitting the printed
width of an A4 page (screenshots in test-artifacts/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.auth.accounts import Accounts
from tests.central.conftest import CentralDb, central, pg_cluster  # noqa: F401  (fixtures)
from tests.central.test_national_profiles import ship_two_centres
from tests.conftest import ARTIFACTS
from tests.e2e.a4 import tables_past_a4
from tests.e2e.test_central_page import AGENCY, national_server
from tests.server.live import add_account

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

TITLES = {"az": "Profil səviyyəsinə görə çağırışlar, mərkəzlər üzrə",
          "ru": "Вызовы по уровню профиля, по центрам",
          "en": "Calls by profile level, per centre"}


def test_profile_tables_print_on_a4_in_three_languages(tmp_path: Path, browser,
                                                       central: CentralDb) -> None:  # noqa: F811
    """Signed in, the agency user sees both profile tables, titled in the page's language,
    and no table runs past A4's printed width."""
    ship_two_centres(tmp_path, central)
    accounts = Accounts(tmp_path / "agency.sqlite")
    add_account(accounts, *AGENCY, "manager")
    ARTIFACTS.mkdir(exist_ok=True)
    with national_server(central.admin_url, accounts) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/?lang=en")
        page.fill("input[name=username]", AGENCY[0])
        page.fill("input[name=password]", AGENCY[1])
        page.click("#sign-in")
        page.wait_for_url("**/national")           # signed in before the next page is asked for
        for lang in ("az", "ru", "en"):
            page.goto(f"{base}/national?from=2026-11-23&to=2026-11-23&lang={lang}")
            for table in ("profile_levels_centres", "profile_within_centres"):
                assert page.locator(f"#table-{table} table").count() == 1, (lang, table)
            heading = page.locator("#table-profile_levels_centres h2").text_content()
            assert heading is not None and heading.strip() == TITLES[lang]
            assert tables_past_a4(page) == [], lang
            page.locator("#table-profile_levels_centres").screenshot(
                path=str(ARTIFACTS / f"central-national-profile-levels-{lang}.png"))
            page.locator("#table-profile_within_centres").screenshot(
                path=str(ARTIFACTS / f"central-national-profiles-{lang}.png"))
        page.pdf(path=str(ARTIFACTS / "central-national-profiles-a4.pdf"), format="A4",
                 print_background=True)
        page.close()
