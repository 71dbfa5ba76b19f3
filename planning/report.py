"""What a simulated day says: waits, share served within target (per service and hour), counter
utilisation, and how far the printed estimate fell from the real wait."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from planning.simulator import DayResult, TicketRecord
from shared.percentile import percentile_of

NO_WAIT_LATE_MIN = 5.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) as every figure of Növbə takes it (shared/percentile.py:
    linear interpolation, as the reports' p90); 0 for no values."""
    return percentile_of(values, q / 100) or 0.0


@dataclass
class WaitFigures:
    """Waits of a group of visitors, in minutes."""

    visitors: int
    mean: float
    p90: float
    max: float
    within_target: float      # share 0–1 called within their service's target wait


@dataclass
class Accuracy:
    """How the printed wait compared with the real one (real − printed, minutes)."""

    tickets: int
    median_abs_error: float
    p90_abs_error: float
    bias: float               # mean of printed − real: negative when the estimate runs short
    within_2: float
    within_5: float
    within_range: float       # share whose real wait fell inside the printed range (± 1 min)
    no_wait_tickets: int
    no_wait_late: int         # "no wait" tickets whose visitor waited over 5 minutes
    ranges: int               # tickets printed with a range rather than a point


@dataclass
class DayReport:
    """The figures of one simulated day."""

    scenario: str
    seed: int
    visitors: int
    called: int
    not_called: int
    no_shows: int
    transfers: int
    waits: WaitFigures
    by_service: dict[str, WaitFigures]
    by_hour: dict[int, WaitFigures]
    utilisation: float
    by_counter: dict[str, float]
    accuracy: Accuracy
    run_seconds: float
    events: int
    misrecorded: int = 0      # visits the queue filed otherwise than they went (served ↔ no-show)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return _rounded(asdict(self))


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {str(k): _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _waits(records: list[TicketRecord], targets: dict[str, float]) -> WaitFigures:
    waits = [r.wait_min for r in records if r.wait_min is not None]
    within = sum(1 for r in records if r.wait_min is not None and r.wait_min <= targets[r.service])
    return WaitFigures(len(records), statistics.fmean(waits) if waits else 0.0,
                       percentile(waits, 90), max(waits, default=0.0),
                       within / len(records) if records else 1.0)


def accuracy(records: list[TicketRecord]) -> Accuracy:
    """Printed against real waits of every ticket that was called."""
    called = [r for r in records if r.wait_min is not None]
    waits = [r.wait_min or 0.0 for r in called]
    errors = [r.printed_min - w for r, w in zip(called, waits, strict=True)]
    abs_errors = [abs(e) for e in errors]
    n = len(called) or 1
    no_wait = [r for r in called if r.printed_max_min == 0]
    in_range = sum(1 for r, w in zip(called, waits, strict=True)
                   if r.printed_min - 1 <= w <= r.printed_max_min + 1)
    return Accuracy(
        tickets=len(called),
        median_abs_error=statistics.median(abs_errors) if abs_errors else 0.0,
        p90_abs_error=percentile(abs_errors, 90),
        bias=statistics.fmean(errors) if errors else 0.0,
        within_2=sum(1 for e in abs_errors if e <= 2) / n,
        within_5=sum(1 for e in abs_errors if e <= 5) / n,
        within_range=in_range / n,
        no_wait_tickets=len(no_wait),
        no_wait_late=sum(1 for r in no_wait if (r.wait_min or 0.0) > NO_WAIT_LATE_MIN),
        ranges=sum(1 for r in called if r.printed_max_min > r.printed_min),
    )


def day_report(result: DayResult) -> DayReport:
    """The figures of one simulated day."""
    records = result.tickets
    targets = {sid: s.target_wait_min for sid, s in result.scenario.centre.services.items()}
    by_service: dict[str, list[TicketRecord]] = {}
    by_hour: dict[int, list[TicketRecord]] = {}
    for r in records:
        by_service.setdefault(r.service, []).append(r)
        by_hour.setdefault(int(r.issued // 3600), []).append(r)
    open_s = sum(c.open_s for c in result.counters)
    busy_s = sum(c.busy_s for c in result.counters)
    return DayReport(
        scenario=result.scenario.name, seed=result.seed, visitors=len(records),
        called=sum(1 for r in records if r.called is not None),
        not_called=sum(1 for r in records if r.called is None),
        no_shows=sum(1 for r in records if r.no_show),
        transfers=sum(1 for r in records if r.transferred),
        waits=_waits(records, targets),
        by_service={k: _waits(v, targets) for k, v in sorted(by_service.items())},
        by_hour={k: _waits(v, targets) for k, v in sorted(by_hour.items())},
        utilisation=busy_s / open_s if open_s else 0.0,
        by_counter={c.id: (c.busy_s / c.open_s if c.open_s else 0.0) for c in result.counters
                    if c.open_s},
        accuracy=accuracy(records), run_seconds=result.run_seconds, events=result.events,
        misrecorded=sum(1 for r in records if r.called is not None
                        and r.no_show != r.recorded_no_show))


def render_text(report: DayReport) -> str:
    """The report as a table for a terminal."""
    w, a = report.waits, report.accuracy
    lines = [
        f"scenario {report.scenario}, seed {report.seed}: {report.visitors} visitors, "
        f"{report.called} called, {report.not_called} never called, {report.no_shows} no-shows, "
        f"{report.transfers} transfers, {report.misrecorded} filed otherwise than they went "
        f"— simulated in {report.run_seconds:.1f} s ({report.events} events)",
        f"wait: mean {w.mean:.1f} min, p90 {w.p90:.1f}, max {w.max:.1f}; "
        f"{w.within_target:.1%} within target; counters busy {report.utilisation:.0%} of open time",
        f"estimate: median |error| {a.median_abs_error:.1f} min, p90 {a.p90_abs_error:.1f}, "
        f"bias {a.bias:+.2f} (printed − real), within 2 min {a.within_2:.1%}, within 5 min "
        f"{a.within_5:.1%}, in printed range {a.within_range:.1%} ({a.ranges} ranges); "
        f"\"no wait\" printed {a.no_wait_tickets}, of which waited > 5 min: {a.no_wait_late}",
        "",
        f"{'hour':<6}{'visitors':>9}{'mean':>7}{'p90':>7}{'max':>7}{'in target':>11}",
    ]
    for hour, f in report.by_hour.items():
        lines.append(f"{hour:02d}:00 {f.visitors:>9}{f.mean:>7.1f}{f.p90:>7.1f}{f.max:>7.1f}"
                     f"{f.within_target:>11.1%}")
    lines += ["", f"{'service':<36}{'visitors':>9}{'mean':>7}{'p90':>7}{'max':>7}{'in target':>11}"]
    for sid, f in report.by_service.items():
        lines.append(f"{sid:<36}{f.visitors:>9}{f.mean:>7.1f}{f.p90:>7.1f}{f.max:>7.1f}"
                     f"{f.within_target:>11.1%}")
    busy = " ".join(f"{cid}:{u:.0%}" for cid, u in report.by_counter.items())
    lines += ["", f"counters busy: {busy}"]
    return "\n".join(lines)
