"""The bookings race, shared by its test and bench/appointments.py: a hundred booking requests at
once for one slot of ten seats — half to the national desk's API on `novbe central serve`, half
to the centre's reception desk on `novbe serve`, some sent twice — while the centre's link to
the central PostgreSQL is cut and restored twice; then the centre's file and the central copy
are counted: bookings beyond the seats (double) and answered bookings that are nowhere (lost)."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from psycopg import sql

from central.bookings.portals import add_portal
from central.schema import role_for
from server.app import run_server_in_thread
from server.auth.accounts import Accounts
from server.shipping.bookings_link import BookingLink, state_path_for
from server.shipping.link import CentralUnavailable
from server.shipping.shipper import Shipper
from shared.bookings.slots import slot_starts
from shared.config.centre import load_config
from shared.core.clock import SystemClock
from shared.core.local_queue import LocalQueue
from shared.percentile import percentile_of
from tests.central.booking_centre import SERVICE, bookings_section, open_day, slot_at
from tests.central.conftest import CentralDb, centre_config_path
from tests.e2e.test_central_page import national_server
from tests.server.live import add_account

DESK = ("reception-1", "reception-password-1")


@dataclass
class Answer:
    """One request's answer: which side, booked (its code) or refused, how long it took."""

    side: str
    request_id: str
    code: str | None
    seconds: float


@dataclass
class RaceResult:
    """What the race found."""

    answers: list[Answer] = field(default_factory=list)
    capacity: int = 0
    booked_here: int = 0            # the centre's file: bookings of the slot holding a seat
    booked_central: int = 0         # the central copy: national bookings of the slot
    double_bookings: int = 0
    lost_bookings: int = 0
    cuts: int = 0
    steady: list[float] = field(default_factory=list)   # one request at a time (seconds)

    def figures(self) -> dict[str, Any]:
        times = [a.seconds * 1000 for a in self.answers]
        steady = [t * 1000 for t in self.steady] or [0.0]
        return {"race_requests": len(self.answers), "race_capacity": self.capacity,
                "race_booked": self.booked_here, "race_booked_national": self.booked_central,
                "double_bookings": self.double_bookings, "lost_bookings": self.lost_bookings,
                "race_link_cuts": self.cuts,
                "race_request_p50_ms": round(percentile_of(times, 0.5), 1),
                "race_request_p99_ms": round(percentile_of(times, 0.99), 1),
                "booking_request_p50_ms": round(percentile_of(steady, 0.5), 1),
                "booking_request_p99_ms": round(percentile_of(steady, 0.99), 1)}


def set_link(central: CentralDb, centre: str, up: bool) -> None:
    """Cut the centre's link (its login refused, its sessions ended) or restore it."""
    role = role_for(centre)
    with central.admin() as conn:
        conn.execute(sql.SQL("ALTER ROLE {} " + ("LOGIN" if up else "NOLOGIN")).format(
            sql.Identifier(role)))
        if not up:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                         "usename = %s", (role,))


def race(tmp_path: Path, central: CentralDb, requests: int = 100, seats: int = 10,
         cuts: int = 2, steady: int = 0) -> RaceResult:
    """Run the race on a new centre of `central`; returns what was booked and found."""
    centre = "race"
    url = central.add_centre(centre)
    path = centre_config_path(tmp_path, centre, url)
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n[bookings]\n")
    tail = rest[rest.index("\n[central]\n"):] if "\n[central]\n" in rest else ""
    path.write_text(head + tail + bookings_section(seats, 0.5, 2.0), encoding="utf-8")
    config = load_config(path)
    db_path = tmp_path / "race.sqlite"
    queue = LocalQueue(db_path, config, SystemClock())
    assert config.central is not None
    shipper = Shipper(db_path, config.central, config)      # its config, before anything else
    try:
        shipper.record_config()
        shipper.ship_pending()
    finally:
        shipper.close()
    accounts = Accounts(db_path)
    add_account(accounts, *DESK, "reception")
    handle = run_server_in_thread(queue, config, accounts=accounts)
    result = RaceResult(capacity=seats)
    try:
        assert config.central is not None
        link = BookingLink(queue.bookings, config.central, state_path_for(db_path))
        link.sync()                          # the config is shipped by the server's shipper
        start = slot_at(config, open_day(config))
        token = add_portal(central.admin_url, "race-portal", [centre])
        with national_server(central.admin_url, Accounts(tmp_path / "agency.sqlite")) as base:
            result.answers = _run(handle.url, base, token, start, config.tz, requests,
                                  lambda n: _cutter(central, centre, link, n, requests, cuts,
                                                    result))
            set_link(central, centre, True)
            later = [t for t in slot_starts(config, open_day(config)) if t > start]
            result.steady = _run_steady(handle.url, base, token, later, config.tz, steady)
        set_link(central, centre, True)
        link.sync()
        link.stop()
        _count(central, queue, centre, start, result)
    finally:
        set_link(central, centre, True)
        handle.stop()
        queue.close()
    return result


def _cutter(central: CentralDb, centre: str, link: BookingLink, done: int, total: int,
            cuts: int, result: RaceResult) -> None:
    """Called after each answer: cut the link at 1/5 and 3/5 of the answers, restore it at
    2/5 and 4/5; between, the link tries a round (failing while cut)."""
    marks = {round(total * (2 * i + 1) / (2 * cuts + 1)): False for i in range(cuts)}
    marks |= {round(total * (2 * i + 2) / (2 * cuts + 1)): True for i in range(cuts)}
    if done in marks:
        set_link(central, centre, marks[done])
        result.cuts += 0 if marks[done] else 1
    if done % 10 == 0:
        with contextlib.suppress(CentralUnavailable):   # cut: the next round catches up
            link.sync()


def _run_steady(centre_url: str, central_url: str, token: str, starts: list[float], tz: Any,
                n: int) -> list[float]:
    """`n` booking requests one at a time, alternately to each desk, over the later slots:
    what one request costs when it does not queue behind a hundred others."""
    took: list[float] = []
    reception, csrf = _reception(centre_url, datetime.fromtimestamp(starts[0], tz))
    portal = httpx.Client(base_url=central_url, timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
    try:
        for i in range(n):
            slot = datetime.fromtimestamp(starts[(i // 2) % len(starts)], tz)
            began = time.perf_counter()
            if i % 2 == 0:
                got = portal.post("/api/v1/bookings", json={
                    "request_id": f"steady-{i:04d}", "centre": "race", "service": SERVICE,
                    "slot_start": slot.isoformat(), "lang": "az"})
            else:
                got = reception.post("/desk/book", data={
                    "csrf": csrf, "service": SERVICE, "day": slot.date().isoformat(),
                    "slot": repr(slot.timestamp()), "language": "az",
                    "request_id": f"steady-{i:04d}"})
            took.append(time.perf_counter() - began)
            assert got.status_code in (201, 303, 409), got.text[:200]
    finally:
        reception.close()
        portal.close()
    return took


def _reception(centre_url: str, slot: datetime) -> tuple[httpx.Client, str]:
    """The reception desk signed in, and its form's CSRF token (read as a browser would)."""
    reception = httpx.Client(base_url=centre_url, timeout=30, follow_redirects=False)
    reception.post("/desk/login", data={"username": DESK[0], "password": DESK[1]})
    page = reception.get("/desk", params={"service": SERVICE, "day": slot.date().isoformat()}).text
    return reception, page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _run(centre_url: str, central_url: str, token: str, start: float, tz: Any, n: int,
         after_each: Any) -> list[Answer]:
    slot = datetime.fromtimestamp(start, tz)
    reception, csrf = _reception(centre_url, slot)
    portal = httpx.Client(base_url=central_url, timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
    gate = threading.Barrier(n)
    lock = threading.Lock()
    done = [0]

    def one(i: int) -> Answer:
        rid = f"race-{i:03d}-{uuid.uuid4().hex[:8]}"
        gate.wait()
        began = time.perf_counter()
        tries = 2 if i % 10 == 0 else 1              # every tenth request is sent twice
        for _ in range(tries):
            if i % 2 == 0:
                got = portal.post("/api/v1/bookings", json={
                    "request_id": rid, "centre": "race", "service": SERVICE,
                    "slot_start": slot.isoformat(), "lang": "az"})
                code = got.json()["code"] if got.status_code == 201 else None
                side = "national"
            else:
                got = reception.post("/desk/book", data={
                    "csrf": csrf, "service": SERVICE, "day": slot.date().isoformat(),
                    "slot": repr(start), "language": "az", "request_id": rid})
                location = got.headers.get("location", "")
                code = location.rsplit("/", 1)[1] if got.status_code == 303 else None
                side = "reception"
        answer = Answer(side, rid, code, time.perf_counter() - began)
        with lock:
            done[0] += 1
            after_each(done[0])
        return answer
    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            return list(pool.map(one, range(n)))
    finally:
        reception.close()
        portal.close()


def _count(central: CentralDb, queue: LocalQueue, centre: str, start: float,
           result: RaceResult) -> None:
    here = [b for b in queue.bookings.day_bookings(open_day(queue.config))
            if b.slot_start == start and b.status != "cancelled"]
    with central.admin() as conn:
        national = conn.execute("SELECT code FROM novbe.bookings WHERE centre_id = %s AND "
                                "slot_start = %s AND status <> 'cancelled'",
                                (centre, start)).fetchall()
        counter = conn.execute("SELECT coalesce(max(booked), 0) FROM novbe.booking_seats WHERE "
                               "centre_id = %s AND slot_start = %s", (centre, start)).fetchone()
    codes_here = [b.code for b in here]
    central_codes = {r[0] for r in national}
    result.booked_here, result.booked_central = len(here), len(national)
    answered = [a for a in result.answers if a.code is not None]
    result.double_bookings = (max(0, len(here) - result.capacity)
                              + (len(codes_here) - len(set(codes_here)))
                              + max(0, len(answered) - len({a.code for a in answered}))
                              + max(0, int(counter[0] if counter else 0) - len(national)))
    result.lost_bookings = sum(1 for a in answered if a.code not in codes_here) + sum(
        1 for a in answered if a.side == "national" and a.code not in central_codes)
