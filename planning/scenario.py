"""A day to simulate: who comes when, for what, how long their visits take, and which counters are
staffed when — read from a scenario TOML file and validated, every problem named."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from shared.config.centre import CentreConfig, load_config, parse_config
from shared.core.errors import ConfigError, NovbeError

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "assets" / "scenarios"
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


class ScenarioError(NovbeError):
    """A scenario file is missing or broken; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("the scenario is broken:\n  " + "\n  ".join(self.problems))


def scenario_path(name: str | Path) -> Path:
    """A scenario file: a path as given, else a bundled one by name (`busy`, `busy.toml`)."""
    path = Path(name)
    if path.exists():
        return path
    bundled = SCENARIO_DIR / (path.name if path.suffix else f"{path.name}.toml")
    return bundled if bundled.exists() else path


@dataclass(frozen=True)
class Shift:
    """When a group of counters is staffed: opening, pauses (lunch), closing (local times)."""

    counters: tuple[str, ...]
    open: time
    close: time
    pauses: tuple[tuple[time, time], ...] = ()
    late_open_max_min: float = 0.0


@dataclass(frozen=True)
class ListedVisitor:
    """A visitor listed by hand: arrives at `at` (seconds after local midnight) for `service`,
    with a visit of exactly `minutes` (None: the service's minutes)."""

    at: float
    service: str
    priority: str | None = None
    minutes: float | None = None


@dataclass(frozen=True)
class Scenario:
    """Everything the simulator needs to play one service day."""

    name: str
    centre: CentreConfig
    day: date
    visitors: float                         # expected arrivals over the day
    arrivals: dict[int, float]              # local hour → share of the day's arrivals
    mix: dict[str, float]                   # service id → share
    priority: dict[str, float]              # priority class id → share of visitors
    service_min: dict[str, float]           # service id → mean visit minutes at the counter
    spread: float = 0.5                     # sigma of the lognormal visit time
    walk_up_s: tuple[float, float] = (15.0, 60.0)
    no_show: float = 0.05
    no_show_wait_s: float = 120.0           # how long staff wait (and recall) before no-show
    start_pressed: float = 1.0              # share of visits staff press Start for (the rest
                                            # end with Next alone: the queue's walk-up rule)
    transfer: float = 0.02
    shifts: tuple[Shift, ...] = ()
    source: str = "<scenario>"
    notes: str = ""
    listed: tuple[ListedVisitor, ...] = ()  # when given, exactly these visitors come
    config_counters: int | None = None      # the centre config's own counters, when the
                                            # scenario brings its own hall ([[counter]])

    @property
    def hours(self) -> list[int]:
        return sorted(h for h, share in self.arrivals.items() if share > 0)

    def with_shifts(self, shifts: list[Shift] | tuple[Shift, ...]) -> Scenario:
        return replace(self, shifts=tuple(shifts))

    def with_centre(self, centre: CentreConfig) -> Scenario:
        return replace(self, centre=centre)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise ScenarioError listing every problem."""
    path = scenario_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError([f"{path}: scenario file not found (bundled: "
                           f"{', '.join(p.stem for p in sorted(SCENARIO_DIR.glob('*.toml')))})"]) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError([f"{path}: cannot read the scenario: {exc}"]) from None
    return parse_scenario(data, str(path), base=path.parent)


def parse_scenario(data: dict[str, Any], source: str = "<scenario>",
                   base: Path | None = None) -> Scenario:
    """Validate a scenario dict (as read from TOML); raise ScenarioError listing every problem."""
    return _Parser(data, source, base or Path.cwd()).parse()


def parse_time(value: Any) -> time | None:
    m = TIME_RE.match(str(value).strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return time(int(m[1]), int(m[2]))


class _Parser:
    def __init__(self, data: dict[str, Any], source: str, base: Path):
        self.data = data
        self.source = source
        self.base = base
        self.problems: list[str] = []
        self.config_counters: int | None = None

    def fail(self, key: str, what: str) -> None:
        self.problems.append(f"{self.source}: {key}: {what}")

    def number(self, table: dict, key: str, where: str, default: float, lo: float = 0,
               hi: float | None = None) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, f"must be a number, got {value!r}")
            return default
        if value < lo or (hi is not None and value > hi):
            self.fail(where, f"must be between {lo} and {hi}, got {value!r}" if hi is not None
                      else f"must be at least {lo}, got {value!r}")
            return default
        return float(value)

    def shares(self, key: str, known: set[str] | None, what: str) -> dict[str, float]:
        table = self.data.get(key, {})
        if not isinstance(table, dict):
            self.fail(key, "must be a table of id = share")
            return {}
        out: dict[str, float] = {}
        for k in table:
            if known is not None and k not in known:
                self.fail(f"{key}.{k}", f"unknown {what}")
                continue
            out[k] = self.number(table, k, f"{key}.{k}", 0.0)
        return out

    def centre(self, table: dict) -> CentreConfig | None:
        """The centre config named by `scenario.centre` (default: the bundled DOST one), with
        the scenario's own `[[counter]]` list in place of the config's when it has one."""
        ref = table.get("centre")
        path = None
        if ref:
            path = Path(str(ref))
            if not path.is_absolute():
                path = (self.base / path) if (self.base / path).exists() else path
        try:
            centre = load_config(path)
        except ConfigError as exc:
            self.problems += [f"{self.source}: scenario.centre: {p}" for p in exc.problems]
            return None
        if "counter" not in self.data:
            return centre
        self.config_counters = len(centre.counters)
        raw = tomllib.loads(Path(centre.source).read_text(encoding="utf-8"))
        raw["counter"] = self.data["counter"]
        try:
            return parse_config(raw, f"{centre.source} with the counters of {self.source}")
        except ConfigError as exc:
            self.problems += exc.problems
            return None

    def parse(self) -> Scenario:
        for key in self.data:
            if key not in ("scenario", "arrivals", "mix", "priority", "service_min", "shift",
                           "counter", "visitor"):
                self.fail(key, "unknown section (known: scenario, arrivals, mix, priority, "
                               "service_min, shift, counter, visitor)")
        table = self.data.get("scenario", {})
        if not isinstance(table, dict):
            self.fail("scenario", "must be a table")
            table = {}
        centre = self.centre(table)
        day_raw = table.get("date", "2026-11-23")
        try:
            day = day_raw if isinstance(day_raw, date) else date.fromisoformat(str(day_raw))
        except ValueError:
            self.fail("scenario.date", f"not a date: {day_raw!r}")
            day = date(2026, 11, 23)
        visitors = self.number(table, "visitors", "scenario.visitors", 400, lo=0)
        spread = self.number(table, "spread", "scenario.spread", 0.5, lo=0, hi=2)
        walk = table.get("walk_up_s", [15, 60])
        if (not isinstance(walk, list) or len(walk) != 2
                or not all(isinstance(x, (int, float)) and x >= 0 for x in walk) or walk[0] > walk[1]):
            self.fail("scenario.walk_up_s", f"must be [least, most] seconds, got {walk!r}")
            walk = [15, 60]
        no_show = self.number(table, "no_show", "scenario.no_show", 0.05, hi=1)
        no_show_wait = self.number(table, "no_show_wait_s", "scenario.no_show_wait_s", 120)
        start_pressed = self.number(table, "start_pressed", "scenario.start_pressed", 1.0, hi=1)
        transfer = self.number(table, "transfer", "scenario.transfer", 0.02, hi=1)

        arrivals: dict[int, float] = {}
        raw_arr = self.data.get("arrivals", {})
        if "visitor" in self.data and not raw_arr:
            raw_arr = {}
        elif not isinstance(raw_arr, dict) or not raw_arr:
            self.fail("arrivals", "needs a share per local hour, e.g. \"09\" = 0.12")
            raw_arr = {}
        for k in raw_arr:
            if not str(k).isdigit() or int(k) > 23:
                self.fail(f"arrivals.{k}", "must be an hour 0–23")
                continue
            arrivals[int(k)] = self.number(raw_arr, k, f"arrivals.{k}", 0.0)
        if arrivals and sum(arrivals.values()) <= 0:
            self.fail("arrivals", "all shares are zero")

        services = set(centre.services) if centre else None
        categories = {c.id: [s.id for s in c.services] for c in centre.categories} if centre else {}
        mix_known = (services | set(categories)) if services is not None else None
        raw_mix = self.shares("mix", mix_known, "service or category")
        mix: dict[str, float] = {}
        for k, share in raw_mix.items():
            ids = categories.get(k) if k not in (services or set()) else [k]
            for sid in ids or [k]:
                mix[sid] = mix.get(sid, 0.0) + share / len(ids or [k])
        if not mix and centre:
            mix = {sid: 1.0 for sid in centre.services}
        if mix and sum(mix.values()) <= 0:
            self.fail("mix", "all shares are zero")
        priority = self.shares("priority", {p.id for p in centre.priorities} if centre else None,
                               "priority class")
        if sum(priority.values()) > 1:
            self.fail("priority", f"shares add up to {sum(priority.values()):.2f}, more than 1")
        raw_min = self.shares("service_min", mix_known, "service or category")
        service_min = {sid: s.service_min for sid, s in centre.services.items()} if centre else {}
        for k, minutes in raw_min.items():
            for sid in categories.get(k, [k]) if k not in (services or set()) else [k]:
                service_min[sid] = minutes
        shifts = self.shifts(self.data.get("shift"), centre)
        listed = self.listed(self.data.get("visitor", []), centre)
        if listed and not arrivals:
            arrivals = {int(v.at // 3600): 1.0 for v in listed}
        if self.problems:
            raise ScenarioError(self.problems)
        assert centre is not None
        return Scenario(
            name=str(table.get("name", Path(self.source).stem)), centre=centre, day=day,
            visitors=visitors, arrivals=arrivals, mix=mix, priority=priority,
            service_min=service_min, spread=spread, walk_up_s=(float(walk[0]), float(walk[1])),
            no_show=no_show, no_show_wait_s=no_show_wait, start_pressed=start_pressed,
            transfer=transfer, shifts=tuple(shifts), source=self.source,
            notes=str(table.get("notes", "")), listed=tuple(listed),
            config_counters=self.config_counters)

    def listed(self, raw: Any, centre: CentreConfig | None) -> list[ListedVisitor]:
        if not isinstance(raw, list):
            self.fail("visitor", "must be a list of [[visitor]] tables")
            return []
        out = []
        for i, v in enumerate(raw):
            where = f"visitor[{i}]"
            if not isinstance(v, dict):
                self.fail(where, "must be a table")
                continue
            at = parse_time(v.get("at", ""))
            if at is None:
                self.fail(f"{where}.at", f"must be \"HH:MM\", got {v.get('at')!r}")
                continue
            service = str(v.get("service", ""))
            if centre and service not in centre.services:
                self.fail(f"{where}.service", f"unknown service {service!r}")
                continue
            priority = v.get("priority")
            if priority is not None and centre and priority not in {p.id for p in centre.priorities}:
                self.fail(f"{where}.priority", f"unknown priority class {priority!r}")
                continue
            minutes = v.get("minutes")
            if minutes is not None:
                minutes = self.number(v, "minutes", f"{where}.minutes", 7.0, lo=0.1)
            seconds = at.hour * 3600 + at.minute * 60 + float(v.get("second", 0))
            out.append(ListedVisitor(seconds, service, priority, minutes))
        return sorted(out, key=lambda v: v.at)

    def shifts(self, raw: Any, centre: CentreConfig | None) -> list[Shift]:
        if raw is None:
            raw = [{"counters": ["*"]}]
        if not isinstance(raw, list):
            self.fail("shift", "must be a list of [[shift]] tables")
            return []
        known = [c.id for c in centre.counters] if centre else []
        out: list[Shift] = []
        for i, s in enumerate(raw):
            where = f"shift[{i}]"
            if not isinstance(s, dict):
                self.fail(where, "must be a table")
                continue
            ids = s.get("counters", ["*"])
            if not isinstance(ids, list) or not ids:
                self.fail(f"{where}.counters", "must list counter ids (or \"*\")")
                continue
            counters: list[str] = []
            for cid in ids:
                if cid == "*":
                    counters += known
                elif str(cid) in known:
                    counters.append(str(cid))
                else:
                    self.fail(f"{where}.counters", f"unknown counter {cid!r}")
            opens = parse_time(s.get("open", "09:00"))
            closes = parse_time(s.get("close", "18:00"))
            if opens is None or closes is None or closes <= opens:
                self.fail(where, f"open/close must be \"HH:MM\" with close after open, got "
                                 f"{s.get('open')!r}–{s.get('close')!r}")
                continue
            raw_pauses = s.get("pauses", [s["lunch"]] if s.get("lunch") else [])
            if not isinstance(raw_pauses, list):
                self.fail(f"{where}.pauses", "must be a list like [\"13:00-13:45\"]")
                raw_pauses = []
            pauses: list[tuple[time, time]] = []
            for p in raw_pauses:
                parts = str(p).replace("–", "-").split("-")
                begin, end = (parse_time(parts[0]), parse_time(parts[1])) if len(parts) == 2 else (None, None)
                if begin is None or end is None or end <= begin:
                    self.fail(f"{where}.pauses", f"must look like \"13:00-13:45\", got {p!r}")
                else:
                    pauses.append((begin, end))
            late = self.number(s, "late_open_max_min", f"{where}.late_open_max_min", 0.0)
            out.append(Shift(tuple(dict.fromkeys(counters)), opens, closes, tuple(sorted(pauses)), late))
        return out


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as a scenario file (its counters are the centre config's)."""
    def hhmm(t: time) -> str:
        return f"{t:%H:%M}"

    lines = [
        f"# {scenario.notes or scenario.name}",
        "[scenario]",
        f"name = {_q(scenario.name)}",
        f"centre = {_q(scenario.centre.source.split(' with the counters of ')[0])}",
        f"date = \"{scenario.day.isoformat()}\"",
        f"visitors = {scenario.visitors:.1f}",
        f"spread = {scenario.spread:.3f}",
        f"walk_up_s = [{scenario.walk_up_s[0]:.0f}, {scenario.walk_up_s[1]:.0f}]",
        f"no_show = {scenario.no_show:.4f}",
        f"no_show_wait_s = {scenario.no_show_wait_s:.0f}",
        f"start_pressed = {scenario.start_pressed:.2f}",
        f"transfer = {scenario.transfer:.4f}",
        "", "[arrivals]",
        *(f"\"{h:02d}\" = {share:.4f}" for h, share in sorted(scenario.arrivals.items())),
        "", "[mix]",
        *(f"{_q(s)} = {share:.4f}" for s, share in sorted(scenario.mix.items())),
        "", "[priority]",
        *(f"{_q(p)} = {share:.4f}" for p, share in sorted(scenario.priority.items())),
        "", "[service_min]",
        *(f"{_q(s)} = {m:.2f}" for s, m in sorted(scenario.service_min.items())),
    ]
    for c in scenario.centre.counters:
        lines += ["", "[[counter]]", f"id = {_q(c.id)}",
                  f"services = [{', '.join(_q(s) for s in c.services)}]"]
        if c.zone != "main":
            lines.append(f"zone = {_q(c.zone)}")
    for shift in scenario.shifts:
        pauses = ", ".join(f"\"{hhmm(a)}-{hhmm(b)}\"" for a, b in shift.pauses)
        lines += ["", "[[shift]]", f"counters = [{', '.join(_q(c) for c in shift.counters)}]",
                  f"open = \"{hhmm(shift.open)}\"", f"close = \"{hhmm(shift.close)}\"",
                  f"pauses = [{pauses}]"]
        if shift.late_open_max_min:
            lines.append(f"late_open_max_min = {shift.late_open_max_min:g}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'
