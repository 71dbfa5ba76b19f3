"""How a recorded visit outcome reads ("A-007: served, 6:12" / "A-007: did not come"): the
catalog messages the counter console and the `novbe` counter commands both say."""

from __future__ import annotations

from shared.core.model import VisitEnd
from shared.i18n import tr

OUTCOME_TEXTS = {"served": "{code}: served, {time}", "unresolved": "{code}: not resolved, {time}",
                 "referred": "{code}: referred to another agency, {time}",
                 "no_show": "{code}: did not come"}
FINISH_LABELS = {"served": "Served", "unresolved": "Not resolved",
                 "referred": "Referred to another agency"}


def minutes_seconds(seconds: int | None) -> str:
    """6:12 for 372 seconds (the console's own format)."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def recorded(lang: str, ended: VisitEnd) -> str:
    """What an action recorded about the visit it ended, in `lang`."""
    return tr(lang, OUTCOME_TEXTS.get(ended.outcome, OUTCOME_TEXTS["served"]), code=ended.code,
              time=minutes_seconds(ended.seconds))
