"""central/screening.py without a database: a shipped config body parses back, through the
centre's own parse_config, into the config it came from; broken ones are refused naming why;
each bound on events holds at its edge."""

from __future__ import annotations

import json

import pytest

from central.screening import (
    AHEAD_OF_SERVER_S,
    TICKET_LIFE_S,
    ConfigRefused,
    ShippedEvent,
    Version,
    event_problem,
    parse_body,
)
from shared.config.centre import load_config
from shared.config.versions import canonical, report_body

NOW = 1_795_413_600.0           # 2026-11-23 06:00 UTC
SERVICES = Version(1, frozenset({"labour", "pensions.age"}))


def test_a_shipped_body_parses_back_into_the_config_it_came_from() -> None:
    """Services (with their categories, targets, times), categories, priority classes,
    counters (what they serve, where — their work profiles stay with the centre: national
    reports name a profile by its id), time zone and reset hour all survive the round trip."""
    config = load_config()
    back = parse_body(canonical(config)[1], "central:test")
    assert back.tz == config.tz and back.day_reset_hour == config.day_reset_hour
    assert back.services == config.services
    assert [c.id for c in back.categories] == [c.id for c in config.categories]
    def served(counters):
        return [(c.id, c.names, c.services, c.zone) for c in counters]
    assert served(back.counters) == served(config.counters)
    assert back.priorities == config.priorities
    assert back.names == config.names


@pytest.mark.parametrize(("change", "named"), [
    (lambda b: b["centre"].update(timezone="Mars/Olympus_Mons"), "unknown time zone"),
    (lambda b: b["centre"].pop("names"), "missing key 'names'"),
    (lambda b: b["services"][0].update(category="nowhere"), "belongs to no category"),
    (lambda b: b["counters"][0].update(services=["astrology"]), "astrology"),
    (lambda b: b.update(centre="not a table"), "malformed"),
])
def test_a_broken_body_is_refused_naming_why(change, named: str) -> None:
    """A bad time zone, missing keys, a service of no category, a counter serving an unknown
    service, a malformed centre: ConfigRefused with the reason."""
    body = report_body(load_config())
    change(body)
    with pytest.raises(ConfigRefused, match=named):
        parse_body(json.dumps(body), "central:test")


def _event(**kw: object) -> ShippedEvent:
    fields: dict[str, object] = {"id": 10, "at": NOW, "kind": "called", "ticket_id": 5,
                                 "service": "labour", "details": None, "shipped_at": NOW,
                                 "issue_id": 3, "issue_at": NOW - 600}
    fields.update(kw)
    return ShippedEvent(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("event", "problem"), [
    (_event(), None),
    (_event(at=float("nan")), "not a finite number"),
    (_event(at=NOW + AHEAD_OF_SERVER_S + 1), "more than a day after it arrived"),
    (_event(at=NOW + AHEAD_OF_SERVER_S, issue_at=NOW), None),
    (_event(kind="exploded"), "unknown kind"),
    (_event(details="{"), "not JSON"),
    (_event(details="[1]"), "not a JSON object"),
    (_event(service="astrology"), "unknown service"),
    (_event(ticket_id=None), "without a ticket"),
    (_event(issue_at=NOW - TICKET_LIFE_S), None),
    (_event(issue_at=NOW - TICKET_LIFE_S - 1), "after ticket 5 was issued"),
    (_event(issue_at=NOW + 61), "after ticket 5 was issued"),
    (_event(kind="rated", issue_at=NOW - 40 * 86_400, details='{"score": 5}'), None),
    (_event(kind="rated", issue_at=NOW + 61, details='{"score": 5}'), "after ticket 5"),
    (_event(kind="expired", issue_at=NOW - 3 * 86_400,     # the day change after a weekend
            details='{"ended_at": "2026-11-20T15:00:00+00:00"}'), None),
    (_event(kind="expired", issue_at=NOW - 3 * 86_400,
            details='{"ended_at": "2026-11-23T05:00:00+00:00"}'), "not within"),
    (_event(kind="finished", issue_at=NOW - 3 * 86_400,
            details='{"outcome": "day_end", "ended_at": "2026-11-20T15:00:00+00:00"}'), None),
    (_event(kind="finished", issue_at=NOW - 3 * 86_400,
            details='{"outcome": "served"}'), "after ticket 5 was issued"),
    (_event(kind="rated", details='{"score": 6}'), "rating 6"),
    (_event(kind="rated", details='{"score": true}'), "rating True"),
    (_event(kind="transferred", details='{"to_service": "astrology"}'), "transfer to unknown"),
    (_event(kind="finished", details='{"ended_at": "yesterday"}'), "not a time"),
    (_event(kind="issued", id=3, issue_id=3), None),
    (_event(kind="issued", id=9, issue_id=3), "issued again"),
    (_event(kind="issued", id=3, issue_id=3, details='{"estimate_min": 100000}'), "estimate"),
    (_event(kind="counter_opened", ticket_id=None, service=None), None),
])
def test_each_bound_at_its_edge(event: ShippedEvent, problem: str | None) -> None:
    """Each rule of the screen refuses just past its bound and accepts at it."""
    found = event_problem(event, [SERVICES])
    assert (found is None) if problem is None else (found is not None and problem in found), found
