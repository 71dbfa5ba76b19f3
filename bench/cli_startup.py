"""CLI start-up benchmark: how long `novbe status` and `novbe issue` take, process start to exit.

    .venv/bin/python bench/cli_startup.py            # a table
    .venv/bin/python bench/cli_startup.py --json     # one JSON object
    .venv/bin/python bench/cli_startup.py --imports  # also the slowest imports of `novbe status`

Each command runs N times as a fresh process (`python -m novbe …`) on a scratch database that
already exists (so the figure is start-up, not creating the file); every run reads and validates
the centre config file (shared/config/centre.py: pydantic's import and building the config's
validators are most of that). The median and the best run are printed, with the CPU time (user +
system) the process used — on a shared, loaded machine the wall time waits for a core, the CPU
time much less. Figures only; nothing here passes or fails."""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "status": ["status"],
    "status --json": ["status", "--json"],
    "issue": ["issue", "pensions.age"],
    "issue --json": ["issue", "pensions.age", "--json"],
    "--help": ["--help"],
}


def _env(data: Path) -> dict[str, str]:
    env = dict(os.environ, NOVBE_DATA=str(data), NOVBE_DB=str(data / "novbe.sqlite"))
    env.pop("NOVBE_CONFIG", None)
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `python -m novbe ARGS` process."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "novbe", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def bare_python(runs: int) -> float:
    """The floor: `python -c pass`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def slowest_imports(env: dict[str, str], top: int = 12) -> list[tuple[int, str]]:
    """The top-level imports with the largest cumulative time (`python -X importtime`)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "novbe", "status"], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m[2]) <= 2:  # a package imported at top level (not a sub-import)
            rows.append((int(m[1]), m[3]))
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--imports", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="novbe-bench-cli-") as tmp:
        env = _env(Path(tmp))
        subprocess.run([sys.executable, "-m", "novbe", "init"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        results = {}
        for name, argv in COMMANDS.items():
            run_once(argv, env)  # warm the OS file cache
            runs = [run_once(argv, env) for _ in range(args.runs)]
            times, cpus = [r[0] for r in runs], [r[1] for r in runs]
            results[name] = {"median_s": round(statistics.median(times), 3),
                             "best_s": round(min(times), 3),
                             "cpu_median_s": round(statistics.median(cpus), 3)}
        floor = round(bare_python(args.runs), 3)
        imports = slowest_imports(env) if args.imports else []
    figures = {"cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2),
               "runs": args.runs, "python_floor_s": floor, "commands": results}
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"CLI start-up, {args.runs} runs each, {os.cpu_count()} CPUs, load "
          f"{figures['load_1min']} (bare `python -c pass`: {floor:.3f} s)")
    for name, r in results.items():
        print(f"  novbe {name:<26} median {r['median_s']:.3f} s   best {r['best_s']:.3f} s   "
              f"CPU median {r['cpu_median_s']:.3f} s")
    if imports:
        print("slowest top-level imports of `novbe status` (cumulative µs):")
        for us, mod in imports:
            print(f"  {us:>9}  {mod}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
