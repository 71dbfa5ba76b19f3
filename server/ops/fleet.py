"""The centre's devices on one page (/manager/devices, for managers and IT): every kiosk, board
and counter PC — name, role, version, last seen, printer and paper, audio, screen, the config
it runs against the current one. Devices send heartbeats on the link they hold
(POST /api/devices/heartbeat with their token, or their queue file when local); the server's
watch raises the offline alert of a device silent for OFFLINE_AFTER_S (45 s), on consoles and the manager's
view like any device alert."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from server.api.routes import ERRORS
from server.auth.accounts import Forbidden, NotAuthorised, Session
from server.auth.caller import caller, session_of
from server.http import offload
from server.pages.web import language
from shared.client.api_table import HEARTBEAT
from shared.config import versions as config_versions
from shared.config.centre import CentreConfig
from shared.core.alerts import source_name
from shared.core.presence import HEARTBEAT_S, OFFLINE_AFTER_S, DeviceSeen
from shared.i18n import tr
from shared.version import VERSION, supports

log = logging.getLogger(__name__)
router = APIRouter()
WATCH_EVERY_S = 10.0
FLEET_ROLES = ("manager", "it")

Text = Annotated[str, Field(max_length=80, pattern=r"^[\w .:/+@()-]*$")]


class HeartbeatBody(BaseModel):
    """What a device says of itself every 20 s."""

    model_config = ConfigDict(extra="forbid")
    version: Text
    screen: Annotated[str, Field(pattern=r"^\d{2,5}x\d{2,5}$")] | None = None
    printer: Literal["ok", "offline", "unknown", "none"] | None = None
    paper: Literal["ok", "low", "out", "unknown"] | None = None
    audio: Literal["ok", "silent", "speech_missing", "unknown", "none"] | None = None
    config_version: Annotated[str, Field(pattern=r"^[0-9a-f]{8,64}$")] | None = None


class HeartbeatOut(BaseModel):
    """The server's answer to a heartbeat: its version, and whether it supports the device's
    (a device it does not support says so on its staff line and stops serving visitors)."""

    ok: bool
    version: str
    supported: bool


@router.post(HEARTBEAT.url(), tags=["devices"], responses=ERRORS)
async def heartbeat(request: Request, body: HeartbeatBody) -> HeartbeatOut:
    """A remote device is there (its name and role come from its token, never from the body);
    the answer says the server's version and whether it supports the device's."""
    def write() -> None:
        who = caller(request)
        if who.kind != "device":
            raise Forbidden("heartbeats are for device tokens")
        state = body.model_dump(exclude={"version"}, exclude_none=True)
        request.app.state.queue.heartbeat(who.name, who.role or "device", body.version, state)
    await offload.write(request, write)
    return HeartbeatOut(ok=True, version=VERSION, supported=supports(VERSION, body.version))


def fleet_session(request: Request) -> Session:
    """A signed-in manager or IT staff member."""
    session = session_of(request)
    if session is None:
        raise NotAuthorised("sign in first")
    if request.app.state.accounts.role_of(session.staff) not in FLEET_ROLES:
        raise Forbidden(f"{session.staff} may not see the devices (managers and IT only)")
    return session


def _ago(seconds: float, lang: str) -> str:
    if seconds < 90:
        return tr(lang, "{n} s ago", n=max(0, int(seconds)))
    if seconds < 5400:
        return tr(lang, "{n} min ago", n=int(seconds // 60))
    return tr(lang, "{n} h ago", n=int(seconds // 3600))


# What a device's state words mean to a reader (translated), and which of them need someone.
ROLE_TEXT = {"kiosk": "kiosk", "board": "board", "counter": "counter PC"}
STATE_TEXT = {
    "printer": {"ok": "ready", "offline": "offline", "unknown": "not known", "none": "no printer"},
    "paper": {"ok": "enough", "low": "running low", "out": "out", "unknown": "not known"},
    "audio": {"ok": "working", "silent": "silent", "speech_missing": "voice missing",
              "unknown": "not known", "none": "no audio device"},
}
NEEDS_SOMEONE = {"printer": {"offline"}, "paper": {"low", "out"},
                 "audio": {"silent", "speech_missing", "none"}}


def _state_cell(state: dict[str, Any], part: str, lang: str) -> dict[str, Any]:
    """One of a device's printer, paper and audio cells: its words and whether it is a problem
    (a part the device did not report reads "—")."""
    code = state.get(part)
    if code is None:
        return {"text": "—", "problem": False}
    return {"text": tr(lang, STATE_TEXT[part].get(code, "not known")),
            "problem": code in NEEDS_SOMEONE[part]}


def fleet_view(devices: list[DeviceSeen], config: CentreConfig, now: datetime,
               lang: str) -> list[dict[str, Any]]:
    """Each device as the page shows it, problems first, in the reader's language. A device's
    config is current when the version it runs is the one the server serves its role now
    (shared.config.versions.device_version on both sides)."""
    rows = []
    for d in devices:
        ours = supports(VERSION, d.version)
        in_use = d.state.get("config_version")
        current = None if not in_use else \
            config_versions.device_version(config, d.role).startswith(in_use)
        cells = {part: _state_cell(d.state, part, lang) for part in STATE_TEXT}
        problems = [not d.online, not ours, *(c["problem"] for c in cells.values()),
                    current is False]
        rows.append({
            "source": d.source, "name": source_name(d.source, lang), "role": d.role,
            "role_text": tr(lang, ROLE_TEXT.get(d.role, "device")), "cells": cells,
            "online": d.online, "seen": _ago(now.timestamp() - d.last_seen, lang),
            "version": d.version, "version_ok": ours,
            "printer": d.state.get("printer", "—"), "paper": d.state.get("paper", "—"),
            "audio": d.state.get("audio", "—"), "screen": d.state.get("screen", "—"),
            "config_current": current,
            "config": "—" if current is None else tr(lang, "current" if current else "old"),
            "problems": sum(problems),
        })
    return sorted(rows, key=lambda r: (-r["problems"], r["role"], r["source"]))


@router.get("/manager/devices.json", include_in_schema=False)
async def devices_data(request: Request) -> dict[str, Any]:
    fleet_session(request)
    state, lang = request.app.state, language(request)
    seen = await offload.read(request, state.queue.devices_seen)
    return {"server_version": VERSION,
            "config_version": config_versions.device_version(state.config, None),
            "devices": fleet_view(seen, state.config, state.clock.now(), lang)}


@router.get("/manager/devices", include_in_schema=False)
async def devices_page(request: Request) -> Response:
    from server.pages.manager import render_manager

    session = fleet_session(request)
    data = await devices_data(request)
    return render_manager(request, "manager_devices.html", session, "devices", **data,
                          heartbeat_s=HEARTBEAT_S, offline_after_s=OFFLINE_AFTER_S)


async def watch(app: Any) -> None:
    """Every WATCH_EVERY_S: raise the offline alert of devices silent for OFFLINE_AFTER_S."""
    while True:
        await asyncio.sleep(WATCH_EVERY_S)
        try:
            gone = await asyncio.to_thread(app.state.queue.sweep_devices)
        except Exception:  # the watch must outlive a busy or briefly unreachable file
            log.exception("the device watch could not run")
            continue
        for source in gone:
            log.warning("device %s went silent: offline alert raised", source)
        try:
            await asyncio.to_thread(expire_no_shows, app)
        except Exception:
            log.exception("bookings past their late window could not be marked as no-shows")


def expire_no_shows(app: Any) -> int:
    """Bookings not checked in by the end of their late window become no-shows (an event each),
    and names and phones past `[bookings] erase_after_days` are erased — on the same tick as the
    device watch."""
    ledger = app.state.queue.bookings
    count: int = ledger.expire_no_shows()
    if count:
        app.state.hub.poke()
        if app.state.booking_link is not None:   # the national desk sees them at once
            app.state.booking_link.wake()
        log.info("%d booking(s) marked as no-shows", count)
    erased = ledger.erase_personal_data()
    if erased:
        log.info("names and phones of %d past booking(s) erased", erased)
    return count


@contextlib.asynccontextmanager
async def watching(app: Any) -> Any:
    """The device watch for the server's lifetime (ServedQueue.sweep_devices: every served
    queue keeps heartbeats)."""
    task = asyncio.create_task(watch(app), name="device-watch")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
