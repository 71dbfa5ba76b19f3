"""Work profiles on a real queue file: config problems named "file: key: what", a manager's
scheduled switch taking effect at its time (fake clock) and ending, who may switch to what,
the quota at a counter, and the profile each call was made by in its event."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from shared.config.centre import config_document, load_config, parse_config
from shared.core.clock import FakeClock, to_epoch
from shared.core.errors import ConfigError, NoTicketWaiting, UnknownProfile
from shared.core.local_queue import LocalQueue

MONDAY_NOON = datetime(2026, 3, 2, 12, 0)


@pytest.fixture
def queue(tmp_path: Path):
    config = load_config()
    clock = FakeClock(MONDAY_NOON.replace(tzinfo=config.tz))
    q = LocalQueue(tmp_path / "q.sqlite", config, clock)
    yield q, clock
    q.close()


def test_config_problems_name_file_key_and_what():
    """An unknown service in a profile, a counter naming an unknown profile or one sharing none
    of its services, a bad quota: each refused as "file: key: what"."""
    doc = config_document(load_config())
    doc["profile"][0]["backup"] = ["pensions", "no-such-service"]
    doc["profile"][2]["priority"] = "2-1"
    doc["counter"][0]["profile"] = "lunch-covr"
    doc["counter"][1]["profiles"] = ["pensions-first"]
    with pytest.raises(ConfigError) as refused:
        parse_config(doc, "centre.toml")
    assert refused.value.problems == [
        "centre.toml: profile.pensions-first.backup: lists unknown service 'no-such-service'",
        "centre.toml: profile.help-others.priority: must be \"first\" or a quota like \"2:1\" "
        "(regular:priority), got '2-1'",
        "centre.toml: counter.1.profile: unknown profile 'lunch-covr' (known: benefits-first, "
        "help-others, lunch-cover, pensions-first, two-to-one)",
        "centre.toml: counter.2.profiles: profile 'pensions-first' lists none of this "
        "counter's services",
    ]


def test_a_scheduled_switch_takes_effect_at_its_time_and_ends(queue):
    """Lunch cover 12:30–14:00 style: before its start Next calls by the default (the older
    insurance ticket first); from its start by the scheduled profile (pensions first, the
    insurance ticket is backup), told once as profile_changed; after its end, the default."""
    q, clock = queue
    q.open_counter("6", "rauf")
    day = clock.now().astimezone(q.config.tz)
    at = lambda h, m: to_epoch(day.replace(hour=h, minute=m))  # noqa: E731
    q.schedule_profile("6", "pensions-first", at(12, 30), at(14, 0), "aysel")
    clock.advance(minutes=20)
    insurance = [q.issue("insurance.record").code for _ in range(3)]
    clock.advance(minutes=1)
    pensions = [q.issue("pensions.age").code for _ in range(3)]
    assert q.call_next("6").code == insurance[0]                 # 12:21: the default
    clock.advance(minutes=10)                                    # 12:31
    now, planned = q.profiles_now()
    assert now["6"].profile == "pensions-first" and now["6"].by == "schedule"
    assert [p.profile for p in planned] == ["pensions-first"]
    assert q.call_next("6").code == pensions[0]
    assert q.call_next("6").code == pensions[1]
    changed = [e for e in q.events() if e.kind == "profile_changed"]
    assert [(e.counter, e.details["profile"], e.details["by"]) for e in changed] == [
        ("6", "pensions-first", "schedule")]
    clock.advance(minutes=90)                                    # 14:01: over
    assert q.call_next("6").code == insurance[1]
    changed = [e for e in q.events() if e.kind == "profile_changed"]
    assert [(e.details["profile"], e.details["by"]) for e in changed][-1] == ("", "default")
    called = [e for e in q.events() if e.kind == "called"]
    assert [e.details["profile"] for e in called] == ["", "pensions-first", "pensions-first", ""]


def test_who_may_switch_to_what(queue):
    """Staff choose among the counter's profiles; a manager any profile sharing a service with
    the counter; nobody a profile that serves none of its services."""
    q, _ = queue
    with pytest.raises(UnknownProfile, match="may not run profile 'two-to-one'"):
        q.switch_profile("1", "two-to-one", "rauf")
    assert q.switch_profile("1", "two-to-one", "aysel", manager=True).by == "manager"
    assert q.switch_profile("1", "pensions-first", "aysel", manager=True).profile == \
        "pensions-first"                                         # a cross-trained window
    with pytest.raises(UnknownProfile, match="unknown work profile|unknown profile"):
        q.switch_profile("1", "no-such-profile", "aysel", manager=True)
    assert q.switch_profile("6", "lunch-cover", "rauf").by == "staff"
    with pytest.raises(UnknownProfile, match="end after it starts"):
        q.schedule_profile("6", "lunch-cover", 2e9, 2e9 - 60)


def test_backup_service_waits_until_its_limit(queue):
    """Pensions first: an insurance ticket (backup, target 10 min, backup_after 1.5) waits
    behind newer pensions tickets until it has waited 15 minutes."""
    q, clock = queue
    q.open_counter("6", "rauf")
    q.switch_profile("6", "pensions-first", "rauf")
    backup = q.issue("insurance.record").code
    for _ in range(4):
        clock.advance(minutes=3)
        q.issue("pensions.age")
    calls = [q.call_next("6").code for _ in range(3)]            # it has waited 12 minutes
    assert backup not in calls
    assert [e.details["level"] for e in q.events() if e.kind == "called"] == ["primary"] * 3
    clock.advance(minutes=4)                                     # 16 minutes: past 1.5 × 10
    assert q.call_next("6").code == backup                       # before the pensions ticket


def test_two_regular_to_one_priority_at_a_counter(queue):
    """Under "2:1", with regular and priority visitors both waiting, Next takes them P R R P R R."""
    q, clock = queue
    q.open_counter("6", "rauf")
    q.switch_profile("6", "two-to-one", "rauf")
    for _ in range(6):
        q.issue("pensions.age")
        q.issue("pensions.age", priority="veteran")
        clock.advance(seconds=30)
    kinds = ["P" if q.call_next("6").priority else "R" for _ in range(6)]
    assert kinds == ["P", "R", "R", "P", "R", "R"]
    with pytest.raises(NoTicketWaiting):
        for _ in range(7):
            q.call_next("6")


def test_the_estimate_follows_a_switch_at_once(queue):
    """Counter 6 alone open with four insurance tickets waiting: a pension visitor is promised
    a long wait under its default profile, a short one as soon as it runs pensions first."""
    q, clock = queue
    q.open_counter("6", "rauf")
    for _ in range(4):
        q.issue("insurance.record")
    before = q.issue("pensions.age").estimated_wait_min
    q.switch_profile("6", "pensions-first", "rauf")
    after = q.issue("pensions.age").estimated_wait_min
    assert before > after
