"""The single values of a centre config — ids, prefixes, names, times, URLs, numbers — each a type
that says what is wrong in the file's words when a value does not fit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
)

from shared.config.seen import Found, problems, seen

LANGUAGES = ("az", "ru", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRANSFER_POLICIES = ("keep_place", "front", "back")
PRINTER_SCHEMES = ("usb", "tcp", "serial", "file", "cups", "win32", "preview", "dummy")
PAPER_WIDTHS = (384, 512, 576)
ESTIMATORS = ("replay", "simple")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
COUNTER_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,16}")

Names = dict[str, str]

# Every table of the file: frozen, no unknown keys; built in code by field name (so
# dataclasses.replace works), read from a file by the file's keys only (shared.config.centre).
TABLE = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)


def in_language(names: Names, lang: str, fallback: str) -> str:
    """The name in `lang`, else in Azerbaijani, else `fallback`."""
    return names.get(lang) or names.get("az") or fallback


def check(ok: Callable[[Any], Any], what: str, then: Callable[[Any], Any] = str,
          after: bool = False) -> Any:
    """A value the file must get right: ok(value), or the problem `what` ({got}: the value). The
    check replaces pydantic's own for the type unless it comes `after` it."""
    def checked(value: Any) -> Any:
        if not ok(value):
            raise ValueError(what.format(got=repr(value)))
        return then(value)
    return AfterValidator(checked) if after else PlainValidator(checked)


def is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(ID_RE.match(value))


def is_counter_id(value: Any) -> bool:
    return isinstance(value, str | int) and bool(COUNTER_ID_RE.fullmatch(str(value)))


def _zone(value: Any) -> bool:
    try:
        return bool(ZoneInfo(str(value)))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False


def _date(value: Any) -> date | None:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return None


def _span(value: Any) -> tuple[time, time] | None:
    """Opening and closing time from "09:00-18:00" (24:00: midnight) or a pair of times; "" or
    "closed" or None: closed."""
    if value in ("", "closed", None):
        return None
    if isinstance(value, tuple | list) and len(value) == 2 and all(isinstance(t, time) for t in value):
        start, end = value
    else:
        m = re.match(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$", str(value))
        if not m or int(m[1]) > 23 or int(m[3]) > 24 or int(m[2]) > 59 or int(m[4]) > 59:
            raise ValueError(f"must look like \"09:00-18:00\" or \"\", got {value!r}")
        start = time(int(m[1]), int(m[2]))
        end = time(23, 59, 59) if int(m[3]) == 24 else time(int(m[3]), int(m[4]))
    if end <= start:
        raise ValueError(f"closes before it opens: {value!r}")
    return start, end


def span_text(span: tuple[time, time] | None) -> str:
    """A span as the file writes it: "09:00-18:00", "09:00-24:00" to midnight, "" closed."""
    if span is None:
        return ""
    end = "24:00" if span[1] == time(23, 59, 59) else f"{span[1]:%H:%M}"
    return f"{span[0]:%H:%M}-{end}"


def _names(value: Any, info: ValidationInfo) -> Names:
    """A name in each of the centre's languages ({ az = "…", ru = "…", en = "…" }); read from a
    file, every language of [centre] is needed."""
    if isinstance(value, str):
        value = {"az": value}
    if not isinstance(value, dict):
        raise ValueError("must be a table like { az = \"…\", ru = \"…\", en = \"…\" }")
    read = seen(info)
    found: Found = [((lang,), "missing translation") for lang in (read.languages if read else ())
                    if not isinstance(value.get(lang), str) or not value[lang].strip()]
    found += [((lang,), f"unknown language (known: {', '.join(LANGUAGES)})")
              for lang in value if lang not in LANGUAGES]
    if found:
        raise problems(found)
    return {k: v for k, v in value.items() if isinstance(v, str)}


def _optional_names(value: Any, info: ValidationInfo) -> Names:
    """Names that may be left out: an empty table is none; otherwise as _names."""
    return {} if value == {} else _names(value, info)


def _any_names(value: Any) -> Names:
    """A counter's names: anything, as text (a bare number names it in every language)."""
    if isinstance(value, dict):
        return {str(k): str(x) for k, x in value.items()}
    return dict.fromkeys(LANGUAGES, str(value))


def _closed_dates(value: Any) -> frozenset[date]:
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"must be a list of dates, got {value!r}")
    return frozenset(value)


def _sorted_dates(value: frozenset[date]) -> list[str]:
    return sorted(d.isoformat() for d in value)


Id = Annotated[str, check(is_id, "must be an id of lowercase letters, digits, '_', '-', '.'; got {got}")]
Prefix = Annotated[str, check(lambda v: isinstance(v, str) and re.fullmatch(r"[A-Z]{1,2}", v),
                              "must be one or two capital Latin letters, got {got}")]
NamesTable = Annotated[Names, PlainValidator(_names)]
OptionalNames = Annotated[Names, PlainValidator(_optional_names)]  # a footer, a ticker: or none
AnyNames = Annotated[Names, PlainValidator(_any_names)]
Languages = Annotated[tuple[str, ...], check(
    lambda v: isinstance(v, list | tuple) and all(x in LANGUAGES for x in v),
    f"must be a list of {', '.join(LANGUAGES)}; got {{got}}", tuple), PlainSerializer(list)]
TimeZone = Annotated[str, check(_zone, "unknown time zone {got}")]
Hour = Annotated[int, Field(ge=0, strict=True),
                 check(lambda h: h <= 23, "must be an hour 0–23, got {got}", int, after=True)]
Url = Annotated[str, check(lambda v: isinstance(v, str) and (not v or re.match(r"^https?://", v)),
                           "must be an http(s) URL or empty, got {got}", lambda v: v.rstrip("/"))]
Transfer = Annotated[str, check(lambda v: v in TRANSFER_POLICIES,
                                f"must be one of {', '.join(TRANSFER_POLICIES)}, got {{got}}")]
Span = Annotated[tuple[time, time] | None, PlainValidator(_span), PlainSerializer(span_text)]
Day = Annotated[date, check(_date, "not a date: {got}", _date)]
ClosedDates = Annotated[frozenset[Day], BeforeValidator(_closed_dates),
                        PlainSerializer(_sorted_dates)]
Printer = Annotated[str, check(
    lambda v: re.match(rf"^({'|'.join(PRINTER_SCHEMES)})://", str(v)),
    f"must be a printer URL ({', '.join(s + '://' for s in PRINTER_SCHEMES)}), got {{got}}")]
PaperWidth = Annotated[int, check(lambda v: v in PAPER_WIDTHS,
                                  f"must be one of {PAPER_WIDTHS} dots, got {{got}}", int)]
Pin = Annotated[str, check(lambda v: re.fullmatch(r"\d{4,8}", str(v)), "must be 4–8 digits")]
Estimator = Annotated[str, check(lambda v: v in ESTIMATORS,
                                 f"must be one of {', '.join(ESTIMATORS)}, got {{got}}")]
Minutes = Annotated[float, Field(ge=0, strict=True)]  # strict: 7 or 7.5, never "7"
ServiceMinutes = Annotated[float, Field(ge=0.5, strict=True)]
AtLeast1 = Annotated[int, Field(ge=1, strict=True)]
Flag = Annotated[bool, Field(strict=True)]


def name_field() -> Any:
    """The `names` of a thing, written `name` in the file."""
    return Field(validation_alias="name", serialization_alias="name")
