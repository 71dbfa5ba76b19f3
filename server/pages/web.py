"""What the HTML pages share: the Jinja2 templates, the static folder, the visitor's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from shared.i18n import LANGUAGE_NAMES, ntr, tr
from shared.reports.explain import CHART_EXPLANATIONS, EXPLANATIONS, legend

WEB_DIR = Path(__file__).resolve().parents[2] / "assets" / "web"
STATIC_DIR = WEB_DIR / "static"
LANG_COOKIE = "novbe_lang"
LANGUAGES = ("az", "ru", "en")

templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
# what each report figure and chart means (the "?" beside it, the printed legend)
templates.env.globals.update(explanations=EXPLANATIONS, chart_explanations=CHART_EXPLANATIONS,
                             figure_legend=legend)


def wants_html(request: Request) -> bool:
    """A browser page (not the JSON API, not an event stream)."""
    path = request.url.path
    return not path.startswith("/api/") and not path.endswith("/events") and \
        "text/html" in request.headers.get("accept", "")


def language(request: Request) -> str:
    """?lang=, else the language cookie, else the browser's first known language, else az."""
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        return lang
    lang = request.cookies.get(LANG_COOKIE)
    if lang in LANGUAGES:
        return lang
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "az"


def render(request: Request, name: str, status_code: int = 200,
           headers: dict[str, str] | None = None, **context: Any) -> Response:
    """A page in the visitor's language; remembers a language chosen with ?lang=."""
    lang = context.pop("lang", None) or language(request)
    context.update(
        request=request, lang=lang, languages=LANGUAGE_NAMES,
        _=lambda msgid, **kw: tr(lang, msgid, **kw),
        _n=lambda s, p, n, **kw: ntr(lang, s, p, n, **kw),
    )
    response = templates.TemplateResponse(request, name, context, status_code=status_code,
                                          headers=headers)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict",
                            httponly=True)
    response.headers["Cache-Control"] = "no-store"
    return response


# Where each staff role works: (URL, label msgid) — the page a refused staff member is sent to.
ROLE_HOME = {"counter": ("/counter", "Counter console"), "manager": ("/manager", "Manager's view"),
             "volunteer": ("/assist", "Help desk"), "reception": ("/desk", "Booking desk")}


def refused(request: Request, staff: str, csrf: str, role: str | None, heading: str,
            message: str) -> Response:
    """403: a signed-in staff member on a page their role does not open — why (`message`,
    already in the reader's language), a link to their own page, and a way to sign out."""
    lang = language(request)
    url, label = ROLE_HOME.get(role or "counter", ROLE_HOME["counter"])
    return render(request, "refused.html", status_code=403, lang=lang,
                  session={"staff": staff, "csrf": csrf}, heading=heading, message=message,
                  elsewhere_url=url, elsewhere=tr(lang, label),
                  sign_out_url="/counter/logout")
