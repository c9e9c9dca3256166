"""The facilitator's guide: a page (/guide) and a printable PDF (/guide.pdf) from one template.

Every text is in the catalogues (server/locales/<lang>/guide.json); the structure below only
says which keys make each section, in order. The PDF goes through the summary's renderer
(server/summary/pdf.py: same stylesheets, same fetcher limited to static/), off the event loop,
and is kept once made per language (the guide changes only with a release).
"""

import asyncio
from typing import Any, Final, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from server.core.criteria import DIMENSIONS
from server.i18n import Lang, normalize
from server.summary import layouts
from server.summary.guide import OFFICIAL, RULES
from server.templating import lang_links, render
from server.web.deps import LangDep

router = APIRouter()

BEFORE: Final = 5
ROOM: Final = 6
RULES_OF_PLAY: Final = 6
PLANS: Final = (("45", 3), ("90", 3), ("180", 5))  # minutes, number of steps
DEBRIEF: Final = 5
ALIENATING: Final = ("overconfidence", "consent", "caution", "deskilling", "awareness")
ENABLING: Final = ("securing", "remediation", "delegation", "cooperation", "rationalisation")
PARADOXES: Final = ("dissonance", "empowerment", "performance", "facilitation")
TERMS: Final = ("sia", "iag", "cse", "duerp", "irp", "preventeurs", "dst", "papripact", "rgpd")
LANG_COOKIE_SECONDS = 365 * 24 * 3600
_pdf_cache: dict[str, bytes] = {}


def guide_html(lang: Lang, mode: Literal["web", "pdf"], links: dict[str, str] | None = None) -> str:
    context: dict[str, Any] = {
        "lang": lang,
        "mode": mode,
        "lang_links": links or {},
        "before": range(1, BEFORE + 1),
        "room": range(1, ROOM + 1),
        "rules_of_play": range(1, RULES_OF_PLAY + 1),
        "plans": [(minutes, range(1, steps + 1)) for minutes, steps in PLANS],
        "debrief": range(1, DEBRIEF + 1),
        "rules": RULES,
        "alienating": ALIENATING,
        "enabling": ENABLING,
        "paradoxes": PARADOXES,
        "terms": TERMS,
        "dimensions": DIMENSIONS,
        "official": OFFICIAL,
    }
    return render("guide.html", **context)


def _remember_lang(request: Request, response: Response) -> None:
    asked = normalize(request.query_params.get("lang"))
    if asked:  # ?lang= is remembered for the next pages, as on the other pages
        response.set_cookie(
            "lang",
            asked,
            max_age=LANG_COOKIE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


@router.get("/guide", response_class=HTMLResponse)
async def guide_page(request: Request, lang: LangDep) -> Response:
    response = HTMLResponse(guide_html(lang, "web", lang_links(request.query_params)))
    response.headers["Cache-Control"] = "no-cache"
    _remember_lang(request, response)
    return response


def _pdf(lang: Lang) -> bytes:
    hit = _pdf_cache.get(lang)
    if hit is None:
        hit = _pdf_cache[lang] = layouts.html_to_pdf(guide_html(lang, "pdf"), lang)
    return hit


@router.get("/guide.pdf")
async def guide_pdf(request: Request, lang: LangDep) -> Response:
    body = await asyncio.to_thread(_pdf, lang)
    name = "exploria-guide-animation.pdf" if lang == "fr" else "exploria-facilitator-guide.pdf"
    response = Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-cache"},
    )
    _remember_lang(request, response)
    return response
