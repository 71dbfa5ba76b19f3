"""Saying what is wrong with a centre config file: pydantic's errors as "key: what" lines, each key
named the way the file names it ("category.pensions.prefix", "counter.7.services")."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from shared.config.values import LANGUAGES, is_counter_id, is_id

_SAYS = {  # pydantic's own checks, in the words of the rest of Növbə
    "missing": "missing",
    "int_type": "must be a whole number, got {input!r}",
    "float_type": "must be a number, got {input!r}",
    "bool_type": "must be true or false, got {input!r}",
    "greater_than_equal": "must be at least {ge}, got {input!r}",
    "greater_than": "must be more than {gt}, got {input!r}",
    "less_than_equal": "must be at most {le}, got {input!r}",
    "model_type": "must be a table, got {kind}",
    "dataclass_type": "must be a table, got {kind}",
    "dataclass_args_type": "must be a table, got {kind}",
    "list_type": "must be a list, got {input!r}",
    "tuple_type": "must be a list, got {input!r}",
}
_EXTRA = ("extra_forbidden", "unexpected_keyword_argument")
_UNKNOWN: dict[tuple[str | int, ...], str] = {
    (): "unknown section", ("hours",): "unknown key (use mon…sun, closed_dates)"}


def problem_lines(error: ValidationError, data: Any, sections: dict[str, str]) -> list[str]:
    """Each of pydantic's errors over the file's `data` as "key: what"; `sections`: the file's
    name of a section that pydantic names by the config's (when a default is checked)."""
    lines = []
    for e in error.errors():
        loc = e["loc"]
        if loc and e["type"] not in _EXTRA:  # an unknown key is named as the file has it
            loc = (sections.get(str(loc[0]), loc[0]), *loc[1:])
        lines.append(f"{_key(loc, data)}: {_what(e)}")
    return lines


def _what(error: ErrorDetails) -> str:
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx", {})
    if kind == "value_error":
        return str(ctx["error"])
    if kind in _EXTRA:
        return _UNKNOWN.get(loc[:-1], "unknown key")
    if kind == "missing" and loc[-1] == "name":
        return f"missing (a table of names in {'/'.join(LANGUAGES)})"
    if kind in _SAYS:
        return _SAYS[kind].format(input=error["input"], kind=type(error["input"]).__name__, **ctx)
    return error["msg"]


def _key(loc: tuple[str | int, ...], data: Any) -> str:
    """The dotted key of an error's place. A table in a list is named by its id
    ("category.pensions", "service.pensions.age", "counter.7"), or by its position when the id
    is what is broken ("category[2].id")."""
    parts: list[str] = []
    node = data
    for step in loc:
        has = step in node if isinstance(node, dict) else (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node))
        node = node[step] if has else None
        if isinstance(step, str):
            parts.append(step)
            continue
        ident = node.get("id") if isinstance(node, dict) else None
        if not parts:
            parts.append(f"[{step}]")
        elif not (is_counter_id if parts[0] == "counter" else is_id)(ident):
            parts[-1] += f"[{step}]"
        elif parts[-1:] == ["service"] and len(parts) == 3:  # category.<id>.service
            parts = ["service", parts[1], str(ident)]
        else:
            parts.append(str(ident))
    return ".".join(parts)
