"""How many examples a property test draws: all of them in a full run (CI), a tenth in the
edit-test loop (`./run tests --fast` sets NOVBE_FAST_TESTS), never fewer than 10."""

from __future__ import annotations

import os


def examples(full: int) -> int:
    """`full` examples in a full run; a tenth of them (at least 10) in the edit-test loop."""
    return max(10, full // 10) if os.environ.get("NOVBE_FAST_TESTS") else full
