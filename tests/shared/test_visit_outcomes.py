"""What Next records (README, the queue rules): Start is optional, a called visitor counts as at
the window once the walk-up time has passed since the last call or recall, only an explicit
No-show — or Next within the walk-up time — files "did not come", and each action says what it
recorded; a console can put the last outcome right for a few seconds."""

from __future__ import annotations

import pytest

from shared.core.errors import IllegalTransition, NoTicketWaiting
from shared.core.model import Status
from tests.shared.helpers import JOB, kinds

WALK_UP = 60      # [visits] walk_up_s of the bundled config
UNDO = 20         # [visits] undo_s


def test_next_after_the_walk_up_time_records_served_without_start(queue, clock):
    """Next, talk for six minutes, Next again — no Start pressed — files the first visitor as
    served, timed from the call, and says so."""
    a, b = queue.issue(JOB), queue.issue(JOB)
    queue.call_next("1")
    clock.advance(372)
    before = queue.last_event_id()
    called = queue.call_next("1")
    assert called.id == b.id
    assert called.ended is not None
    assert (called.ended.code, called.ended.outcome, called.ended.seconds) == (a.code, "served", 372)
    done = queue.status(a.token)
    assert done.status == Status.DONE and done.outcome == "served"
    assert done.started_at is None        # nobody pressed Start: the walk-up is not made up
    assert kinds(queue.events(before)) == ["finished", "called"]


def test_next_within_the_walk_up_time_records_did_not_come(queue, clock):
    """Next pressed sooner than the walk-up time after the call, with no Start, files a no-show."""
    a, b = queue.issue(JOB), queue.issue(JOB)
    queue.call_next("1")
    clock.advance(WALK_UP - 5)
    called = queue.call_next("1")
    assert called.id == b.id and called.ended is not None
    assert (called.ended.code, called.ended.outcome, called.ended.seconds) == (a.code, "no_show", None)
    assert queue.status(a.token).status == Status.NO_SHOW


def test_a_recall_starts_the_walk_up_time_again(queue, clock):
    """A recall means nobody has come yet: the walk-up counts from it, not from the first call."""
    a, _ = queue.issue(JOB), queue.issue(JOB)
    queue.call_next("1")
    clock.advance(WALK_UP + 30)
    queue.recall("1")
    clock.advance(WALK_UP - 10)            # 80 s after the call, 50 s after the recall
    assert queue.call_next("1").ended.outcome == "no_show"
    assert queue.status(a.token).status == Status.NO_SHOW


def test_explicit_start_and_no_show_still_decide(queue, clock):
    """Start makes a quick visit served; No-show after the walk-up time still files "did not
    come" — the buttons always win over the rule."""
    a, b, c = queue.issue(JOB), queue.issue(JOB), queue.issue(JOB)
    queue.call_next("1")
    clock.advance(5)
    queue.start("1")
    clock.advance(20)
    assert queue.call_next("1").ended.outcome == "served"       # 25 s, but started
    assert queue.status(a.token).started_at is not None
    clock.advance(WALK_UP * 3)
    gone = queue.no_show("1")
    assert gone.id == b.id and gone.ended.outcome == "no_show"
    assert queue.call_next("1").id == c.id


def test_next_with_nobody_waiting_still_says_what_it_recorded(queue, clock):
    """The last visitor of the queue: Next finds nobody, but the error carries the visit it ended."""
    a = queue.issue(JOB)
    queue.call_next("1")
    clock.advance(200)
    with pytest.raises(NoTicketWaiting) as raised:
        queue.call_next("1")
    assert raised.value.ended is not None
    assert (raised.value.ended.code, raised.value.ended.outcome) == (a.code, "served")
    assert queue.status(a.token).status == Status.DONE


def test_finish_records_the_outcome_staff_choose(queue, clock):
    """Finish can record "not resolved" and "referred elsewhere" — outcomes the reports show."""
    a, b = queue.issue(JOB), queue.issue(JOB)
    queue.call_next("1")
    clock.advance(300)
    assert queue.finish("1", "unresolved").ended.outcome == "unresolved"
    queue.call_next("1")
    clock.advance(300)
    assert queue.finish("1", "referred").ended.outcome == "referred"
    assert [queue.status(t.token).outcome for t in (a, b)] == ["unresolved", "referred"]


def test_the_last_outcome_can_be_put_right_for_a_few_seconds(queue, clock):
    """Undo: a "did not come" filed by a quick Next becomes served within undo_s (an event), and
    back; after undo_s, or from another counter, it is refused."""
    a, _ = queue.issue(JOB), queue.issue(JOB)
    queue.call_next("1")
    clock.advance(30)
    assert queue.call_next("1").ended.outcome == "no_show"
    clock.advance(UNDO - 5)
    before = queue.last_event_id()
    fixed = queue.correct("1", a.code, "served")
    assert (fixed.outcome, fixed.seconds) == ("served", 30)
    assert queue.status(a.token).status == Status.DONE
    assert kinds(queue.events(before)) == ["outcome_corrected"]
    with pytest.raises(IllegalTransition):
        queue.correct("2", a.code, "no_show")              # not this counter's visit
    clock.advance(10)
    with pytest.raises(IllegalTransition):
        queue.correct("1", a.code, "no_show")              # too late
    assert queue.status(a.token).status == Status.DONE


def test_the_walk_up_time_is_the_boundary(local_queue, clock):
    """One second before the walk-up time Next files "did not come"; at it, served — the moment
    the console's countdown reaches 0:00."""
    a, b, _ = (local_queue.issue(JOB) for _ in range(3))
    local_queue.call_next("1")
    clock.advance(WALK_UP - 1)
    assert local_queue.call_next("1").ended.outcome == "no_show"
    clock.advance(WALK_UP)
    assert local_queue.call_next("1").ended.outcome == "served"
    assert [local_queue.status(t.token).status for t in (a, b)] == [Status.NO_SHOW, Status.DONE]
