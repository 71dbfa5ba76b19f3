"""The portals' booking API on `novbe central serve` (real uvicorn, real PostgreSQL): a token
scoped to some centres, validated bodies, a retried request booking once, size limits, and the
routes in the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pytest

from central.bookings.portals import add_portal
from novbe.cli import main
from server.auth.accounts import Accounts
from tests.central.booking_centre import SERVICE, booking_centre, open_day, slot_at
from tests.central.conftest import CentralDb
from tests.e2e.test_central_page import national_server

pytestmark = pytest.mark.slow  # a PostgreSQL cluster and a server


def test_portal_books_once_within_its_centres(tmp_path: Path, central: CentralDb) -> None:
    """A portal for nord reads free seats, books (twice the same request: one booking),
    cancels (twice: the same answer), is refused at sud and without its token."""
    config, _ = booking_centre(tmp_path, central, "nord", seats=4, share=0.5)
    booking_centre(tmp_path, central, "sud")
    token = add_portal(central.admin_url, "e-gov", ["nord"])
    day = open_day(config)
    start = datetime.fromtimestamp(slot_at(config, day), config.tz).isoformat()
    body = {"request_id": "req-0001", "centre": "nord", "service": SERVICE,
            "slot_start": start, "lang": "en", "phone": "+994 55 765 43 21"}
    with national_server(central.admin_url, Accounts(tmp_path / "agency.sqlite")) as base, \
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
        slots = api.get("/api/v1/centres/nord/slots", params={"service": SERVICE, "day": str(day)})
        assert slots.status_code == 200, slots.text
        assert slots.json()[0]["national_free"] == 2
        one, two = api.post("/api/v1/bookings", json=body), api.post("/api/v1/bookings", json=body)
        assert one.status_code == two.status_code == 201
        assert one.json() == two.json() and "phone" not in one.json()
        code = one.json()["code"]
        slots = api.get("/api/v1/centres/nord/slots", params={"service": SERVICE, "day": str(day)})
        assert [s["national_free"] for s in slots.json() if s["slot_start"] == start] == [1]
        for _ in range(2):
            gone = api.post("/api/v1/bookings/cancel", json={"centre": "nord", "code": code})
            assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
        elsewhere = api.post("/api/v1/bookings", json=body | {"centre": "sud"})
        assert elsewhere.status_code == 403 and elsewhere.json()["error"] == "not_your_centre"
        assert httpx.post(f"{base}/api/v1/bookings", json=body).status_code == 401
        bad = api.post("/api/v1/bookings", json=body | {"slot_start": start[:16], "lang": "fr"})
        assert bad.status_code == 422
        no_phone = api.post("/api/v1/bookings", json=body | {"request_id": "req-0003",
                                                              "phone": "050 12"})
        assert no_phone.status_code == 422 and no_phone.json()["error"] == "bad_phone"
        assert no_phone.json()["message"].startswith("Bu telefon nömrəsi deyil")   # az first
        with central.admin() as conn:    # the portal's number is kept as the one rule says
            kept = conn.execute("SELECT phone FROM novbe.bookings WHERE code = %s",
                                (code,)).fetchone()
        assert kept is not None and kept[0] == "+994557654321"
        huge = api.post("/api/v1/bookings", json=body | {"name": "x" * 2_000_000})
        assert huge.status_code == 413
        full = api.post("/api/v1/bookings", json=body | {"request_id": "req-0002",
                                                          "slot_start": start[:11] + "12:10:00"
                                                          + start[19:]})
        assert full.status_code == 409 and full.json()["error"] == "not_a_slot"
        for n in (4, 5):                  # 10:00's two national seats taken again …
            assert api.post("/api/v1/bookings", json=body | {"request_id": f"req-000{n}"}
                            ).status_code == 201
        taken = api.post("/api/v1/bookings", json=body | {"request_id": "req-0006"})
        assert taken.status_code == 409 and taken.json()["error"] == "slot_full"   # … offered:
        nearest = datetime.fromtimestamp(slot_at(config, day, "09:30"), config.tz).isoformat()
        assert taken.json()["nearest_slot_start"] == nearest
        schema = httpx.get(f"{base}/api/openapi.json").json()
        assert {"/api/v1/bookings", "/api/v1/bookings/cancel",
                "/api/v1/centres/{centre}/slots"} <= set(schema["paths"])
    with central.admin() as conn:
        assert conn.execute("SELECT count(*), min(channel), min(made_by) FROM novbe.bookings"
                            ).fetchone() == (3, "api", "portal:e-gov")


def test_add_portal_from_the_command_line(tmp_path: Path, central: CentralDb,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`novbe central add-portal URL NAME --centres …` prints a token once; an unknown centre
    is refused naming it (exit 2), and nothing is added."""
    booking_centre(tmp_path, central, "nord")
    assert main(["central", "add-portal", central.admin_url, "gov", "--centres", "nord"]) == 0
    out = capsys.readouterr().out
    assert "portal gov may book" in out and len(out.strip().splitlines()[-1]) >= 40
    assert main(["central", "add-portal", central.admin_url, "gov2", "--centres", "mars"]) == 2
    assert "unknown centre 'mars'" in capsys.readouterr().err
    with central.admin() as conn:
        assert conn.execute("SELECT name, centres FROM novbe.portals").fetchall() == \
            [("gov", ["nord"])]
