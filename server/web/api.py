"""The HTTP API of CONTRACT.md §2 (JSON)."""

import json
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from server.core.deck import MAX_FILE_BYTES, deck_json_schema
from server.core.state import Role, RoomSettings
from server.errors import BadMessage, Forbidden, NotFound
from server.i18n import LANGUAGES, catalogue
from server.web import followup
from server.web.clientaddr import address_group
from server.web.deps import DecksDep, RoomsDep, SettingsDep, TokenDep, find_room
from server.web.followup import FollowsIn

router = APIRouter()


@router.get("/healthz")
async def healthz(rooms: RoomsDep) -> dict[str, str]:
    await rooms.db(rooms.repo.ping)
    return {"status": "ok"}


# --- decks -----------------------------------------------------------------------------------


MY_DECKS_COOKIE = "exploria_decks"
MY_DECKS_MAX = 50
_DECK_ID = re.compile(r"^[a-z0-9-]{3,64}$")


def my_decks(request: Request) -> list[str]:
    """Custom decks this browser made (a cookie set when a deck is created) or names in
    ``?mine=id1,id2`` (e.g. kept by a script): the only custom decks a list shows."""
    named = request.cookies.get(MY_DECKS_COOKIE, "").split(".")
    named += request.query_params.get("mine", "").split(",")
    return list(dict.fromkeys(i for i in named if _DECK_ID.match(i)))[:MY_DECKS_MAX]


def remember_deck(request: Request, response: Response, deck_id: str, *, keep: bool) -> None:
    ids = [
        i for i in request.cookies.get(MY_DECKS_COOKIE, "").split(".") if _DECK_ID.match(i) and i != deck_id
    ]
    if keep:
        ids.append(deck_id)
    response.set_cookie(
        MY_DECKS_COOKIE,
        ".".join(ids[-MY_DECKS_MAX:]),
        max_age=400 * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.get("/api/decks")
async def list_decks(request: Request, rooms: RoomsDep, decks: DecksDep) -> list[dict[str, Any]]:
    mine = set(my_decks(request))
    return [d.as_json() for d in await rooms.db(decks.list, mine)]


@router.get("/api/schema/deck.json")
async def deck_schema() -> dict[str, Any]:
    return deck_json_schema()


@router.get("/api/decks/{deck_id}")
async def get_deck(deck_id: str, rooms: RoomsDep, decks: DecksDep) -> dict[str, Any]:
    deck = await rooms.db(decks.get, deck_id)
    return deck.to_file()


async def read_deck_body(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_FILE_BYTES:
        raise BadMessage("deck_too_large", limit=MAX_FILE_BYTES // 1024)
    try:
        text = body.decode("utf-8-sig")  # a BOM is common in files saved on Windows
    except UnicodeDecodeError:
        raise BadMessage("not_utf8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadMessage("bad_json_at", line=exc.lineno, column=exc.colno) from None
    except (ValueError, RecursionError):  # a number of >4,300 digits, or too deep a nesting
        raise BadMessage("bad_json") from None


@router.post("/api/decks", status_code=201)
async def create_deck(
    request: Request, response: Response, rooms: RoomsDep, decks: DecksDep
) -> dict[str, Any]:
    data = await read_deck_body(request)
    owner = address_group(request.client.host) if request.client else ""
    deck, token = await rooms.db(decks.create, data, owner)
    remember_deck(request, response, deck.id, keep=True)
    return {"id": deck.id, "edit_token": token, "edit_url": f"/studio?deck={deck.id}#{token}"}


@router.put("/api/decks/{deck_id}")
async def replace_deck(
    deck_id: str, request: Request, rooms: RoomsDep, decks: DecksDep, token: TokenDep
) -> dict[str, Any]:
    data = await read_deck_body(request)
    deck = await rooms.db(decks.replace, deck_id, data, token)
    return {"id": deck.id}


@router.delete("/api/decks/{deck_id}", status_code=204)
async def delete_deck(
    deck_id: str, request: Request, rooms: RoomsDep, decks: DecksDep, token: TokenDep
) -> Response:
    await rooms.db(decks.delete, deck_id, token)
    response = Response(status_code=204)
    remember_deck(request, response, deck_id, keep=False)
    return response


# --- rooms -----------------------------------------------------------------------------------


class CreateRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deck_id: str
    settings: RoomSettings = RoomSettings()
    follows: FollowsIn | None = None  # a follow-up of an earlier session (server/web/followup.py)


def public_base(request: Request, public_url: str) -> str:
    return public_url.rstrip("/") if public_url else str(request.base_url).rstrip("/")


@router.post("/api/rooms", status_code=201)
async def create_room(
    request: Request, rooms: RoomsDep, decks: DecksDep, settings: SettingsDep
) -> dict[str, Any]:
    try:
        body = CreateRoom.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        code = "missing_field" if first["type"] == "missing" else "bad_field"
        raise BadMessage(code, field=field) from None
    room_settings = body.settings
    if room_settings.max_players > settings.max_players_per_room:
        room_settings = room_settings.model_copy(update={"max_players": settings.max_players_per_room})
    deck = await rooms.db(decks.get, body.deck_id)
    earlier, earlier_code = (
        await followup.resolve(rooms, body.follows) if body.follows is not None else (None, None)
    )
    code, token = await rooms.create(deck, room_settings, follows=earlier, earlier_code=earlier_code)
    if not decks.is_builtin(deck.id):
        await rooms.db(rooms.repo.touch_deck, deck.id)
    base = public_base(request, settings.public_url)
    return {
        "code": code,
        "join_url": f"{base}/r/{code}",
        "facilitator_token": token,
        "facilitator_url": f"{base}/r/{code}#f={token}",
    }


@router.get("/api/rooms/{code}")
async def room_info(code: str, request: Request, rooms: RoomsDep) -> dict[str, Any]:
    room = await find_room(request, rooms, code, finished_ok=False)
    state = room.state
    return {
        "code": room.code,
        "deck": {"id": room.deck.id, "title": room.deck.title},
        "phase": state.phase.value,
        "player_count": sum(1 for p in state.players if p.role is Role.PLAYER),
        "language": room.language,
    }


async def _owner(request: Request, rooms: RoomsDep, code: str, token: str | None) -> str:
    """The kind of token (facilitator, player, share) if it belongs to this room, else 403."""
    room = await find_room(request, rooms, code)
    if not token:
        raise Forbidden("token_required")
    owner = await rooms.db(rooms.repo.token_owner, token)
    if owner is None or owner.room_code != room.code:
        raise Forbidden("bad_token")
    return owner.kind


@router.delete("/api/rooms/{code}", status_code=204)
async def delete_room(code: str, request: Request, rooms: RoomsDep, token: TokenDep) -> Response:
    if await _owner(request, rooms, code, token) != "facilitator":
        raise Forbidden("not_facilitator")
    await rooms.delete(code)
    return Response(status_code=204)


@router.get("/api/rooms/{code}/summary.{fmt}")
async def summary(code: str, fmt: str, request: Request, rooms: RoomsDep, token: TokenDep) -> Response:
    from server.summary import render

    if fmt not in render.FORMATS:
        raise NotFound("format_not_found", format=fmt)
    await _owner(request, rooms, code, token)
    room = await rooms.get(code)
    body, media_type = await render.render(fmt, room.deck, room.state, room.code)
    filename = f"exploria-{room.code}.{fmt}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# --- translations for the browser -------------------------------------------------------------


@router.get("/api/i18n/{lang}")
async def i18n(lang: str) -> JSONResponse:
    if lang not in LANGUAGES:
        raise NotFound("not_found")
    return JSONResponse(catalogue(lang), headers={"Cache-Control": "public, max-age=300"})
