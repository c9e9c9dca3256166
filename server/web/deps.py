"""Request-scoped helpers: the user's language, the bearer token, the app's parts."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from server.core.state import Phase
from server.decks.catalog import DeckCatalog
from server.errors import NotFound, RateLimited
from server.i18n import Lang, negotiate
from server.rooms.service import LiveRoom, RoomService
from server.settings import Settings
from server.web.clientaddr import address_group
from server.web.ratelimit import CodeGuard


def request_lang(request: Request) -> Lang:
    return negotiate(
        request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language")
    )


PASS_COOKIE = "exploria_pass_"  # + the room code: the report's read-only pass (report.py)


def bearer_token(request: Request) -> str | None:
    """``Authorization: Bearer``, else ``?token=`` (share links; CONTRACT §2 downloads), else
    the room's report pass cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    token = request.query_params.get("token")
    if token:
        return token
    code = request.path_params.get("code")
    if isinstance(code, str):
        return request.cookies.get(PASS_COOKIE + code.upper()) or None
    return None


async def find_room(
    conn: HTTPConnection, rooms: RoomService, code: str, *, finished_ok: bool = True
) -> LiveRoom:
    """The room of ``code``, looked up on behalf of ``conn``'s client: wrong codes spend the
    client's budget (server/web/ratelimit.py CodeGuard); a spent budget refuses every look-up.
    ``finished_ok=False``: a finished room is answered as unknown (not joinable by its code)."""
    guard: CodeGuard = conn.app.state.code_guard
    group = address_group(conn.client.host) if conn.client else "?"
    if guard.exhausted(group):
        raise RateLimited()
    try:
        room = await rooms.get(code)
    except NotFound:
        guard.miss(group)
        raise
    if not finished_ok and room.state.phase is Phase.SYNTHESIS:
        guard.miss(group)
        raise NotFound("room_not_found", code=room.code)
    return room


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_rooms(request: Request) -> RoomService:
    rooms: RoomService = request.app.state.rooms
    return rooms


def get_decks(request: Request) -> DeckCatalog:
    decks: DeckCatalog = request.app.state.decks
    return decks


LangDep = Annotated[Lang, Depends(request_lang)]
TokenDep = Annotated[str | None, Depends(bearer_token)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RoomsDep = Annotated[RoomService, Depends(get_rooms)]
DecksDep = Annotated[DeckCatalog, Depends(get_decks)]
