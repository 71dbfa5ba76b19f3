"""cups://NAME — a CUPS queue in raw mode (needs pycups); CUPS gives no ESC/POS status."""

from __future__ import annotations

from kiosk.printing.device import RawQueuePrinter


class CupsPrinter(RawQueuePrinter):
    """Sends each ticket as one raw CUPS job."""

    what = "CUPS queue"
    needs = "CUPS printing needs pycups (pip install pycups)"

    def _escpos_class(self) -> type:
        import cups  # noqa: F401  (pycups)
        from escpos.printer import CupsPrinter as EscposCups

        return EscposCups
