"""The fairness rule (issue 13): a regular visitor past wait_multiple × the target wait joins the
priority line then — called before priority visitors who came after that moment; off by config,
priority always goes first."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from shared.config.centre import parse_config
from shared.core.clock import FakeClock
from shared.core.fairness import is_overdue, limit_seconds
from shared.core.local_queue import LocalQueue
from tests.conftest import MONDAY_10AM
from tests.shared.helpers import JOB, dost_data


def _queue_config(enabled: bool):
    data = copy.deepcopy(dost_data())
    data["fairness"] = {"enabled": enabled, "wait_multiple": 2.0}
    return parse_config(data, "fair.toml")


def _queue(tmp_path: Path, clock: FakeClock, enabled: bool) -> LocalQueue:
    return LocalQueue(tmp_path / "fair.sqlite", _queue_config(enabled), clock)


@pytest.mark.parametrize("enabled", [True, False])
def test_regular_ticket_past_its_limit_goes_before_newer_priority(tmp_path, enabled):
    """Employment's target is 10 min, so the limit is 20: after 21 minutes the regular ticket is
    called before a veteran who came later — unless the rule is off."""
    clock = FakeClock(MONDAY_10AM)
    q = _queue(tmp_path, clock, enabled)
    try:
        regular = q.issue(JOB)
        clock.advance(minutes=21)
        veteran = q.issue(JOB, priority="veteran")
        called = q.call_next("1")
        assert called.id == (regular.id if enabled else veteran.id)
        assert q.call_next("1").id == (veteran.id if enabled else regular.id)
    finally:
        q.close()


def test_regular_ticket_within_its_limit_waits_for_priority(tmp_path):
    """Before the limit the usual order holds: the newer veteran goes first."""
    clock = FakeClock(MONDAY_10AM)
    q = _queue(tmp_path, clock, True)
    try:
        q.issue(JOB)
        clock.advance(minutes=19)
        veteran = q.issue(JOB, priority="veteran")
        assert q.call_next("1").id == veteran.id
    finally:
        q.close()


def test_priority_ticket_older_than_the_overdue_one_still_goes_first(tmp_path):
    """The rule only stops newer priority tickets: a veteran who came before the regular
    visitor is still called first."""
    clock = FakeClock(MONDAY_10AM)
    q = _queue(tmp_path, clock, True)
    try:
        veteran = q.issue(JOB, priority="veteran")
        clock.advance(1)
        regular = q.issue(JOB)
        clock.advance(minutes=30)
        assert [q.call_next("1").id, q.call_next("1").id] == [veteran.id, regular.id]
    finally:
        q.close()


def test_priority_ticket_that_came_before_the_limit_still_goes_first(tmp_path):
    """A veteran who came at minute 10, before the regular visitor reached the 20-minute limit,
    is still called first at minute 25; one who came at minute 22 is not."""
    clock = FakeClock(MONDAY_10AM)
    q = _queue(tmp_path, clock, True)
    try:
        regular = q.issue(JOB)
        clock.advance(minutes=10)
        early = q.issue(JOB, priority="veteran")
        clock.advance(minutes=12)
        late = q.issue(JOB, priority="veteran")
        clock.advance(minutes=3)
        order = [q.call_next("1").id for _ in range(3)]
        assert order == [early.id, regular.id, late.id]
    finally:
        q.close()


def test_the_wait_estimate_follows_the_rule(tmp_path):
    """With the rule on, an overdue regular ticket's printed wait counts no newer veteran ahead
    of it: it is the next one called."""
    clock = FakeClock(MONDAY_10AM)
    q = _queue(tmp_path, clock, True)
    try:
        q.open_counter("1")
        q.issue(JOB)
        q.call_next("1")
        q.start("1")                       # counter 1 busy
        regular = q.issue(JOB)
        clock.advance(minutes=21)
        for _ in range(3):
            q.issue(JOB, priority="veteran")
        with_rule = q.status(regular.token).estimated_wait_min
        q.config = _queue_config(False)
        without = q.status(regular.token).estimated_wait_min
        assert with_rule < without
    finally:
        q.close()


def test_limit_is_the_multiple_of_the_target():
    """The limit is wait_multiple × target minutes; a multiple of 0 turns the rule off."""
    assert limit_seconds(10, 2.0) == 1200
    assert is_overdue(0, 1200, 10, 2.0) and not is_overdue(0, 1199, 10, 2.0)
    assert not is_overdue(0, 10**6, 10, 0)


def test_fairness_config_is_validated():
    """A bad fairness section is named with its key."""
    from shared.core.errors import ConfigError

    data = copy.deepcopy(dost_data())
    data["fairness"] = {"enabled": "yes", "wait_multiple": -1, "typo": 1}
    with pytest.raises(ConfigError) as err:
        parse_config(data, "bad.toml")
    text = "\n".join(err.value.problems)
    assert "fairness.enabled" in text and "fairness.wait_multiple" in text and "fairness.typo" in text
