"""How the devices and the rules behave: the [kiosk], [board], [waits] and [fairness] tables of a
centre config — validated pydantic dataclasses, frozen; their defaults are the file's."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)
from pydantic.dataclasses import dataclass

from shared.config.seen import seen
from shared.config.values import (
    TABLE,
    AtLeast1,
    Estimator,
    Flag,
    Languages,
    OptionalNames,
    PaperWidth,
    Pin,
    Printer,
)


@dataclass(frozen=True, kw_only=True, config=TABLE)
class KioskSettings:
    """[kiosk] How the lobby kiosk behaves."""

    printer: Printer = "preview://tickets"
    paper_width: PaperWidth = 576
    home_after_seconds: AtLeast1 = 12
    idle_seconds: Annotated[int, Field(ge=5, strict=True)] = 60
    tap_guard_ms: Annotated[int, Field(ge=0, strict=True)] = 800
    staff_pin: Pin = "2580"
    footer: OptionalNames = Field(default_factory=dict)
    # Whether the file names [kiosk] printer (else the default above): not a key of the file,
    # read from it; the kiosk's CLI prints to a default printer only when named.
    printer_named: Annotated[bool, Field(exclude=True)] = False

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and seen(info) is not None:   # read from a file
            data = {k: v for k, v in data.items() if k != "printer_named"}
            data["printer_named"] = "printer" in data
        return data

    @model_serializer(mode="wrap")
    def _as_table(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        table: dict[str, Any] = handler(self)
        if not self.printer_named:
            table.pop("printer", None)   # written only when the file named it
        return table


@dataclass(frozen=True, kw_only=True, config=TABLE)
class BoardSettings:
    """[board] How the lobby board behaves."""

    speech_languages: Languages = ("az",)
    ticker: OptionalNames = Field(default_factory=dict)
    history: AtLeast1 = 8
    highlight_seconds: AtLeast1 = 8


@dataclass(frozen=True, kw_only=True, config=TABLE)
class WaitSettings:
    """[waits] How printed waits are estimated (issue 13): `replay` (the call order replayed
    over the counters, shared/waits/replay.py) or `simple` (people ahead × median visit / open
    counters, the first one); a paused counter is expected back after `pause_min`."""

    estimator: Estimator = "replay"
    pause_min: Annotated[float, Field(ge=1, strict=True)] = 45.0


@dataclass(frozen=True, kw_only=True, config=TABLE)
class FairnessSettings:
    """[fairness] The fairness rule (issue 13, shared/core/fairness.py): when enabled, a regular
    visitor waiting `wait_multiple` × their service's target wait joins the priority line then,
    called before the priority visitors who came after that moment."""

    enabled: Flag = False
    wait_multiple: Annotated[float, Field(gt=0, strict=True)] = 2.0


@dataclass(frozen=True, kw_only=True, config=TABLE)
class VisitSettings:
    """[visits] How a visit's outcome is read from what staff press (README, the queue rules):
    a called visitor nobody marked as a no-show counts as at the window `walk_up_s` after the
    last call or recall; Next (or a call) before then, with no Start, files "did not come".
    The last outcome a console recorded can be changed for `undo_s` seconds after."""

    walk_up_s: Annotated[int, Field(ge=0, le=900, strict=True)] = 60
    undo_s: Annotated[int, Field(ge=0, le=300, strict=True)] = 20
