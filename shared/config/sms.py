"""The `[sms]` section: the SMS gateway booking reminders go through — one HTTP request per
message, its URL, method, headers and body made from templates. No section: no SMS.

    [sms]
    url = "https://sms.example.az/send"
    method = "POST"                                   # or GET (the body then goes nowhere)
    headers = { Authorization = "Bearer …", "Content-Type" = "application/json" }
    body = '{"to": "$phone", "text": "$text"}'        # $phone $text $code
    timeout_s = 10

`$phone`, `$text` and `$code` (or `${phone}`…; `$$` is a dollar) are filled in the URL
(URL-encoded) and the body (escaped for JSON when the body or its Content-Type is JSON, else as
they are). Keep a key out of the file if the
gateway allows it; `novbe check-config` never prints the headers."""

from __future__ import annotations

import string
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from pydantic.dataclasses import dataclass

from shared.config.values import TABLE

PLACES = ("phone", "text", "code")


def _template(value: str) -> str:
    template = string.Template(value)
    if not template.is_valid():
        raise ValueError("has a $ that names nothing; write a dollar sign as $$")
    unknown = [n for n in template.get_identifiers() if n not in PLACES]
    if unknown:
        raise ValueError(f"knows only $phone, $text and $code, not ${unknown[0]}")
    return value


def _url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return _template(value)


@dataclass(frozen=True, kw_only=True, config=TABLE)
class SmsSettings:
    """Where and how booking reminders are sent."""

    url: Annotated[str, AfterValidator(_url)]
    method: Literal["POST", "GET"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    body: Annotated[str, AfterValidator(_template)] = '{"to": "$phone", "text": "$text"}'
    timeout_s: Annotated[float, Field(gt=0, le=60)] = 10.0

    def json_body(self) -> bool:
        """Whether the body is JSON (its placeholders then filled JSON-escaped)."""
        kind = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")
        return "json" in kind.lower() or self.body.lstrip().startswith("{")


def filled(template: str, values: dict[str, Any], escape: Any) -> str:
    """The template with its placeholders filled, each value passed through `escape`."""
    return string.Template(template).substitute({k: escape(str(v)) for k, v in values.items()})
