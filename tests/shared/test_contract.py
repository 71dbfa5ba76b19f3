"""The queue contract (docs/architecture.md), driven only through its operations (no SQL), so the same
suite holds for LocalQueue and for RemoteQueue over HTTP."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from shared.core.assisted import Assisted
from shared.core.errors import (
    AlreadyRated,
    CentreClosed,
    DailyCapReached,
    IllegalTransition,
    NoTicketWaiting,
    NovbeError,
    QueueUnavailable,
    TicketNotFound,
    UnknownCounter,
    UnknownPriority,
    UnknownProfile,
    UnknownService,
)
from shared.core.local_queue import LocalQueue
from shared.core.model import CHANNEL_REPORTERS, DEVICE_CHANNELS, CounterMode, Status
from shared.waits.closed import OPENING_DELAY_S
from shared.waits.visit_times import MIN_DRAWN
from tests.conftest import MONDAY_10AM
from tests.shared.helpers import JOB, LABOUR, LEGAL, PENSION, UNEMPLOYMENT, config_variant, kinds


# ---- issuing and numbering -----------------------------------------------------------------
def test_issue_returns_a_waiting_ticket_with_all_fields(queue, clock):
    """A new ticket is waiting, numbered A-001 for today, with a random token and no one ahead."""
    t = queue.issue(JOB, language="ru", source="kiosk-1")
    assert (t.code, t.prefix, t.number, t.service) == ("A-001", "A", 1, JOB)
    assert t.status == Status.WAITING
    assert t.language == "ru" and t.source == "kiosk-1"
    assert t.service_day == "2026-11-23"
    assert t.issued_at == clock.now()
    assert t.ahead == 0
    assert t.estimated_wait_min > 0  # no counter is open yet: never "no wait" (issue 13)
    assert t.counter is None and t.priority is None
    assert len(t.token) >= 22  # >= 128 bits of urlsafe base64


def test_numbering_is_per_prefix(queue, clock):
    """Each prefix counts on its own; services of one category share their prefix's sequence."""
    codes = [queue.issue(s).code for s in (JOB, PENSION, UNEMPLOYMENT, LABOUR, JOB, PENSION)]
    assert codes == ["A-001", "B-001", "A-002", "H-001", "A-003", "B-002"]


def test_tokens_are_unique_and_not_sequential(queue):
    """Status tokens are random: all different, none derived from the code or number."""
    tickets = [queue.issue(JOB) for _ in range(20)]
    tokens = [t.token for t in tickets]
    assert len(set(tokens)) == 20
    for t in tickets:
        assert t.code not in t.token and str(t.number) != t.token


def test_issue_refuses_unknown_service_and_priority(queue):
    """Unknown service or priority class is refused with its named error, and nothing is issued."""
    before = queue.last_event_id()
    with pytest.raises(UnknownService, match="no-such-service"):
        queue.issue("no-such-service")
    with pytest.raises(UnknownPriority, match="vip"):
        queue.issue(JOB, priority="vip")
    assert queue.waiting() == []
    assert [e for e in queue.events(before) if e.kind == "issued"] == []


def test_issue_refuses_unknown_language(queue):
    """A language outside az/ru/en is bad input, not a new ticket."""
    with pytest.raises(NovbeError, match="xx"):
        queue.issue(JOB, language="xx")
    assert queue.waiting() == []


def test_ahead_and_estimate_on_issue(queue, clock):
    """`ahead` counts those waiting who will be served first; with no counter open, the four
    counters that serve the service (1, 2, 3, 20) are expected to open shortly, so the first
    four tickets (and a veteran) wait for that opening, never "no wait"."""
    first = queue.issue(JOB)
    clock.advance(10)
    second = queue.issue(JOB)
    clock.advance(10)
    third = queue.issue(JOB)
    assert [first.ahead, second.ahead, third.ahead] == [0, 1, 2]
    opening = round(OPENING_DELAY_S / 60)
    assert first.estimated_wait_min == second.estimated_wait_min == third.estimated_wait_min == opening
    clock.advance(10)
    vet = queue.issue(JOB, priority="veteran")
    assert vet.ahead == 0 and vet.estimated_wait_min == opening
    assert queue.status(third.token).ahead == 3  # the veteran goes before


def test_before_counters_open_the_estimate_assumes_the_serving_counters(queue, clock):
    """With no counter of the service open (before sign-in, lunch pause), the wait is spread over
    the counters configured to serve it, so tickets are not refused as running past closing."""
    clock.set("2026-11-23T13:00:00+00:00")  # Monday 17:00 Baku: an hour left, no counter open
    for _ in range(20):
        queue.issue(JOB)
    t = queue.issue(JOB, check_hours=True)  # 20 ahead, shared by counters 1, 2, 3, 20
    assert 20 * 8 / 4 <= t.estimated_wait_min < 60
    queue.open_counter("1")
    with pytest.raises(CentreClosed, match="18:00"):
        queue.issue(JOB, check_hours=True)  # one counter open: that one counts
    open_one = queue.status(t.token).estimated_wait_min
    queue.pause_counter("1")
    paused = queue.status(t.token).estimated_wait_min
    assert paused > open_one  # its pause comes first


def test_ahead_counts_other_services_every_serving_counter_calls_first(queue, clock):
    """People ahead include the other services' waiting tickets that every counter of this service
    would call first (here: all pensions, since counters 4, 5, 6, 20 serve all of them)."""
    for svc in ["pensions.disability"] * 6 + ["pensions.survivor"] * 4:
        queue.issue(svc)
        clock.advance(30)
    me = queue.issue(PENSION)
    assert me.ahead == 10 and me.estimated_wait_min > 0
    assert queue.status(me.token).ahead == 10
    assert queue.issue("pensions.survivor", priority="veteran").ahead == 0
    assert queue.status(me.token).ahead == 11
    called = [queue.call_next("4").id for _ in range(12)]
    assert called.index(me.id) == 11  # exactly those 11 were called first


def test_ahead_leaves_out_services_some_serving_counter_does_not_call(queue, clock):
    """A ticket of another service is not counted ahead when one of this service's counters does
    not serve it (that counter may call this ticket first): `ahead` stays a lower bound."""
    queue.issue(JOB)
    clock.advance(1)
    queue.issue(LABOUR)
    clock.advance(1)
    assert queue.issue(UNEMPLOYMENT).ahead == 1  # the job-seeker; counters 1, 2 never call labour
    clock.advance(1)
    assert queue.issue(LABOUR).ahead == 1  # the labour one; counter 15 never calls employment


def test_snapshot_estimate_is_what_a_new_visitor_would_face(queue, clock):
    """The board's estimate for a service is the wait a new visitor of it would get, and its
    category shows the longest of its services'."""
    for svc in ["pensions.disability"] * 6 + ["pensions.survivor"] * 4:
        queue.issue(svc)
    snap = queue.snapshot()
    new = queue.issue(PENSION)
    load = {s.id: s for s in snap.services}
    cats = {c.id: c for c in snap.categories}
    assert load[PENSION].waiting == 0
    assert load[PENSION].estimated_wait_min == new.estimated_wait_min > 0
    pensions = [s.id for s in queue.config.category("pensions").services]
    assert cats["pensions"].estimated_wait_min == max(load[s].estimated_wait_min for s in pensions)


def test_estimate_divides_by_open_counters(queue, clock):
    """With two counters of the service open, the estimate about halves."""
    for _ in range(4):
        queue.issue(JOB)
        clock.advance(1)
    queue.open_counter("1")
    t = queue.issue(JOB)
    one = t.estimated_wait_min
    queue.open_counter("2")
    two = queue.status(t.token).estimated_wait_min
    assert t.ahead == 4
    assert one >= 4 * queue.config.service(JOB).service_min  # 4 visits before it on one counter
    assert abs(2 * two - one) <= 0.15 * one


def test_estimate_learns_from_recent_visits(queue, clock):
    """Once enough visits are measured, the estimate draws on them instead of the config."""
    for _ in range(MIN_DRAWN):
        queue.issue(JOB)
    for _ in range(MIN_DRAWN):
        queue.call_next("1")
        queue.start("1")
        clock.advance(240)
        queue.finish("1")
    queue.issue(JOB)
    t = queue.issue(JOB)
    assert queue.config.service(JOB).service_min == 8
    assert (t.ahead, t.estimated_wait_min) == (1, 4)  # 1 ahead × the 4-minute visits, counter 1


class TestDailyCap:
    """A config where employment issues at most two tickets per service per day."""

    @pytest.fixture
    def config(self):
        return config_variant(caps={"employment": 2})

    def test_daily_cap_refuses_the_ticket_after_the_cap(self, queue):
        """daily_cap = 2 issues two tickets, then DailyCapReached, for that service only."""
        queue.issue(JOB)
        queue.issue(JOB)
        before = queue.last_event_id()
        with pytest.raises(DailyCapReached, match="employment.job-seeker"):
            queue.issue(JOB)
        assert queue.last_event_id() == before
        assert queue.issue(UNEMPLOYMENT).code == "A-003"  # the category's other service still issues
        assert queue.issue(PENSION).code == "B-001"


# ---- calling order ---------------------------------------------------------------------------
def test_call_next_orders_by_priority_then_issue_time_across_services(queue, clock):
    """Counter 3 (employment + labour) calls priority classes first, then oldest, over both services."""
    normal_a = queue.issue(JOB)
    clock.advance(60)
    normal_h = queue.issue(LABOUR)
    clock.advance(60)
    elderly_a = queue.issue(UNEMPLOYMENT, priority="elderly")
    clock.advance(60)
    veteran_h = queue.issue(LABOUR, priority="veteran")
    clock.advance(60)
    disabled_a = queue.issue(JOB, priority="disability")
    clock.advance(60)
    queue.issue(PENSION)  # counter 3 does not serve pensions
    order = []
    for _ in range(5):
        order.append(queue.call_next("3").code)
        clock.advance(30)
    assert order == [veteran_h.code, disabled_a.code, elderly_a.code, normal_a.code, normal_h.code]
    with pytest.raises(NoTicketWaiting, match="3"):
        queue.call_next("3")
    assert [t.service for t in queue.waiting()] == [PENSION]


def test_equal_priority_ranks_share_one_line(queue, clock):
    """Two classes of the same rank (elderly, parent) are served by issue time between them."""
    parent = queue.issue(JOB, priority="parent")
    clock.advance(5)
    elderly = queue.issue(JOB, priority="elderly")
    assert [queue.call_next("1").code, queue.call_next("1").code] == [parent.code, elderly.code]


def test_counter_only_calls_its_services(queue, clock):
    """A counter never calls a ticket of a service it does not serve."""
    queue.issue(PENSION)
    with pytest.raises(NoTicketWaiting):
        queue.call_next("1")
    assert queue.call_next("4").service == PENSION


def test_waiting_lists_in_calling_order(queue, clock):
    """waiting(counter) is the order call_next will follow."""
    queue.issue(JOB)
    clock.advance(1)
    queue.issue(LABOUR, priority="elderly")
    clock.advance(1)
    queue.issue(PENSION)
    listed = [t.code for t in queue.waiting("3")]
    assert listed == ["H-001", "A-001"]
    assert [queue.call_next("3").code for _ in listed] == listed


def test_two_counters_never_get_the_same_ticket(queue, clock):
    """Counters pressing Next one after the other get different tickets."""
    for _ in range(4):
        queue.issue(JOB)
    got = [queue.call_next(c).code for c in ("1", "2", "3", "20")]
    assert sorted(got) == ["A-001", "A-002", "A-003", "A-004"]


# ---- the visit at the counter -----------------------------------------------------------------
def test_call_next_sets_ticket_and_counter(queue, clock):
    """A called ticket records counter and time; the counter is open holding it; an event says so."""
    t = queue.issue(JOB)
    clock.advance(120)
    before = queue.last_event_id()
    called = queue.call_next("1", staff="aysel")
    assert called.id == t.id and called.status == Status.CALLED
    assert called.counter == "1" and called.called_at == clock.now()
    state = queue.counter_state("1")
    assert state.mode == CounterMode.OPEN and state.staff == "aysel"
    assert state.ticket is not None and state.ticket.code == t.code
    events = queue.events(before)
    assert kinds(events) == ["counter_opened", "called"]
    assert events[-1].code == t.code and events[-1].counter == "1" and events[-1].staff == "aysel"


def test_next_ends_the_current_visit_as_done(queue, clock):
    """Pressing Next while a visitor is at the counter finishes that visit (served) first."""
    first = queue.issue(JOB)
    second = queue.issue(JOB)
    queue.call_next("1")
    clock.advance(60)
    queue.start("1")
    clock.advance(300)
    before = queue.last_event_id()
    assert queue.call_next("1").id == second.id
    done = queue.status(first.token)
    assert done.status == Status.DONE and done.outcome == "served"
    assert done.finished_at == clock.now()
    assert kinds(queue.events(before)) == ["finished", "called"]


def test_next_with_nobody_waiting_still_ends_the_visit(queue, clock):
    """Next with an empty queue finishes the current visit, then says NoTicketWaiting."""
    t = queue.issue(JOB)
    queue.call_next("1")
    queue.start("1")
    with pytest.raises(NoTicketWaiting):
        queue.call_next("1")
    assert queue.status(t.token).status == Status.DONE
    state = queue.counter_state("1")
    assert state.ticket is None and state.mode == CounterMode.OPEN


def test_recall_counts_and_emits(queue, clock):
    """Recall calls the same ticket again: counted, one event, the board sees a recall."""
    t = queue.issue(JOB)
    queue.call_next("1")
    before = queue.last_event_id()
    clock.advance(30)
    r = queue.recall("1")
    assert r.id == t.id and r.recalls == 1 and r.status == Status.CALLED
    assert queue.recall("1").recalls == 2
    assert kinds(queue.events(before)) == ["recalled", "recalled"]
    calls = queue.snapshot().calls
    assert calls[0].code == t.code and calls[0].recall


def test_start_then_finish_with_outcome(queue, clock):
    """start moves called → serving; finish(outcome) ends the visit as done with that outcome."""
    t = queue.issue(JOB)
    queue.call_next("1")
    clock.advance(45)
    s = queue.start("1")
    assert s.status == Status.SERVING and s.started_at == clock.now()
    clock.advance(400)
    f = queue.finish("1", "referred")
    assert f.id == t.id and f.status == Status.DONE and f.outcome == "referred"
    assert f.finished_at == clock.now()
    assert queue.counter_state("1").ticket is None
    assert kinds(queue.events(), t.id) == ["issued", "called", "started", "finished"]


def test_finish_refuses_an_unknown_outcome(queue):
    """finish with an outcome that is not served/unresolved/referred is refused; the visit stays."""
    queue.issue(JOB)
    queue.call_next("1")
    with pytest.raises(NovbeError, match="bogus"):
        queue.finish("1", "bogus")
    assert queue.counter_state("1").ticket.status == Status.CALLED


def test_finish_refuses_day_end(queue):
    """day_end is how the day change ends a visit, not an outcome staff give: finish refuses it."""
    queue.issue(JOB)
    queue.call_next("1")
    with pytest.raises(NovbeError, match="day_end"):
        queue.finish("1", "day_end")
    assert queue.counter_state("1").ticket.status == Status.CALLED


def test_no_show(queue, clock):
    """A called visitor who does not come is marked no_show and leaves the counter free."""
    t = queue.issue(JOB)
    queue.call_next("1")
    clock.advance(120)
    n = queue.no_show("1")
    assert n.id == t.id and n.status == Status.NO_SHOW and n.finished_at == clock.now()
    assert queue.counter_state("1").ticket is None
    assert kinds(queue.events(), t.id) == ["issued", "called", "no_show"]


def test_call_a_specific_ticket(queue, clock):
    """call(counter, code or token) calls that ticket out of order and ends the current visit."""
    a1 = queue.issue(JOB)
    a2 = queue.issue(JOB)
    a3 = queue.issue(JOB)
    assert queue.call("1", a3.code).id == a3.id
    queue.start("1")
    assert queue.call("1", a2.token).id == a2.id
    assert queue.status(a3.token).status == Status.DONE
    assert queue.call_next("1").id == a1.id


def test_transfer_keeps_place(queue, clock):
    """With keep_place, a transferred visitor waits for the new service with their original time."""
    assert queue.config.transfer_policy == "keep_place"
    t = queue.issue(JOB)
    clock.advance(60)
    later = queue.issue(LEGAL)
    clock.advance(60)
    queue.call_next("1")
    queue.start("1")
    clock.advance(300)
    before = queue.last_event_id()
    moved = queue.transfer("1", LEGAL)
    assert moved.id == t.id and moved.code == t.code
    assert moved.status == Status.WAITING and moved.service == LEGAL
    assert moved.counter is None and moved.transfers == 1
    assert moved.ahead == 0  # issued before the one already waiting for social-legal
    assert queue.counter_state("1").ticket is None
    events = queue.events(before)
    assert kinds(events) == ["transferred"]
    assert events[0].details["from_service"] == JOB and events[0].details["to_service"] == LEGAL
    assert [queue.call_next("16").id, queue.call_next("16").id] == [t.id, later.id]


def test_transfer_refuses_same_service_and_unknown_service(queue):
    """Transfer to the ticket's own service or to an unknown one is refused; the visit stays."""
    queue.issue(JOB)
    queue.call_next("1")
    with pytest.raises(IllegalTransition):
        queue.transfer("1", JOB)
    with pytest.raises(UnknownService):
        queue.transfer("1", "nowhere")
    assert queue.counter_state("1").ticket.status == Status.CALLED


def test_cancel_waiting_and_called(queue, clock):
    """A waiting or called ticket can be cancelled (by code or token); a called one frees its counter."""
    a1 = queue.issue(JOB)
    a2 = queue.issue(JOB)
    assert queue.cancel(a2.code).status == Status.CANCELLED
    queue.call_next("1")
    c = queue.cancel(a1.token)
    assert c.status == Status.CANCELLED
    assert queue.counter_state("1").ticket is None
    with pytest.raises(NoTicketWaiting):
        queue.call_next("1")
    assert kinds(queue.events(), a2.id) == ["issued", "cancelled"]


# ---- counters ----------------------------------------------------------------------------------
def test_counter_open_pause_close(queue):
    """Counters open with staff, pause, close; each change is one event; a counter starts closed."""
    assert queue.counter_state("5").mode == CounterMode.CLOSED
    before = queue.last_event_id()
    s = queue.open_counter("5", staff="rauf")
    assert s.mode == CounterMode.OPEN and s.staff == "rauf"
    assert queue.pause_counter("5").mode == CounterMode.PAUSED
    assert queue.open_counter("5").staff == "rauf"
    closed = queue.close_counter("5")
    assert closed.mode == CounterMode.CLOSED and closed.staff is None
    assert kinds(queue.events(before)) == ["counter_opened", "counter_paused", "counter_opened",
                                           "counter_closed"]


def test_paused_counter_that_calls_is_open_again(queue):
    """A paused counter pressing Next is open again (with its event) and gets the ticket."""
    queue.issue(JOB)
    queue.open_counter("1")
    queue.pause_counter("1")
    before = queue.last_event_id()
    queue.call_next("1")
    assert queue.counter_state("1").mode == CounterMode.OPEN
    assert kinds(queue.events(before)) == ["counter_opened", "called"]


def test_a_counter_switches_its_work_profile_from_its_next_next(queue):
    """A switch among the counter's profiles is an event, shows in profiles_now and decides
    the next Next (pensions first: a newer pension before an older insurance ticket); one the
    counter may not run is refused with UnknownProfile."""
    queue.open_counter("6")
    insurance = queue.issue("insurance.record").code
    pension = queue.issue("pensions.age").code
    before = queue.last_event_id()
    assert queue.switch_profile("6", "pensions-first").profile == "pensions-first"
    assert kinds(queue.events(before)) == ["profile_changed"]
    assert queue.profiles_now()[0]["6"].profile == "pensions-first"
    assert queue.call_next("6").code == pension
    assert queue.call_next("6").code == insurance
    with pytest.raises(UnknownProfile):
        queue.switch_profile("6", "benefits-first")


def test_close_refused_while_a_visitor_is_at_the_counter(queue):
    """A counter with a called or serving visitor cannot close until the visit ends."""
    queue.issue(JOB)
    queue.call_next("1")
    with pytest.raises(IllegalTransition):
        queue.close_counter("1")
    queue.finish("1")
    assert queue.close_counter("1").mode == CounterMode.CLOSED


def test_unknown_counter_is_refused_everywhere(queue):
    """Every counter operation names an unknown counter with UnknownCounter."""
    queue.issue(JOB)
    for op in (queue.call_next, queue.recall, queue.start, queue.finish, queue.no_show,
               queue.open_counter, queue.pause_counter, queue.close_counter, queue.counter_state):
        with pytest.raises(UnknownCounter, match="99"):
            op("99")
    with pytest.raises(UnknownCounter):
        queue.transfer("99", LABOUR)
    with pytest.raises(UnknownCounter):
        queue.call("99", "A-001")
    assert queue.waiting()[0].status == Status.WAITING


# ---- illegal transitions -------------------------------------------------------------------------
def test_counter_ops_without_a_visitor_are_illegal(queue):
    """recall/start/finish/no_show/transfer at an empty counter raise IllegalTransition."""
    for op in (queue.recall, queue.start, queue.finish, queue.no_show):
        with pytest.raises(IllegalTransition):
            op("1")
    with pytest.raises(IllegalTransition):
        queue.transfer("1", LABOUR)


def test_serving_visitor_cannot_be_started_recalled_or_no_showed(queue):
    """Once serving, start, recall and no_show are refused; finish is still allowed."""
    queue.issue(JOB)
    queue.call_next("1")
    queue.start("1")
    before = queue.last_event_id()
    for op in (queue.start, queue.recall, queue.no_show):
        with pytest.raises(IllegalTransition):
            op("1")
    assert queue.last_event_id() == before  # refused operations write nothing
    assert queue.finish("1").status == Status.DONE


def test_finished_tickets_cannot_be_called_or_cancelled(queue):
    """A done ticket cannot be called again or cancelled; a called one cannot be called elsewhere."""
    a1 = queue.issue(JOB)
    a2 = queue.issue(JOB)
    queue.call_next("1")
    queue.finish("1")
    with pytest.raises(IllegalTransition):
        queue.call("2", a1.code)
    with pytest.raises(IllegalTransition):
        queue.cancel(a1.code)
    queue.call_next("2")
    with pytest.raises(IllegalTransition):
        queue.call("1", a2.code)
    assert queue.counter_state("2").ticket.id == a2.id


def test_unknown_ticket_is_not_found(queue):
    """Operations naming a ticket that does not exist raise TicketNotFound."""
    with pytest.raises(TicketNotFound):
        queue.status("not-a-token")
    with pytest.raises(TicketNotFound):
        queue.cancel("Z-999")
    with pytest.raises(TicketNotFound):
        queue.call("1", "A-123")
    with pytest.raises(TicketNotFound):
        queue.ticket("A-001")
    with pytest.raises(TicketNotFound):
        queue.rate("not-a-token", 5)


# ---- rating ------------------------------------------------------------------------------------
def test_rate_once_after_the_visit(queue):
    """A visit can be rated 1–5 once it is done, and only once."""
    t = queue.issue(JOB)
    with pytest.raises(IllegalTransition):
        queue.rate(t.token, 5)
    queue.call_next("1")
    queue.finish("1")
    for bad in (0, 6, "5", 4.5, True):
        with pytest.raises(NovbeError):
            queue.rate(t.token, bad)
    assert queue.rate(t.token, 4).rating == 4
    with pytest.raises(AlreadyRated):
        queue.rate(t.token, 5)
    assert queue.status(t.token).rating == 4
    assert kinds(queue.events(), t.id)[-1] == "rated"


# ---- reading: status, snapshot, events ---------------------------------------------------------
def test_status_by_token(queue, clock):
    """status(token) shows what a phone shows: status, ahead and estimated wait, updated live."""
    a1 = queue.issue(JOB)
    clock.advance(1)
    queue.issue(JOB)
    clock.advance(1)
    a3 = queue.issue(JOB)
    s = queue.status(a3.token)
    assert s.code == a3.code and s.status == Status.WAITING and s.ahead == 2
    assert s.estimated_wait_min == a3.estimated_wait_min > 0
    queue.call_next("1")
    assert queue.status(a3.token).ahead == 1
    assert queue.status(a1.token).status == Status.CALLED
    assert queue.status(a1.token).counter == "1"


def test_ticket_by_code(queue):
    """ticket(code) finds today's ticket by its printed code, case-insensitively (over HTTP
    without its token, which only the issuing kiosk and the phone get)."""
    t = queue.issue(JOB)
    found = queue.ticket("a-001")
    assert (found.id, found.code, found.service_day) == (t.id, t.code, t.service_day)
    assert found.token in (t.token, "")


def test_snapshot_shows_calls_waiting_and_counters(queue, clock):
    """The board's snapshot: newest call first, waiting per service and category, counter states."""
    queue.issue(JOB)
    clock.advance(60)
    queue.issue(JOB)
    queue.issue(PENSION)
    clock.advance(60)
    called = queue.call_next("1")
    clock.advance(60)
    queue.call_next("4")
    snap = queue.snapshot()
    assert snap.service_day == "2026-11-23"
    assert snap.last_event_id == queue.last_event_id()
    assert [(c.code, c.counter) for c in snap.calls] == [("B-001", "4"), (called.code, "1")]
    load = {s.id: s for s in snap.services}
    assert load[JOB].waiting == 1 and load[PENSION].waiting == 0
    assert load[JOB].oldest_wait_min == 2
    cats = {c.id: c for c in snap.categories}
    assert cats["employment"].waiting == 1
    counters = {c.id: c for c in snap.counters}
    assert counters["1"].ticket.code == called.code and counters["1"].mode == CounterMode.OPEN
    assert counters["7"].mode == CounterMode.CLOSED and counters["7"].ticket is None
    assert len(counters) == len(queue.config.counters)


def test_events_are_incremental(queue):
    """events(after_id) returns exactly the changes after that id, oldest first, ids increasing."""
    queue.issue(JOB)
    mark = queue.last_event_id()
    queue.issue(PENSION)
    queue.call_next("4")
    new = queue.events(mark)
    assert kinds(new) == ["issued", "counter_opened", "called"]
    assert [e.id for e in new] == sorted(e.id for e in new) and new[0].id > mark
    assert new[-1].id == queue.last_event_id()
    assert queue.events(queue.last_event_id()) == []
    all_events = queue.events(0)
    assert all_events[-len(new):] == new
    assert queue.events(0, limit=2) == all_events[:2]


def test_every_change_has_its_event(queue, clock):
    """Each ticket's event history retells its life, one event per change."""
    a = queue.issue(JOB)
    b = queue.issue(JOB)
    c = queue.issue(JOB)
    queue.call_next("1")
    queue.recall("1")
    queue.start("1")
    queue.transfer("1", LABOUR)
    queue.call_next("15")
    queue.finish("15", "unresolved")
    queue.call_next("1")
    queue.no_show("1")
    queue.cancel(c.code)
    events = queue.events()
    assert kinds(events, a.id) == ["issued", "called", "recalled", "started", "transferred",
                                   "called", "finished"]
    assert kinds(events, b.id) == ["issued", "called", "no_show"]
    assert kinds(events, c.id) == ["issued", "cancelled"]


# ---- opening hours -------------------------------------------------------------------------------
def test_check_hours_refuses_outside_opening_hours(queue, clock):
    """With check_hours, no ticket on Sunday, on a closed date, before 09:00 or after 18:00 Baku."""
    for when in ("2026-11-22T06:00:00+00:00",   # Sunday 10:00
                 "2026-11-09T06:00:00+00:00",   # a closed date (Monday)
                 "2026-11-23T04:59:00+00:00",   # Monday 08:59
                 "2026-11-23T14:00:00+00:00"):  # Monday 18:00
        clock.set(when)
        with pytest.raises(CentreClosed):
            queue.issue(JOB, check_hours=True)
    clock.set(MONDAY_10AM)
    assert queue.issue(JOB, check_hours=True).code == "A-001"
    assert queue.issue(JOB).code == "A-002"  # staff may still issue without the check


def test_check_hours_refuses_a_wait_past_closing(queue, clock):
    """Near closing time a ticket whose estimated wait runs past 18:00 is refused; a short one is not."""
    clock.set("2026-11-23T13:40:00+00:00")  # Monday 17:40 Baku: 20 minutes left
    queue.open_counter("1")
    queue.issue(JOB, check_hours=True)  # nobody ahead: no wait
    for _ in range(3):
        queue.issue(JOB)
    with pytest.raises(CentreClosed, match="18:00"):
        queue.issue(JOB, check_hours=True)  # 4 ahead × 8 min on one counter
    assert queue.issue(PENSION, check_hours=True).ahead == 0


# ---- devices -------------------------------------------------------------------------------------
def test_device_reports_raise_and_clear_alerts(queue):
    """A kiosk's printer trouble shows on the snapshot as an alert until it reports ok again."""
    t = queue.issue(JOB, source="kiosk-1")
    printed = queue.report_device("kiosk-1", "printed", ticket_id=t.id)
    assert printed.kind == "printed" and printed.ticket_id == t.id and printed.source == "kiosk-1"
    assert queue.snapshot().alerts == []
    out = queue.report_device("kiosk-1", "printer_paper_out", "no paper")
    assert out.details == {"message": "no paper"}
    [alert] = queue.snapshot().alerts
    assert (alert.source, alert.kind, alert.message) == ("kiosk-1", "printer_paper_out", "no paper")
    queue.report_device("kiosk-1", "printer_ok")
    assert queue.snapshot().alerts == []
    with pytest.raises(NovbeError):
        queue.report_device("kiosk-1", "on_fire")
    with pytest.raises(TicketNotFound):
        queue.report_device("kiosk-1", "printed", ticket_id=999_999)


@pytest.mark.parametrize("channel", sorted(CHANNEL_REPORTERS))
def test_every_device_event_in_the_list_can_be_raised(queue, channel):
    """Every kind a device reports (DEVICE_CHANNELS, by CHANNEL_REPORTERS) is accepted
    (remote: with its role's token): its alerts raise one alert per device and channel, its ok
    kinds clear it."""
    alerts, oks = DEVICE_CHANNELS[channel]
    source = f"{CHANNEL_REPORTERS[channel]}-{channel}"
    for kind in alerts:
        event = queue.report_device(source, kind, f"{kind} here")
        assert (event.kind, event.source) == (kind, source)
        [alert] = queue.snapshot().alerts
        assert (alert.source, alert.kind, alert.message) == (source, kind, f"{kind} here")
    for kind in oks:
        queue.report_device(source, alerts[0])
        assert queue.report_device(source, kind).kind == kind
        assert queue.snapshot().alerts == []


def test_print_requests_reach_the_kiosk_they_name(queue, db_path, config, clock):
    """A ticket issued at the help desk for kiosk-2's printer is that kiosk's print request
    (with its token, for the QR code) until kiosk-2 reports it printed; a kiosk's own tickets
    and a ticket shown as a QR code are nobody's print request."""
    desk = LocalQueue(db_path, config, clock)      # the help desk writes on the server's file
    try:
        wanted = desk.issue(JOB, priority="veteran",
                            assisted=Assisted("nigar", "veteran card seen", "kiosk-2"))
        desk.issue(JOB, assisted=Assisted("nigar"))
    finally:
        desk.close()
    queue.issue(JOB, source="kiosk-2")
    [request] = queue.print_requests("kiosk-2")
    assert (request.id, request.code, request.priority) == (wanted.id, wanted.code, "veteran")
    assert request.token == wanted.token and request.source == "assist"
    assert queue.print_requests("kiosk-1") == []
    issued = [e for e in queue.events() if e.kind == "issued" and e.ticket_id == wanted.id]
    assert (issued[0].staff, issued[0].source) == ("nigar", "assist")
    assert issued[0].details["print_at"] == "kiosk-2"
    queue.report_device("kiosk-2", "printed", ticket_id=request.id)
    assert queue.print_requests("kiosk-2") == []


# ---- other transfer policies -----------------------------------------------------------------------
class TestTransferFront:
    """A centre configured with transfer = "front": transferred visitors are served next."""

    @pytest.fixture
    def config(self):
        return config_variant(transfer="front")

    def test_transfer_front_goes_before_everyone(self, queue, clock):
        """With front, the transferred visitor is called before even priority classes."""
        vet = queue.issue(LEGAL, priority="veteran")
        clock.advance(60)
        t = queue.issue(JOB)
        queue.call_next("1")
        assert queue.transfer("1", LEGAL).ahead == 0
        assert [queue.call_next("16").id, queue.call_next("16").id] == [t.id, vet.id]


class TestTransferBack:
    """A centre configured with transfer = "back": transferred visitors queue again from now."""

    @pytest.fixture
    def config(self):
        return config_variant(transfer="back")

    def test_transfer_back_goes_to_the_end(self, queue, clock):
        """With back, the transferred visitor waits behind those already waiting."""
        t = queue.issue(JOB)
        clock.advance(60)
        other = queue.issue(LEGAL)
        clock.advance(60)
        queue.call_next("1")
        assert queue.transfer("1", LEGAL).ahead == 1
        assert [queue.call_next("16").id, queue.call_next("16").id] == [other.id, t.id]


# ---- zones ---------------------------------------------------------------------------------------
class TestZones:
    """A centre whose veterans' counters 18 and 19 stand in a second hall with its own board."""

    @pytest.fixture
    def config(self):
        return config_variant(zones={"18": "hall2", "19": "hall2"})

    def test_zone_board_keeps_its_calls_when_another_hall_is_busy(self, queue, clock):
        """A zone's snapshot lists its counters' calls even after 100 newer calls in another hall."""
        queue.issue("vem.veterans")
        hall2 = queue.call_next("18")
        for _ in range(100):
            clock.advance(20)
            queue.issue(PENSION)
            queue.call_next("4")
        snap = queue.snapshot("hall2")
        assert [(c.code, c.counter) for c in snap.calls] == [(hall2.code, "18")]
        assert {c.id for c in snap.counters} == {"18", "19"}
        assert len(queue.snapshot().calls) > 1


# ---- what a device follows --------------------------------------------------------------------
def test_every_queue_hands_out_a_feed_of_its_new_events(queue):
    """`event_feed()` brings the events after the id it starts from, each once, whichever the
    queue (a file's data_version or the server's event stream)."""
    woke = threading.Event()
    feed = queue.event_feed()
    feed.start(queue.last_event_id(), wakeup=woke.set)
    try:
        issued = queue.issue(JOB, source="kiosk-1")
        seen: list = []
        deadline = time.monotonic() + 30   # a bound for a loaded machine, not a pace
        while time.monotonic() < deadline:  # the stream may still be connecting: it wakes us
            with contextlib.suppress(QueueUnavailable):
                seen += feed.poll()
            if any(e.ticket_id == issued.id for e in seen):
                break
            woke.wait(0.1)
            woke.clear()
        issued_events = [e for e in seen if e.ticket_id == issued.id]
        assert [e.kind for e in issued_events] == ["issued"]
        assert feed.reconnects == 0
    finally:
        feed.close()


def test_fresh_config_is_none_while_the_config_stands(queue):
    """A device asking for a newer config gets None when nothing changed, from either queue."""
    assert queue.config.services  # read once, as a device does at start
    assert queue.fresh_config() is None
    assert queue.clock.now().tzinfo is not None
