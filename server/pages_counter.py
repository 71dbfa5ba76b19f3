"""The counter console /counter."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

router = APIRouter()


def error_page(request: Request, exc: Exception, headers: dict[str, str] | None) -> Response:
    return PlainTextResponse(str(exc), status_code=getattr(exc, "http_status", 400), headers=headers)
