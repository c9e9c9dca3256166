"""HTML pages of the game: home (start or join), the room (lobby, play, synthesis), the
presenter view for a shared screen, and the room's QR code.

Pages carry the data their scripts need in ``<script type="application/json">`` blocks (the
CSP forbids inline code, not inert data): the room's deck themes, the translations the
browser uses, and the server's clock for the card timer.
"""

import json
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from server.errors import NotFound
from server.i18n import Lang, catalogue, error_message, normalize, translate
from server.rooms.service import CODE_ALPHABET, CODE_LENGTH, LiveRoom
from server.templating import lang_links, render
from server.web.api import my_decks, public_base
from server.web.deps import DecksDep, LangDep, RoomsDep, SettingsDep, find_room
from server.web.qr import qr_svg

router = APIRouter()

# the catalogue sections the browser needs (card and deck texts come with the state)
BROWSER_PREFIXES = ("ui.", "answer.", "level.", "criterion.", "dimension.", "phase.", "error.", "sector.")
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def json_block(data: Any) -> Markup:
    """JSON safe to put inside a ``<script type="application/json">`` element.

    Script content is raw text (no entity decoding), so instead of HTML-escaping, the
    characters that could end the element or start markup are written as JSON escapes.
    """
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return Markup(text)  # escaped above for a raw-text element


def browser_strings(lang: Lang) -> dict[str, str]:
    return {k: v for k, v in catalogue(lang).items() if k.startswith(BROWSER_PREFIXES)}


def _page(request: Request, lang: Lang, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = render(
        template,
        lang=lang,
        i18n_json=json_block(browser_strings(lang)),
        lang_links=lang_links(request.query_params),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    asked = normalize(request.query_params.get("lang"))
    if asked:  # ?lang= is remembered for the next pages
        response.set_cookie(
            "lang",
            asked,
            max_age=LANG_COOKIE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def clean_code(code: str) -> str:
    return "".join(code.split()).upper()


def looks_like_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, lang: LangDep, rooms: RoomsDep, decks: DecksDep) -> Response:
    code = clean_code(request.query_params.get("code", ""))
    if code:  # the join form without JavaScript
        return RedirectResponse(f"/r/{code}", status_code=303)
    infos = [d.as_json() for d in await rooms.db(decks.list, set(my_decks(request)))]
    # the card game first (the main use), then the self-diagnosis, then custom decks
    infos.sort(
        key=lambda d: (
            d["language"] != lang,
            not d["builtin"],
            not str(d["id"]).startswith("exploria"),
            d["title"].casefold(),
        )
    )
    erased = request.query_params.get("erased") == "1"
    return _page(request, lang, "home.html", decks=infos, decks_json=json_block(infos), erased=erased)


async def _room_or_none(request: Request, rooms: RoomsDep, code: str) -> LiveRoom | None:
    if not looks_like_code(code):
        return None
    try:
        return await find_room(request, rooms, code)
    except NotFound:
        return None


def _room_config(
    request: Request, room: LiveRoom, settings: SettingsDep, lang: Lang, view: str
) -> dict[str, Any]:
    deck = room.deck
    return {
        "view": view,
        "code": room.code,
        "lang": lang,
        "join_url": f"{public_base(request, settings.public_url)}/r/{room.code}",
        "qr_url": f"/r/{room.code}/qr.svg",
        "report_url": f"/r/{room.code}/report",
        # a finished session says so at once to people without a seat (no name form)
        "phase": room.state.phase.value,
        # the name a facilitator gets when they give none: not worth showing as "led by"
        "facilitator_defaults": [translate(lang_, "role.facilitator_default") for lang_ in ("fr", "en")],
        "deck": {
            "id": deck.id,
            "title": deck.title,
            "language": deck.language,
            "themes": [{"id": t.id, "title": t.title, "color": t.color} for t in deck.themes],
        },
        "server_now": time.time(),
    }


async def _room_page(
    request: Request, code: str, lang: Lang, rooms: RoomsDep, settings: SettingsDep, view: str
) -> Response:
    code = clean_code(code)
    room = await _room_or_none(request, rooms, code)
    template = "presenter.html" if view == "presenter" else "game.html"
    if room is None:
        message = error_message(lang, "room_not_found", {"code": code[:12]})
        return _page(
            request,
            lang,
            template,
            status=404,
            room=None,
            code=code[:12],
            not_found=message,
            config_json=json_block({"view": view, "lang": lang}),
        )
    config = _room_config(request, room, settings, lang, view)
    return _page(
        request,
        lang,
        template,
        room=room,
        code=room.code,
        not_found=None,
        deck_title=room.deck.title,
        join_url=config["join_url"],
        config_json=json_block(config),
    )


@router.get("/r/{code}", response_class=HTMLResponse)
async def game(
    request: Request, code: str, lang: LangDep, rooms: RoomsDep, settings: SettingsDep
) -> Response:
    return await _room_page(request, code, lang, rooms, settings, "game")


@router.get("/r/{code}/presenter", response_class=HTMLResponse)
async def presenter(
    request: Request, code: str, lang: LangDep, rooms: RoomsDep, settings: SettingsDep
) -> Response:
    return await _room_page(request, code, lang, rooms, settings, "presenter")


@router.get("/r/{code}/qr.svg")
async def qr(request: Request, code: str, rooms: RoomsDep, settings: SettingsDep) -> Response:
    room = await find_room(request, rooms, clean_code(code))  # NotFound → the app's 404
    url = f"{public_base(request, settings.public_url)}/r/{room.code}"
    return Response(
        qr_svg(url), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"}
    )
