"""The fairness rule: a steady stream of priority visitors must not starve everyone else.

When the centre turns it on (`[fairness] enabled = true`), a regular visitor who has waited
longer than `wait_multiple` × their service's target wait is called before the priority
visitors who took their ticket after them. Priority visitors who came earlier still go first,
and nothing changes for anyone while no regular visitor is past the limit."""

from __future__ import annotations


def limit_seconds(target_wait_min: float, multiple: float) -> float:
    """How long a regular visitor waits before the rule lets them pass newer priority tickets."""
    return multiple * target_wait_min * 60


def is_overdue(queued_at: float, now: float, target_wait_min: float, multiple: float) -> bool:
    """Whether a regular ticket queued at `queued_at` is past its limit at `now` (epoch seconds);
    never when the rule is off (multiple ≤ 0)."""
    return multiple > 0 and now - queued_at >= limit_seconds(target_wait_min, multiple)
