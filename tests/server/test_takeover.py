"""One counter, one staff member: opening a counter another signed-in staff member holds is
refused unless it is an explicit takeover, and the session that lost it can no longer act."""

from __future__ import annotations

from tests.server.live import LiveServer

JOB = "employment.job-seeker"


def test_takeover_is_refused_then_allowed_explicitly(server: LiveServer):
    """Rauf cannot open Aysel's counter 1; with takeover he can, and then Aysel's session gets
    403 "counter 1 was taken over by rauf" and her visitor is not touched by her."""
    for _ in range(3):
        server.queue.issue(JOB)
    aysel = server.staff_client("aysel", counter="1")
    assert aysel.api("POST", "/api/counters/1/next").json()["code"] == "A-001"
    rauf = server.staff_client("rauf")

    refused = rauf.api("POST", "/api/counters/1/open")
    assert refused.status_code == 409
    assert refused.json()["error"] == "CounterHeld" and "aysel" in refused.json()["message"]
    assert rauf.api("POST", "/api/counters/1/next").status_code == 403
    assert server.queue.ticket("A-001").status == "called"

    taken = rauf.api("POST", "/api/counters/1/open", json={"takeover": True})
    assert taken.status_code == 200 and taken.json()["staff"] == "rauf"
    assert rauf.api("POST", "/api/counters/1/next").json()["code"] == "A-002"

    for action in ("no-show", "next", "finish", "recall", "pause"):
        stale = aysel.api("POST", f"/api/counters/1/{action}")
        assert stale.status_code == 403, action
        assert stale.json()["message"] == "counter 1 was taken over by rauf"
    assert server.queue.ticket("A-002").status == "called"
    state = aysel.get("/counter/state").json()
    assert state["taken_over_by"] == "rauf"


def test_console_form_refuses_then_takes_over(server: LiveServer):
    """The console's counter form says who holds the counter and opens it only with the
    takeover box ticked."""
    aysel = server.staff_client("aysel", counter="2")
    rauf = server.staff_client("rauf")
    form = {"counter": "2", "csrf": rauf.csrf}
    refused = rauf.post("/counter/open", data=form, headers={"Accept": "text/html"})
    assert refused.status_code == 409 and "aysel" in refused.text
    assert 'name="takeover"' in refused.text
    assert server.queue.counter_state("2").staff == "aysel"
    taken = rauf.post("/counter/open", data={**form, "takeover": "true"})
    assert taken.status_code == 303
    assert server.queue.counter_state("2").staff == "rauf"
    assert aysel.api("POST", "/api/counters/2/pause").status_code == 403


def test_a_counter_left_or_closed_needs_no_takeover(server: LiveServer):
    """A counter whose staff member signed out, or that is closed, opens without a takeover;
    the same staff member in a second tab shares their own counter."""
    aysel = server.staff_client("aysel", counter="3")
    second_tab = server.staff_client("aysel", counter="3")
    assert second_tab.api("POST", "/api/counters/3/pause").status_code == 200
    aysel.post("/counter/logout", data={"csrf": aysel.csrf})
    second_tab.post("/counter/logout", data={"csrf": second_tab.csrf})
    rauf = server.staff_client("rauf")
    assert rauf.api("POST", "/api/counters/3/open").status_code == 200
    assert rauf.api("POST", "/api/counters/3/close").status_code == 200
    again = server.staff_client("aysel")
    assert again.api("POST", "/api/counters/3/open").status_code == 200


def test_a_counter_taken_over_and_closed_stays_lost_to_the_old_session(server: LiveServer):
    """After Rauf takes counter 1 over and closes it, Aysel's old session still cannot act
    there (the queue checks the holder inside the action's own transaction)."""
    for _ in range(2):
        server.queue.issue(JOB)
    aysel = server.staff_client("aysel", counter="1")
    rauf = server.staff_client("rauf")
    assert rauf.api("POST", "/api/counters/1/open", json={"takeover": True}).status_code == 200
    assert rauf.api("POST", "/api/counters/1/close").status_code == 200
    for action in ("next", "pause", "close"):
        stale = aysel.api("POST", f"/api/counters/1/{action}")
        assert stale.status_code == 403, (action, stale.text)
        assert "closed" in stale.json()["message"]
    assert server.queue.ticket("A-001").status == "waiting"
    assert server.queue.counter_state("1").mode == "closed"
