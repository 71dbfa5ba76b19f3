"""GET /api/central/status: how far behind the central copy of the event log is (signed-in
staff; the manager's view shows it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from server.accounts import Forbidden
from server.auth import Caller, any_caller
from server.shipping import central_lag

router = APIRouter(prefix="/api")


def staff_only(request: Request) -> Caller:
    """Dependency: a signed-in staff member (devices have no business here)."""
    who = any_caller(request)
    if who.kind != "staff":
        raise Forbidden("this needs a staff session")
    return who


@router.get("/central/status", tags=["central"])
def central_status(request: Request,
                   who: Annotated[Caller, Depends(staff_only)]) -> dict[str, Any]:
    """Events not yet in the central PostgreSQL and the age of the oldest of them
    (`{"shipping": false}` when this centre ships nowhere). Runs in the thread pool."""
    lag = central_lag(request.app.state)
    return {"shipping": False} if lag is None else {"shipping": True, **lag}
