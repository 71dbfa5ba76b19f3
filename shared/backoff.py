"""Back-off between retries, one rule for every loop that retries (the shipper, the board's
reads, the followed event stream): the first wait, doubled after each failure up to a ceiling,
back to the first after a success."""

from __future__ import annotations


class Backoff:
    """The wait before the next try: `first`, then doubled after each failure up to `most`."""

    def __init__(self, first: float, most: float):
        if not 0 < first <= most:
            raise ValueError(f"back-off must wait 0 < first <= most, got {first} and {most}")
        self.first, self.most = first, most
        self.current = first  # what the next failure waits

    def failed(self) -> float:
        """A try failed: how long to wait before the next one (the wait after it doubles)."""
        wait = self.current
        self.current = min(wait * 2, self.most)
        return wait

    def succeeded(self) -> None:
        """A try worked: the next failure waits `first` again."""
        self.current = self.first
