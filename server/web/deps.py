"""Request-scoped helpers: the user's language, the bearer token, the app's parts."""

from typing import Annotated

from fastapi import Depends, Request

from server.decks.catalog import DeckCatalog
from server.i18n import Lang, negotiate
from server.rooms.service import RoomService
from server.settings import Settings


def request_lang(request: Request) -> Lang:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
    )


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.query_params.get("token") or None


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
