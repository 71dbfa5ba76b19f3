"""The fairness rule: a steady stream of priority visitors must not starve everyone else.

When the centre turns it on (`[fairness] enabled = true`), a regular visitor who has waited
`wait_multiple` × their service's target wait joins the priority line at that moment: they are
called before the priority visitors who took their ticket after it, and after those who came
before it. Nothing changes for anyone while no regular visitor is past the limit, and a priority
visitor is never passed by more regular visitors than reached their limit before they came."""

from __future__ import annotations

NORMAL_RANK = 1000          # the rank of visitors of no priority class


def limit_seconds(target_wait_min: float, multiple: float) -> float:
    """How long a regular visitor waits before the rule lets them pass newer priority tickets."""
    return multiple * target_wait_min * 60


def joins_priority_at(queued_at: float, target_wait_min: float, multiple: float) -> float:
    """When a regular ticket queued at `queued_at` joins the priority line (epoch seconds)."""
    return queued_at + limit_seconds(target_wait_min, multiple)


def is_overdue(queued_at: float, now: float, target_wait_min: float, multiple: float) -> bool:
    """Whether a regular ticket queued at `queued_at` is past its limit at `now` (epoch seconds);
    never when the rule is off (multiple ≤ 0)."""
    return multiple > 0 and now >= joins_priority_at(queued_at, target_wait_min, multiple)


def passes(regular_queued_at: float, target_wait_min: float, multiple: float,
           priority_queued_at: float) -> bool:
    """Whether an overdue regular ticket goes before a priority ticket queued at
    `priority_queued_at`: it reached its limit before that ticket came."""
    return multiple > 0 and joins_priority_at(regular_queued_at, target_wait_min,
                                              multiple) < priority_queued_at
