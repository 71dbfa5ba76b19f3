"""Work profiles over HTTP (routes from shared/client/api_table.py): every counter's profile
now and the scheduled switches; a switch at a counter — by the staff member holding it (among
the counter's profiles) or by a manager (any profile sharing a service with it); a manager's
scheduled switch and calling one off."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from server.api.routes import ERRORS, SIGNED, as_reader, as_writer, queue_of
from server.api.schemas import (
    Body,
    CancelledOut,
    ProfileNowOut,
    ProfilesOut,
    ScheduledSwitchOut,
)
from server.auth.accounts import Forbidden
from server.auth.caller import Caller, caller, for_counter
from shared.client import api_table as api
from shared.core.clock import to_epoch

router = APIRouter(prefix=api.API, tags=["profiles"], responses=ERRORS)
CounterId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
ProfileId = Annotated[str, Field(max_length=64, pattern=r"^([a-z0-9][a-z0-9_.-]*)?$")]
Epoch = Annotated[float, Field(ge=946684800, le=4102444800)]   # 2000–2100


def route(r: api.Route, **options: Any) -> Any:
    return router.api_route(r.path, methods=[r.method], **options)


class SwitchBody(Body):
    profile: ProfileId      # "" is the counter's implicit profile (every service primary)


class ScheduleBody(Body):
    counter: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
    profile: ProfileId
    starts_at: Epoch
    ends_at: Epoch


def is_manager(request: Request, who: Caller) -> bool:
    return who.kind == "staff" and request.app.state.accounts.role_of(who.name) == "manager"


def manager_only(request: Request) -> Caller:
    """A signed-in manager (scheduled switches are the manager's)."""
    who = caller(request)
    if not is_manager(request, who):
        raise Forbidden("only a manager schedules or calls off profile switches")
    return who


def profiles_json(request: Request) -> dict[str, Any]:
    """Every counter's profile now (with the profiles it may run), the scheduled switches, and
    today's local midnight (epoch) for times of day."""
    queue = queue_of(request)
    now, planned = queue.profiles_now()
    config = request.app.state.config
    local = request.app.state.clock.now().astimezone(config.tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"counters": {c: p.to_json() for c, p in now.items()},
            "choices": {c.id: list(c.profile_choices) for c in config.counters},
            "scheduled": [s.to_json() for s in planned], "day_start": to_epoch(midnight)}


@route(api.PROFILES, dependencies=SIGNED, response_model=ProfilesOut)
async def profiles(request: Request) -> JSONResponse:
    """Every counter's work profile now (and why: default, staff, manager, schedule), the
    profiles staff may choose at each, and the scheduled switches not yet over."""
    return await as_reader(request, lambda who: profiles_json(request))


@route(api.SWITCH_PROFILE, dependencies=SIGNED, response_model=ProfileNowOut)
async def switch_profile(request: Request, counter: CounterId, body: SwitchBody) -> JSONResponse:
    """Switch the counter's profile from its next Next (422 UnknownProfile: not one it may
    run). A manager may switch any counter; staff the counter they hold, among its profiles."""
    def run(who: Caller) -> Any:
        manager = is_manager(request, who)
        if not manager:
            for_counter(request, counter)
        return queue_of(request).switch_profile(
            counter, body.profile, who.staff, manager=manager,
            holder=None if manager or who.kind == "device" else who.staff).to_json()
    return await as_writer(request, run)


@route(api.SCHEDULE_PROFILE, dependencies=SIGNED, response_model=ScheduledSwitchOut)
async def schedule_profile(request: Request, body: ScheduleBody) -> JSONResponse:
    """A manager's switch for a time ("lunch cover 12:30–14:00"): from the counter's first
    Next after `starts_at` until `ends_at` (epoch seconds)."""
    return await as_writer(request, lambda who: queue_of(request).schedule_profile(
        body.counter, body.profile, body.starts_at, body.ends_at, who.staff).to_json(),
        allow=manager_only)


@route(api.CANCEL_SCHEDULED, dependencies=SIGNED, response_model=CancelledOut)
async def cancel_scheduled(request: Request,
                           switch: Annotated[int, Path(ge=1, le=2**53)]) -> JSONResponse:
    """Call a scheduled switch off (404-like 422 when there is none)."""
    def run(who: Caller) -> Any:
        queue_of(request).cancel_profile_schedule(switch, who.staff)
        return {"cancelled": switch}
    return await as_writer(request, run, allow=manager_only)
