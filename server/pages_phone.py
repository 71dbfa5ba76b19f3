"""The phone page /t/{token}: one ticket, followed live."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
