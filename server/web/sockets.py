"""Every WebSocket connection's entry: ``RoomSockets``, beside the HTTP stack (see its
docstring), routes ``/ws/rooms/{code}``; ``room_socket`` checks the origin, the language and
the sockets per address, finds the room, and hands the connection to ``ws.Session``."""

import contextlib
import re

from fastapi import WebSocket
from starlette._utils import get_route_path
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from server.errors import AppError, RateLimited
from server.i18n import negotiate
from server.rooms.service import RoomService
from server.settings import Settings
from server.web.clientaddr import Network, address_group, resolve_scope
from server.web.deps import find_room
from server.web.direct import SCOPE_KEY
from server.web.origin import origin_allowed
from server.web.ratelimit import AddressBuckets, refuse_socket
from server.web.ws import CLOSE_POLICY, CLOSE_ROOM_GONE, CLOSE_TRY_LATER, Session, error_text

ROUTE = re.compile(r"/ws/rooms/([^/]+)")


class RoomSockets:
    """The ASGI app of every WebSocket connection, beside the HTTP stack.

    A connection lives for hours, and each layer it passes through keeps a coroutine frame,
    and what that frame holds, for all that time: through Starlette's and FastAPI's routing
    and the app's middlewares an idle connection held some 20 more frames and three
    ``AsyncExitStack``s, about 12 KiB of the 43 KiB it cost (bench/README.md, History). So
    the app hands WebSocket scopes to this (``ExplorIA.__call__`` in app.py), which does for
    them what the middlewares do for a WebSocket — keep the server's own ``send`` for direct
    writes (direct.py), take the client's address from a trusted proxy (clientaddr.py), apply
    the per-address join limit (ratelimit.py) — and routes ``/ws/rooms/{code}``. The other
    middlewares (security headers, body limits, JSON-only API writes) concern HTTP only.
    """

    def __init__(self, trusted: tuple[Network, ...], limits: AddressBuckets) -> None:
        self.trusted = trusted
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = send
        scope = resolve_scope(scope, self.trusted)
        route = ROUTE.fullmatch(get_route_path(scope))
        if route is None:  # as Starlette's router does: no such route, a 403 handshake
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        if not self.limits.allows(scope):
            await refuse_socket(receive, send)
            return
        code = route.group(1)
        scope["path_params"] = {"code": code}
        await room_socket(WebSocket(scope, receive, send), code)


async def room_socket(websocket: WebSocket, code: str) -> None:
    settings: Settings = websocket.app.state.settings
    # read once, not kept: the WebSocket would cache them for the connection's life
    request = HTTPConnection(websocket.scope)
    if not origin_allowed(request.headers.get("origin"), request, settings):
        await websocket.close(code=CLOSE_POLICY)
        return
    await websocket.accept()
    asked: str | None = request.query_params.get("lang")
    lang: str = negotiate(asked, request.cookies.get("lang"), request.headers.get("accept-language"))
    del request
    # open sockets per client address (IPv6: per /64)
    counts: dict[str, int] = websocket.app.state.open_sockets
    group = address_group(websocket.client.host) if websocket.client else "?"
    if counts.get(group, 0) >= settings.websockets_per_address:
        with contextlib.suppress(Exception):
            await websocket.send_text(
                error_text(
                    RateLimited("too_many_connections", limit=settings.websockets_per_address), lang, None
                )
            )
            await websocket.close(code=CLOSE_TRY_LATER)
        return
    counts[group] = counts.get(group, 0) + 1
    try:
        session = await _open_session(websocket, code, settings, lang, asked is not None)
        if session is not None:
            await session.run()
    finally:
        counts[group] -= 1
        if counts[group] <= 0:
            del counts[group]


async def _open_session(
    websocket: WebSocket, code: str, settings: Settings, lang: str, lang_asked: bool
) -> "Session | None":
    service: RoomService = websocket.app.state.rooms
    try:
        room = await find_room(websocket, service, code)
    except AppError as exc:
        with contextlib.suppress(Exception):
            await websocket.send_text(error_text(exc, lang, None))
            await websocket.close(code=CLOSE_TRY_LATER if isinstance(exc, RateLimited) else CLOSE_ROOM_GONE)
        return None
    if not lang_asked:
        lang = room.language
    return Session(websocket, service, settings, room, lang)
