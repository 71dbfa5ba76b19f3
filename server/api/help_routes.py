"""Help requests answered over HTTP: a signed-in staff member or volunteer acknowledges a
visitor's request for help at a kiosk (the console, the manager's view and /assist all use it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from server.api.routes import ERRORS, SIGNED, as_writer, queue_of
from server.api.schemas import Body, EventOut, Id
from server.auth.accounts import Forbidden
from server.auth.caller import Caller, caller

router = APIRouter(prefix="/api", tags=["devices"], responses=ERRORS)


class AcknowledgeBody(Body):
    source: Id          # the device the visitor asked at ("kiosk-2")


def staff_member(request: Request) -> Caller:
    """A signed-in staff member or volunteer (with the page's CSRF token): a person goes to help,
    so a device token cannot acknowledge."""
    who = caller(request)
    if who.kind != "staff" or who.staff is None:
        raise Forbidden("a staff member signs in to acknowledge a help request")
    return who


@router.post("/help/acknowledge", response_model=EventOut, dependencies=SIGNED)
async def acknowledge(request: Request, body: AcknowledgeBody) -> JSONResponse:
    """Someone goes to help the visitor at the device `source`: the request leaves every screen
    (409 NoHelpRequest when it was acknowledged already)."""
    return await as_writer(request, lambda who: queue_of(request).acknowledge_help(
        body.source, who.staff or "").to_json(), allow=staff_member)
