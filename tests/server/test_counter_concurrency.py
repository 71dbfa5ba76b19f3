"""Two tabs, two staff, many counters: the console cannot corrupt a counter or skip a visitor."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.server.live import LiveServer

JOB = "employment.job-seeker"


def together(*calls):
    """Run the calls in threads released at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_tabs_pressing_next_on_one_counter_call_one_visitor(server: LiveServer):
    """Two windows on counter 3 press Next at once: one visitor is called, none is skipped."""
    for _ in range(3):
        server.queue.issue(JOB)
    tab1 = server.staff_client("aysel", counter="3")
    tab2 = server.staff_client("aysel", counter="3")
    results = together(lambda: tab1.api("POST", "/api/counters/3/next", json={"expect": ""}),
                       lambda: tab2.api("POST", "/api/counters/3/next", json={"expect": ""}))
    assert sorted(r.status_code for r in results) == [200, 409]
    refused = next(r for r in results if r.status_code == 409).json()
    assert refused["error"] == "CounterChanged"
    assert server.queue.counter_state("3").ticket.code == "A-001"
    assert [t.status for t in (server.queue.ticket(c) for c in ("A-001", "A-002", "A-003"))] == \
        ["called", "waiting", "waiting"]


def test_stale_tab_cannot_act_on_a_visitor_it_did_not_see(server: LiveServer):
    """A tab still showing A-001 cannot mark the newly called A-002 as a no-show."""
    for _ in range(2):
        server.queue.issue(JOB)
    stale = server.staff_client("aysel", counter="3")
    fresh = server.staff_client("aysel", counter="3")
    assert stale.api("POST", "/api/counters/3/next", json={"expect": ""}).json()["code"] == "A-001"
    assert fresh.api("POST", "/api/counters/3/no-show", json={"expect": "A-001"}).status_code == 200
    assert fresh.api("POST", "/api/counters/3/next", json={"expect": ""}).json()["code"] == "A-002"
    for action in ("no-show", "finish", "start", "recall", "next"):
        response = stale.api("POST", f"/api/counters/3/{action}", json={"expect": "A-001"})
        assert response.status_code == 409, action
    assert server.queue.ticket("A-002").status == "called"


def test_many_counters_pressing_next_together_get_different_tickets(server: LiveServer):
    """Counters 1, 2 and 3 (all serving employment) press Next at once: three different tickets."""
    issued = {server.queue.issue(JOB).code for _ in range(3)}
    clients = {c: server.staff_client(name, counter=c)
               for c, name in (("1", "aysel"), ("2", "rauf"), ("3", "aysel"))}
    results = together(*(lambda c=c, cl=cl: cl.api("POST", f"/api/counters/{c}/next",
                                                   json={"expect": ""})
                         for c, cl in clients.items()))
    codes = {r.json()["code"] for r in results}
    assert codes == issued
