"""How long a visitor's help request takes to reach the staff: a kiosk's token raises it over
HTTP and Debian's Chromium shows it on a counter console and on the help desk (/assist).
Run through `bench/server.py --help-request N` (one row), or alone:

    .venv/bin/python bench/help_request.py [ROUNDS]

A real uvicorn over a temporary database on 127.0.0.1; each round: the kiosk's POST is sent,
then the test waits for the request on the console, then on the help desk (so the help desk's
figure is "both pages show it", an upper bound including Playwright's polling); then someone
presses "I'm going" and the request leaves both pages before the next round. Target < 2 s.
Benchmarks print figures; nothing here passes or fails."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [str(ROOT)] + [p for p in sys.path if p not in (BENCH, str(ROOT))]  # not bench/server.py

from server.app import run_server_in_thread  # noqa: E402
from server.auth.accounts import Accounts  # noqa: E402
from shared.config.centre import load_config  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
STAFF = ("aysel", "aysel-bench-pass")
VOLUNTEER = ("nigar", "nigar-bench-pass")


def _sign_in(page: Any, url: str, who: tuple[str, str]) -> None:
    page.goto(url)
    page.fill("input[name=username]", who[0])
    page.fill("input[name=password]", who[1])
    page.click("#sign-in")


def measure(rounds: int = 10) -> dict[str, float]:
    """Milliseconds from the kiosk's request to the console and to both pages, p50 and max."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        config = load_config()
        queue = LocalQueue(db, config)
        accounts = Accounts(db)
        accounts.add_staff(*STAFF)
        accounts.add_staff(*VOLUNTEER, role="volunteer")
        token = accounts.add_device("kiosk-2")
        handle = run_server_in_thread(queue, config, accounts=accounts)
        console_ms: list[float] = []
        both_ms: list[float] = []
        try:
            with sync_playwright() as pw, httpx.Client(
                    base_url=handle.url, headers={"Authorization": f"Bearer {token}"}) as kiosk:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                console = browser.new_context().new_page()
                _sign_in(console, f"{handle.url}/counter?lang=en", STAFF)
                console.select_option("#counter-select", "3")
                console.click("#open-counter")
                console.wait_for_selector("#live[data-state=live]")
                desk = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                _sign_in(desk, f"{handle.url}/assist?lang=en", VOLUNTEER)
                desk.wait_for_selector("#live[data-state=live]")
                on_console = "#alerts .alert[data-kind=help_requested]"
                on_desk = "#help-list li[data-source=kiosk-2]"
                for _ in range(rounds):
                    started = time.perf_counter()
                    kiosk.post("/api/devices/report",
                               json={"source": "kiosk-2", "kind": "help_requested"}
                               ).raise_for_status()
                    console.wait_for_selector(on_console, timeout=10_000)
                    console_ms.append((time.perf_counter() - started) * 1000)
                    desk.wait_for_selector(on_desk, timeout=10_000)
                    both_ms.append((time.perf_counter() - started) * 1000)
                    desk.click(f"{on_desk} button")
                    console.wait_for_selector(on_console, state="detached", timeout=10_000)
                    desk.wait_for_selector(on_desk, state="detached", timeout=10_000)
                browser.close()
        finally:
            handle.stop()
            accounts.close()
            queue.close()
    return {"rounds": rounds,
            "console_p50_ms": round(statistics.median(console_ms)),
            "console_max_ms": round(max(console_ms)),
            "both_p50_ms": round(statistics.median(both_ms)),
            "both_max_ms": round(max(both_ms))}


def row(figures: dict[str, float]) -> tuple[str, str]:
    """The bench row: (name, value)."""
    f = figures
    return ("help request → console / + help desk p50 (max)",
            f"{f['console_p50_ms']} ({f['console_max_ms']}) / {f['both_p50_ms']} "
            f"({f['both_max_ms']}) ms over {f['rounds']} requests, Chromium  (target < 2000 ms)")


if __name__ == "__main__":
    name, value = row(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
    print(f"{name}  {value}")
