"""The one back-off rule: the first wait, doubled after each failure up to the ceiling, the first
again after a success; a rule that could never wait is refused."""

from __future__ import annotations

import pytest

from shared.backoff import Backoff


def test_waits_double_up_to_the_ceiling_and_start_over_after_a_success():
    """1, 2, 4, 8, 10, 10 … then 1 again once a try worked."""
    backoff = Backoff(1.0, 10.0)
    assert [backoff.failed() for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    backoff.succeeded()
    assert backoff.current == 1 and backoff.failed() == 1


@pytest.mark.parametrize("first, most", [(0, 5), (-1, 5), (6, 5)])
def test_a_rule_that_cannot_wait_is_refused(first, most):
    """A first wait of zero or less, or above the ceiling, is a mistake named at once."""
    with pytest.raises(ValueError, match="back-off"):
        Backoff(first, most)
