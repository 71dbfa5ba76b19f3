"""/manager/plan: the staffing planner as a page — managers only. The manager picks a day (a
shipped scenario, or one learned from this centre's own history), a target share within the
target wait and, optionally, a change to compare ("close 3 counters 13:00–14:00"); the planner
runs in a worker thread (one plan at a time: a second is refused, not queued) and the page shows
the chart of counters open per hour beside the predicted waits, the counter-hours and the share
reached, and the two plans side by side. Bad input is a 4xx page naming the problem; a learned
day spans at most a year. A run whose page went away (the manager closed the tab, the browser
gave up) is stopped at its next step instead of working on for a minute for nobody."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar
from xml.sax.saxutils import escape

from fastapi import APIRouter, Query, Request, Response

from planning.learn import MAX_LEARN_DAYS
from server.http import offload
from server.pages.manager import manager_session, render_manager
from server.pages.web import language
from shared.core.errors import NovbeError
from shared.i18n import ntr, tr

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

Field = Annotated[str, Query(max_length=40)]
SHIPPED = {"normal": "A normal day (about 400 visitors)",
           "busy": "The busiest recorded day (1,646 visitors)"}
LEARNED = "learned"
_gates_lock = threading.Lock()


class PlanInputError(Exception):
    """The form asks for something the planner cannot do; `message` says what, translated."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class PlanForm:
    """The planner's form as typed (strings, so the page can show them back)."""

    scenario: str = "normal"
    first: str = ""
    last: str = ""
    target: str = "90"
    change_kind: str = "close"
    change_n: str = ""
    change_from: str = ""
    change_to: str = ""
    profiles: str = ""              # "1": also recommend each counter's work profile per hour

    @property
    def wants_change(self) -> bool:
        return bool(self.change_n.strip())


@dataclass(frozen=True)
class PlanAsk:
    """The form checked: what the planner is asked."""

    scenario: str
    first: date | None
    last: date | None
    target: float                   # 0–1
    change: tuple[int, int, int] | None   # (first hour, hour after the last, delta)
    profiles: bool = False


def check_form(form: PlanForm, lang: str) -> PlanAsk:
    """The form's values checked, or PlanInputError naming the first problem (in `lang`)."""
    if form.scenario not in (*SHIPPED, LEARNED):
        raise PlanInputError(tr(lang, "Unknown day to plan: {name}. Choose one of the list.",
                                name=form.scenario))
    first = last = None
    if form.scenario == LEARNED:
        try:
            first, last = date.fromisoformat(form.first), date.fromisoformat(form.last)
        except ValueError:
            raise PlanInputError(tr(lang, "To learn from this centre's history, give the first "
                                          "and last day as dates.")) from None
        if last < first:
            raise PlanInputError(tr(lang, "The last day ({last}) is before the first ({first}).",
                                    first=first.isoformat(), last=last.isoformat()))
        if (days := (last - first).days + 1) > MAX_LEARN_DAYS:
            raise PlanInputError(tr(lang, "Learn from at most {most} days at a time, not {days} "
                                          "({first} to {last}).", most=MAX_LEARN_DAYS,
                                    days=days, first=first.isoformat(), last=last.isoformat()))
    try:
        target = float(form.target.replace(",", "."))
    except ValueError:
        target = -1.0
    if not 1 <= target <= 100:
        raise PlanInputError(tr(lang, "The target is a percentage from 1 to 100, not {value}.",
                                value=form.target))
    change = None
    if form.wants_change:
        try:
            n, begin, end = int(form.change_n), int(form.change_from), int(form.change_to)
        except ValueError:
            raise PlanInputError(tr(lang, "The change needs a number of counters and the hours "
                                          "it starts and ends.")) from None
        if not 1 <= n <= 100:
            raise PlanInputError(tr(lang, "The change is 1 to 100 counters, not {n}.", n=n))
        if not 0 <= begin < end <= 24:
            raise PlanInputError(tr(lang, "The change must end after it starts "
                                          "({begin}:00–{end}:00).", begin=begin, end=end))
        if form.change_kind not in ("close", "open"):
            raise PlanInputError(tr(lang, "The change either closes or opens counters."))
        change = (begin, end, -n if form.change_kind == "close" else n)
    return PlanAsk(form.scenario, first, last, target / 100, change, form.profiles == "1")


class PlanAbandoned(Exception):
    """Nobody waits for the plan any more: the run stops at its next step."""


@dataclass
class PlanProgress:
    """How far the running plan is: hours worked out of the day's hours (read by the page)."""

    total: int
    done: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def step(self, _message: str) -> None:
        """find_plan's progress callback: one call per hour settled (then per correction);
        PlanAbandoned once the page that asked has gone."""
        if self.stop.is_set():
            raise PlanAbandoned("the page that asked for the plan has gone")
        self.done = min(self.done + 1, self.total)


def gate_of(app: Any) -> threading.Lock:
    """The app's one-plan-at-a-time lock (made on first use)."""
    state = app.state
    with _gates_lock:
        gate = getattr(state, "plan_gate", None)
        if gate is None:
            gate = state.plan_gate = threading.Lock()
    return gate


def _change_label(lang: str, change: tuple[int, int, int]) -> str:
    begin, end, delta = change
    if delta < 0:
        return ntr(lang, "Close {n} counter {begin}:00–{end}:00",
                   "Close {n} counters {begin}:00–{end}:00", -delta,
                   begin=f"{begin:02d}", end=f"{end:02d}")
    return ntr(lang, "Open {n} more counter {begin}:00–{end}:00",
               "Open {n} more counters {begin}:00–{end}:00", delta,
               begin=f"{begin:02d}", end=f"{end:02d}")


def run_plan(request: Request, ask: PlanAsk, lang: str,
             stop: threading.Event | None = None) -> dict[str, Any]:
    """Load or learn the day, find the plan, evaluate the change (in a worker thread; it
    stops with PlanAbandoned at its next step once `stop` is set)."""
    from planning.chart import plan_chart_svg
    from planning.cli import typical_target
    from planning.learn import learn_scenario
    from planning.planner import evaluate, find_plan, parse_change, shifts_of
    from planning.scenario import load_scenario

    state = request.app.state
    if ask.scenario == LEARNED:
        path = state.queue.path
        if path is None:
            raise PlanInputError(tr(lang, "Learning needs the queue's own database file."), 409)
        assert ask.first is not None and ask.last is not None
        scenario = learn_scenario(path, state.config, ask.first, ask.last)
    else:
        scenario = load_scenario(ask.scenario)
    hours = list(range(min(scenario.hours), max(scenario.hours) + 1))
    change_hours: list[int] = []
    if ask.change:
        begin, end, delta = ask.change
        try:
            change_hours, _ = parse_change(f"{begin}-{end}:{delta}", hours)
        except ValueError:
            raise PlanInputError(tr(lang, "The change's hours {begin}:00–{end}:00 are outside the "
                                          "planned day ({first}:00–{last}:00).",
                                    begin=f"{begin:02d}", end=f"{end:02d}",
                                    first=f"{hours[0]:02d}", last=f"{hours[-1] + 1:02d}")) from None
    progress = PlanProgress(total=len(hours), stop=stop or threading.Event())
    state.plan_progress = progress
    best = find_plan(scenario, ask.target, progress=progress.step)
    progress.done = progress.total
    best.label = tr(lang, "Plan for {pct} %", pct=f"{ask.target * 100:g}")
    results = [best]
    if ask.change:
        changed = evaluate(scenario, best.plan.changed(change_hours, ask.change[2]),
                           label=_change_label(lang, ask.change))
        changed.unreachable = best.unreachable
        results.append(changed)
    target_wait = typical_target(scenario)
    svg = plan_chart_svg(results, target_wait,
                         tr(lang, "Counters open per hour and the predicted wait (p90)"))
    profiles = recommended_profiles(scenario.with_shifts(shifts_of(best.plan)), lang, stop) \
        if ask.profiles else None
    return {"results": results, "svg": localise_chart(svg, lang), "target_wait": target_wait,
            "visitors": round(scenario.visitors), "hours": hours,
            "unreachable": [f"{h:02d}:00" for h in best.unreachable], "profiles": profiles}


def recommended_profiles(scenario: Any, lang: str, stop: threading.Event | None,
                         budget: int = 60) -> dict[str, Any]:
    """Which work profile each staffed counter should run per hour, at the plan's own
    counter-hours (planning/profile_plan.py), as the page shows it: counters with the same
    day grouped, and the day's figures with and without."""
    from planning.profile_plan import recommend
    from shared.core.profile_text import profile_name

    def step(_message: str) -> None:
        if stop is not None and stop.is_set():
            raise PlanAbandoned("the page that asked for the plan has gone")
    rec = recommend(scenario, (1,), budget, progress=step)
    config = scenario.centre
    hours = sorted({h for plan in rec.plan.values() for h in plan})
    groups: dict[tuple[str, ...], list[str]] = {}
    for c in config.counters:
        row = tuple(profile_name(config, rec.plan.get(c.id, {}).get(h, c.profile), lang)
                    if h in rec.plan.get(c.id, {}) else "" for h in hours)
        if any(row):
            groups.setdefault(row, []).append(c.id)
    return {"hours": [f"{h:02d}:00" for h in hours],
            "rows": [(", ".join(cs), row) for row, cs in groups.items()],
            "alike": rec.alike, "recommended": rec.recommended}


def localise_chart(svg: str, lang: str) -> str:
    """The chart's fixed English words in the page's language (the chart module draws in
    English for the command line)."""
    def t(msgid: str, **kw: Any) -> str:
        return escape(tr(lang, msgid, **kw))
    svg = re.sub(r"(\d+) counter-hours, (\S+) within target \(bars: counters open, line: p90 "
                 r"wait\)", lambda m: t("{hours} counter-hours, {pct} within target",
                                        hours=m[1], pct=m[2]), svg)
    svg = re.sub(r" (\d\d):00: (\d+) counters, (\S+) within target</title>",
                 lambda m: " " + t("{hour}:00: {n} counters open, {pct} within target",
                                   hour=m[1], n=m[2], pct=m[3]) + "</title>", svg)
    svg = re.sub(r">target wait (\S+) min<", lambda m: ">" + t("target wait {m} min", m=m[1])
                 + "<", svg)
    svg = svg.replace(">counters open<", ">" + t("counters open") + "<")
    svg = svg.replace(">p90 wait, min<", ">" + t("p90 wait, min") + "<")
    return svg.replace("<svg ", '<svg class="plan-chart" ', 1)


def _page(request: Request, session: Any, form: PlanForm, status: int = 200,
          error: str | None = None, outcome: dict[str, Any] | None = None,
          ask: PlanAsk | None = None) -> Response:
    lang = language(request)
    return render_manager(
        request, "manager_plan.html", session, "plan", status_code=status, form=form,
        error=error, outcome=outcome, ask=ask,
        scenarios=[(key, tr(lang, label)) for key, label in SHIPPED.items()]
        + [(LEARNED, tr(lang, "Learned from this centre's history"))],
        hours=list(range(7, 22)))


@router.get("/manager/plan/progress.json")
def plan_progress(request: Request) -> dict[str, Any]:
    """Whether a plan is being worked out, and how many of its hours are done."""
    manager_session(request)
    running = gate_of(request.app).locked()
    progress = getattr(request.app.state, "plan_progress", None)
    return {"running": running, "done": progress.done if progress else 0,
            "total": progress.total if progress else 0}


async def _client_gone(request: Request) -> None:
    """Return once the client has disconnected (a GET's body is empty: what comes next on its
    receive channel is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def while_connected(request: Request, stop: threading.Event,
                          work: Coroutine[Any, Any, T]) -> T:
    """The work's result; if the client goes first, `stop` is set and PlanAbandoned raised once
    the work has ended (so the one-plan gate is released only when its thread is free)."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_client_gone(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not task.done():
            stop.set()
    if task.done():
        return task.result()
    with contextlib.suppress(PlanAbandoned):
        await task
    raise PlanAbandoned("the page that asked for the plan has gone")


@router.get("/manager/plan")
async def plan_page(request: Request, scenario: Field = "", first: Field = "", last: Field = "",
                    target: Field = "90", change_kind: Field = "close", change_n: Field = "",
                    change_from: Field = "13", change_to: Field = "14",
                    profiles: Field = "") -> Response:
    """The form; with a scenario chosen, the plan it finds (one run at a time)."""
    session = manager_session(request)
    lang = language(request)
    form = PlanForm(scenario or "normal", first, last, target, change_kind, change_n,
                    change_from, change_to, profiles)
    if not scenario:
        return _page(request, session, form)
    try:
        ask = check_form(form, lang)
    except PlanInputError as exc:
        return _page(request, session, form, exc.status, exc.message)
    gate = gate_of(request.app)
    if not gate.acquire(blocking=False):
        return _page(request, session, form, 409, tr(
            lang, "Another staffing plan is being worked out right now. Try again when it is "
                  "done (a busy day takes about a minute)."))
    request.app.state.plan_progress = None        # not the last run's count
    stop = threading.Event()
    try:
        # The read lane: a plan holds one of its many threads, never a counter action's writer.
        outcome = await while_connected(request, stop, offload.read(
            request, run_plan, request, ask, lang, stop))
    except PlanAbandoned:
        return Response(status_code=204)          # nobody reads it
    except PlanInputError as exc:
        return _page(request, session, form, exc.status, exc.message)
    except NovbeError as exc:          # e.g. nothing to learn from in those dates
        message = str(exc)
        if ask.scenario == LEARNED and message.startswith("no tickets"):
            message = tr(lang, "This centre's history has no tickets from {first} to {last}: "
                               "nothing to learn from.", first=form.first, last=form.last)
        return _page(request, session, form, 422, message)
    finally:
        gate.release()
    return _page(request, session, form, outcome=outcome, ask=ask)
