"""The help desk (/assist) over real HTTP: the volunteer role and its limits, tickets issued for
visitors (who and where recorded), bad input named field by field, and help requests raised by a
kiosk token and acknowledged by a signed-in person."""

from __future__ import annotations

import io

import httpx
import pytest

from novbe.cli import main
from server.auth.accounts import Accounts
from tests.server.live import LiveServer, StaffClient

JOB = "employment.job-seeker"
VOLUNTEER, VOLUNTEER_PW = "nigar", "nigar-volunteer-1"


def sign_in(server: LiveServer, name: str, password: str) -> StaffClient:
    """A browser-like client signed in at /assist, with the page's CSRF token."""
    client = StaffClient(server.url)
    assert client.post("/assist/login", data={"username": name, "password": password}
                       ).status_code == 303
    page = client.get("/assist", headers={"Accept": "text/html"}).text
    client.csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    return client


@pytest.fixture
def volunteer(server: LiveServer, monkeypatch, capsys) -> StaffClient:
    """A volunteer made the way a centre makes one: `novbe staff add NAME --role volunteer`."""
    monkeypatch.setattr("sys.stdin", io.StringIO(VOLUNTEER_PW + "\n"))
    assert main(["--db", str(server.db_path), "staff", "add", VOLUNTEER, "--role", "volunteer",
                 "--password-stdin"]) == 0
    assert "volunteer" in capsys.readouterr().out
    return sign_in(server, VOLUNTEER, VOLUNTEER_PW)


def issue(client: StaffClient, lang: str = "en", **body) -> httpx.Response:
    return client.api("POST", f"/assist/tickets?lang={lang}", json=body,
                      headers={"Accept": "application/json"})


def test_volunteer_may_use_the_help_desk_only(server: LiveServer, volunteer: StaffClient):
    """A volunteer opens /assist, but not the counter console, a counter or the manager pages."""
    assert volunteer.get("/assist", headers={"Accept": "text/html"}).status_code == 200
    console = volunteer.get("/counter?lang=en", headers={"Accept": "text/html"})
    assert console.status_code == 403 and 'href="/assist"' in console.text
    assert "is a volunteer" in console.text
    opened = volunteer.api("POST", "/api/counters/3/open")
    assert opened.status_code == 403 and "volunteer" in opened.json()["message"]
    assert volunteer.post("/counter/open", data={"counter": "3", "csrf": volunteer.csrf},
                          headers={"Accept": "text/html"}).status_code == 403
    assert server.queue.counter_state("3").mode == "closed"
    manager = volunteer.get("/manager", headers={"Accept": "text/html"})
    assert manager.status_code == 403 and 'href="/assist"' in manager.text
    assert volunteer.get("/manager/live.json").status_code == 403
    assert volunteer.get("/manager/reports", headers={"Accept": "text/html"}).status_code in (401, 403)


def test_counter_staff_use_the_help_desk_too(server: LiveServer):
    """Reception (counter staff) issue at /assist as well; the console stays theirs."""
    reception = sign_in(server, "aysel", "aysel-secret-1")
    answer = issue(reception, service=JOB, delivery="phone")
    assert answer.status_code == 200, answer.text
    assert reception.get("/counter", headers={"Accept": "text/html"}).status_code == 200


def test_a_ticket_for_a_visitor_records_who_and_where(server: LiveServer, volunteer: StaffClient):
    """Issued at /assist with a priority and its reason, shown as a QR code: the issued event
    names the volunteer and the assist channel; the QR code is the phone page's address."""
    answer = issue(volunteer, "az", service=JOB, priority="veteran",
                   reason="  qazi   vəsiqəsi ", language="ru", delivery="phone")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    ticket = server.queue.ticket(shown["code"])
    assert (ticket.priority, ticket.language, ticket.source) == ("veteran", "ru", "assist")
    assert shown["phone_url"].endswith(f"/t/{ticket.token}")
    assert shown["qr_svg"].startswith("<svg") and "path" in shown["qr_svg"]
    assert "kamera" in shown["delivery_text"]          # in the volunteer's language (az)
    [event] = [e for e in server.queue.events() if e.kind == "issued"]
    assert (event.staff, event.source) == (VOLUNTEER, "assist")
    assert event.details["channel"] == "assist" and event.details["reason"] == "qazi vəsiqəsi"
    assert "print_at" not in event.details
    assert server.queue.print_requests("kiosk-1") == []
    phone = httpx.get(shown["phone_url"], headers={"Accept": "text/html"})
    assert phone.status_code == 200 and ticket.code in phone.text


def test_a_ticket_for_a_kiosk_printer_waits_for_that_kiosk(server: LiveServer,
                                                          volunteer: StaffClient):
    """Sent to a kiosk's printer: the kiosk's token reads it (with its token) until printed."""
    kiosk = server.device_client("kiosk")
    own = server.queue.issue(JOB, source="kiosk-2")
    server.queue.report_device("kiosk-2", "printed", ticket_id=own.id)
    state = volunteer.get("/assist/state.json?lang=en").json()
    assert [(k["source"], k["name"], k["ok"]) for k in state["kiosks"]] == \
        [("kiosk-2", "Kiosk 2", True)]
    answer = issue(volunteer, service=JOB, delivery="print", kiosk="kiosk-2")
    assert answer.status_code == 200, answer.text
    assert "Kiosk 2" in answer.json()["delivery_text"] and "qr_svg" not in answer.json()
    [request] = kiosk.get("/api/print-requests/kiosk-2").json()
    assert request["code"] == answer.json()["code"] and request["token"]
    assert kiosk.get("/api/print-requests/kiosk-1").json() == []
    assert server.device_client("board").get("/api/print-requests/kiosk-2").status_code == 403
    assert volunteer.get("/api/print-requests/kiosk-2").status_code == 403
    assert kiosk.post("/api/devices/report", json={"source": "kiosk-2", "kind": "printed",
                                                   "ticket_id": request["id"]}).status_code == 200
    assert kiosk.get("/api/print-requests/kiosk-2").json() == []


BAD_FORMS = [   # (the form, the field named, words of the az sentence)
    ({}, "service", "Xidməti seçin"),
    ({"service": "no.such"}, "service", "Belə xidmət yoxdur"),
    ({"service": JOB, "priority": "veteran"}, "reason", "niyə"),
    ({"service": JOB, "priority": "veteran", "reason": "   "}, "reason", "niyə"),
    ({"service": JOB, "priority": "king", "reason": "x"}, "priority", "üstünlük qrupu yoxdur"),
    ({"service": JOB, "priority": "veteran", "reason": "x" * 201}, "reason", "200"),
    ({"service": JOB, "language": "de"}, "language", "dilini"),
    ({"service": JOB, "delivery": "print"}, "kiosk", "printerini"),
    ({"service": JOB, "delivery": "print", "kiosk": "kiosk-9"}, "kiosk", "printerini"),
]


def test_bad_input_names_the_field_and_issues_nothing(server: LiveServer, volunteer: StaffClient):
    """Each wrong field is named, with a sentence in the volunteer's language; nothing issued."""
    for body, field, words in BAD_FORMS:
        answer = issue(volunteer, "az", **body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["field"] == field, body
        assert words.lower() in answer.json()["message"].lower(), body
    assert all(e.kind != "issued" for e in server.queue.events())


def test_the_help_desk_refuses_strangers_forged_forms_and_devices(server: LiveServer,
                                                                 volunteer: StaffClient):
    """Not signed in: 401; no CSRF token: 403; a device token: refused; wrong shapes: 422."""
    assert httpx.post(f"{server.url}/assist/tickets", json={"service": JOB}).status_code == 401
    forged = volunteer.post("/assist/tickets", json={"service": JOB})
    assert forged.status_code == 403
    assert server.device_client("kiosk").post("/assist/tickets",
                                              json={"service": JOB}).status_code in (401, 403)
    assert issue(volunteer, service=JOB, delivery="fax").status_code == 422
    assert issue(volunteer, service=JOB, kiosk="k" * 300).status_code == 422
    assert all(e.kind != "issued" for e in server.queue.events())
    page = httpx.get(f"{server.url}/assist?lang=ru", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Стойка помощи" in page.text and 'name="password"' in page.text


def test_help_request_from_a_kiosk_token_until_someone_goes(server: LiveServer,
                                                           volunteer: StaffClient):
    """A kiosk token raises help; it is an open alert until a signed-in person acknowledges it
    (recorded in their name); a second acknowledgement is refused; devices cannot acknowledge."""
    kiosk = server.device_client("kiosk")
    raised = kiosk.post("/api/devices/report", json={"source": "kiosk-2", "kind": "help_requested"})
    assert raised.status_code == 200, raised.text
    state = volunteer.get("/assist/state.json?lang=az").json()
    assert [h["text"] for h in state["help"]] == ["Ziyarətçiyə kömək lazımdır: 2 nömrəli kiosk"]
    assert server.device_client("board").post("/api/devices/report", json={
        "source": "kiosk-2", "kind": "help_requested"}).status_code == 403
    assert kiosk.post("/api/help/acknowledge", json={"source": "kiosk-2"}).status_code == 403
    done = volunteer.api("POST", "/api/help/acknowledge", json={"source": "kiosk-2"})
    assert done.status_code == 200, done.text
    assert (done.json()["kind"], done.json()["staff"]) == ("help_acknowledged", VOLUNTEER)
    assert volunteer.get("/assist/state.json").json()["help"] == []
    assert server.queue.snapshot().alerts == []
    again = volunteer.api("POST", "/api/help/acknowledge", json={"source": "kiosk-2"})
    assert again.status_code == 409 and again.json()["error"] == "NoHelpRequest"


def test_role_is_kept_in_the_accounts(server: LiveServer, volunteer: StaffClient):
    """`staff list` shows the volunteer's role; `staff role` changes it like the others."""
    accounts = Accounts(server.db_path)
    try:
        assert accounts.role_of(VOLUNTEER) == "volunteer"
        accounts.set_role(VOLUNTEER, "counter")
        assert accounts.role_of(VOLUNTEER) == "counter"
    finally:
        accounts.close()
