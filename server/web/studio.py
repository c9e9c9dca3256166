"""The deck studio: the ``/studio`` page, and a dry-run check of a deck for it.

The page is static HTML plus one script (static/js/studio.js) that talks to the deck API of
CONTRACT.md §2. The strings and settings the script needs are rendered into
``<script type="application/json">`` blocks: data, not code, so the CSP still forbids inline
scripts.
"""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from server.core.criteria import CRITERIA, DIMENSIONS
from server.core.deck import DECK_FORMAT, MAX_CARDS, MAX_FILE_BYTES, MAX_QUESTIONS, MAX_TEXT, MAX_THEMES
from server.i18n import catalogue
from server.templating import lang_links, render
from server.web.api import read_deck_body
from server.web.deps import DecksDep, RoomsDep, request_lang

router = APIRouter()

# the catalogue keys the script words things with (besides its own ``studio.*``)
SCRIPT_KEY_PREFIXES = ("studio.", "deck.problem.", "criterion.", "dimension.", "error.", "answer.")


def script_json(value: Any) -> Markup:
    """JSON safe inside a ``<script type="application/json">`` element (no ``</script>``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def studio_config() -> dict[str, Any]:
    return {
        "format": DECK_FORMAT,
        "criteria": list(CRITERIA),
        "dimensions": {k: list(v) for k, v in DIMENSIONS.items()},
        "max_cards": MAX_CARDS,
        "max_questions": MAX_QUESTIONS,
        "max_themes": MAX_THEMES,
        "max_text": MAX_TEXT,
        "max_file_bytes": MAX_FILE_BYTES,
    }


@router.get("/studio", response_class=HTMLResponse)
async def studio_page(request: Request) -> HTMLResponse:
    lang = request_lang(request)
    strings = {k: v for k, v in catalogue(lang).items() if k.startswith(SCRIPT_KEY_PREFIXES)}
    html = render(
        "studio.html",
        lang=lang,
        i18n_json=script_json(strings),
        config_json=script_json(studio_config()),
        lang_links=lang_links(request.query_params),
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.post("/api/validate/deck")
async def check_deck(request: Request, rooms: RoomsDep, decks: DecksDep) -> dict[str, Any]:
    """Check a deck file without storing it: 200 with a summary, or the same 422 as POST /api/decks."""
    deck = decks.check(await read_deck_body(request))
    taken = decks.is_builtin(deck.id) or await rooms.db(decks.repo.get_deck, deck.id) is not None
    return {"valid": True, "id": deck.id, "card_count": len(deck.cards), "id_taken": taken}
