"""The JSON bodies of the API, validated by pydantic (bad input → 422 with the reason)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _plain_text(value: str) -> str:
    """Refuse text SQLite cannot store (lone surrogates) and control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode") from None
    if any(ord(ch) < 32 and ch not in "\t\n" for ch in value):
        raise ValueError("text contains control characters")
    return value


Text = Annotated[str, AfterValidator(_plain_text)]
Id = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_plain_text)]
OptionalId = Annotated[str | None, Field(default=None, max_length=64),
                       AfterValidator(lambda v: v if v is None else _plain_text(v))]
MAX_ID = 2**62


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueBody(Body):
    """`request_id`: a random id the kiosk makes per issue; sending it again (a retry after a
    lost answer) returns the ticket of the first try instead of issuing a second one."""

    service: Id
    priority: OptionalId = None
    language: Literal["az", "ru", "en"] = "az"
    source: OptionalId = None
    check_hours: bool = False
    request_id: Annotated[str | None, Field(default=None, min_length=16, max_length=64,
                                            pattern=r"^[A-Za-z0-9_-]+$")] = None


class CounterAction(Body):
    """`expect`: the ticket code the caller sees at the counter ("" for none). When given, the
    action is refused (409 CounterChanged) if the counter has moved on meanwhile — another tab
    or another staff member acted first — instead of acting on a visitor nobody looked at."""

    expect: Annotated[str | None, Field(default=None, max_length=16,
                                        pattern=r"^[A-Z0-9-]*$")] = None


class StaffBody(CounterAction):
    staff: OptionalId = None


class OpenBody(StaffBody):
    """`takeover`: open the counter even if another signed-in staff member holds it (their
    sessions then lose it); without it such an open is refused (409 CounterHeld)."""

    takeover: bool = False


class CallBody(CounterAction):
    ticket: Id
    staff: OptionalId = None


class FinishBody(CounterAction):
    outcome: Literal["served", "unresolved", "referred"] = "served"


class TransferBody(CounterAction):
    service: Id


class RateBody(Body):
    score: int = Field(ge=1, le=5)


class DeviceReportBody(Body):
    source: Id
    kind: Id
    message: Annotated[str, Field(max_length=500), AfterValidator(_plain_text)] = ""
    ticket_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ErrorBody(BaseModel):
    error: str
    message: str


Json = dict[str, Any]
