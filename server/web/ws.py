"""The WebSocket endpoint ``/ws/rooms/{code}``: accept, parse, hand to the room, send.

No game rule lives here. Each connection has an outbox drained by its own task, so sending to
one slow client never delays the room.
"""

import asyncio
import contextlib
import logging
import re
import time
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from starlette._utils import get_route_path
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from server.errors import AppError, BadMessage, GameError, RateLimited
from server.i18n import error_message, negotiate, normalize
from server.rooms.outbox import Outbox, SlowConsumer
from server.rooms.service import Connection, LiveRoom, RoomService
from server.settings import Settings
from server.web import wire
from server.web.clientaddr import Network, address_group, resolve_scope
from server.web.commands import to_command
from server.web.deps import find_room
from server.web.direct import SCOPE_KEY, direct_writer, socket_probe
from server.web.messages import JoinMsg, PingMsg, SyncMsg, parse, peek_id
from server.web.origin import origin_allowed
from server.web.ratelimit import AddressBuckets, CodeGuard, TokenBucket, refuse_socket

log = logging.getLogger(__name__)

CLOSE_ROOM_GONE = 4404
CLOSE_SLOW = 4008
CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013
CLOSE_JOIN_TIMEOUT = 4408  # no join within JOIN_TIMEOUT_S
STRIKES_PER_RATE = 5  # refused messages allowed before a 1008 close (at least 100), per message a second of
# the limit (100 at the default 20/s); they decay at the limit's own rate


def _error_text(exc: AppError, lang: str, msg_id: str | None) -> str:
    return wire.error(exc.code, error_message(lang, exc.code, exc.params), msg_id)


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
                _error_text(
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
) -> "_Session | None":
    service: RoomService = websocket.app.state.rooms
    try:
        room = await find_room(websocket, service, code)
    except AppError as exc:
        with contextlib.suppress(Exception):
            await websocket.send_text(_error_text(exc, lang, None))
            await websocket.close(code=CLOSE_TRY_LATER if isinstance(exc, RateLimited) else CLOSE_ROOM_GONE)
        return None
    if not lang_asked:
        lang = room.language
    return _Session(websocket, service, settings, room, lang)


class _Session:
    """One connection's life: before ``join`` it talks directly, afterwards via its outbox.

    Kept small: thousands of them sit idle at once. With direct writes (direct.py) the
    sender task exists only while the socket has a backlog (``Outbox.on_wake``)."""

    __slots__ = (
        "bucket",
        "conn",
        "direct",
        "lang",
        "outbox",
        "room",
        "sender",
        "service",
        "settings",
        "strikes",
        "strikes_at",
        "ws",
    )

    def __init__(
        self, websocket: WebSocket, service: RoomService, settings: Settings, room: LiveRoom, lang: str
    ) -> None:
        self.ws = websocket
        self.service = service
        self.settings = settings
        self.room = room
        self.lang = lang
        self.conn: Connection | None = None
        self.outbox: Outbox | None = None
        self.direct = direct_writer(websocket.scope) if settings.ws_direct else None
        self.sender: asyncio.Task[None] | None = None
        rate = settings.messages_per_second
        self.bucket = TokenBucket(rate, burst=rate * 3)
        self.strikes = 0.0
        self.strikes_at = time.monotonic()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        join_timeout_s = self.settings.join_timeout_s
        join_deadline = loop.time() + join_timeout_s
        try:
            while True:
                if self.conn is None:  # a socket that never joins is not kept open
                    left = join_deadline - loop.time()
                    try:
                        if left <= 0:
                            raise TimeoutError
                        message = await asyncio.wait_for(self.ws.receive(), left)
                    except TimeoutError:
                        await self.ws.send_text(
                            _error_text(
                                GameError("join_timeout", seconds=round(join_timeout_s)), self.lang, None
                            )
                        )
                        await self.ws.close(code=CLOSE_JOIN_TIMEOUT)
                        return
                else:
                    message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:  # a binary frame: the protocol is JSON text frames
                    await self.handle(None)
                else:
                    await self.handle(text)
        except WebSocketDisconnect:
            pass
        except (RuntimeError, ConnectionError):  # socket closed under us
            pass
        finally:
            await self.cleanup()

    async def handle(self, text: str | None) -> None:
        msg_id: str | None = None
        try:
            if not self.bucket.take():
                msg_id = peek_id(text) if text is not None else None
                if await self._strike():
                    return
                raise RateLimited()
            if text is None:
                raise BadMessage("binary_frame")
            msg, msg_id = parse(text)
            if self.conn is None:
                if not isinstance(msg, JoinMsg):
                    raise GameError("join_first")
                await self.join(msg, msg_id)
                return
            await self._act(self.conn, msg, msg_id)
        except AppError as exc:
            await self._refuse(exc, msg_id)
        finally:
            if self.conn is not None:
                self.conn.outbox.release()

    async def _strike(self) -> bool:
        """One more message over the rate: True once the connection was cut for it. Strikes
        decay at the rate limit: a client under the limit on average is never cut; one that
        keeps sending at several times the limit is."""
        now = time.monotonic()
        rate = self.bucket.rate
        self.strikes = max(0.0, self.strikes - (now - self.strikes_at) * rate) + 1
        self.strikes_at = now
        if self.strikes > max(100.0, STRIKES_PER_RATE * rate):
            await self.ws.close(code=CLOSE_POLICY)
            return True
        return False

    async def _act(self, conn: Connection, msg: Any, msg_id: str | None) -> None:
        """A message of someone who joined: the reply (ack or error) goes out before the
        state this message produced (the outbox is held until ``handle`` releases it)."""
        if isinstance(msg, JoinMsg):
            raise GameError("already_joined")
        if conn.viewer and not isinstance(msg, SyncMsg | PingMsg):
            raise GameError("viewer_read_only")
        conn.outbox.hold()
        if isinstance(msg, SyncMsg):
            await self.service.resync(self.room)
            self.service.fan.resend(self.room, conn)
        elif isinstance(msg, PingMsg):
            self.send({"type": "pong"})
        else:
            command = to_command(msg)
            assert command is not None
            await self.service.act(self.room, conn.player_id, command, msg_id)
        if msg_id is not None:
            conn.outbox.push(wire.ack(msg_id))

    async def _refuse(self, exc: AppError, msg_id: str | None) -> None:
        if exc.code == "room_not_found" and self.conn is None:  # a finished room, by code
            guard: CodeGuard = self.ws.app.state.code_guard
            client = self.ws.client
            guard.miss(address_group(client.host) if client else "?")
        if msg_id is None and isinstance(exc.params.get("id"), str):
            msg_id = exc.params["id"]  # a message that did not parse may still have an id
        error = _error_text(exc, self.lang, msg_id)
        if self.conn is None:
            await self.ws.send_text(error)
        else:
            self.conn.outbox.push(error)

    async def join(self, msg: JoinMsg, msg_id: str | None) -> None:
        if msg.lang:
            self.lang = normalize(msg.lang) or self.lang
        protocol = min(msg.protocol or 1, wire.PROTOCOL_LATEST)

        def factory(player_id: str) -> Connection:
            outbox = Outbox(
                self.ws.send_text, self.direct, protocol=protocol, on_wake=self._wake if self.direct else None
            )
            outbox.hold()  # nothing may overtake the welcome (released by handle)
            self.outbox = outbox
            conn = Connection(outbox, player_id, self.lang)
            probe = socket_probe(self.ws.scope)
            if probe is not None:
                conn.buffered, conn.abort = probe
            return conn

        joined, conn = await self.service.join(
            self.room, name=msg.name, token=msg.token, conn_factory=factory, viewer=msg.role == "viewer"
        )
        self.conn = conn
        player = joined.player
        you = {
            "id": player.id,
            "name": player.name,
            "role": "viewer" if conn.viewer else player.role.value,
            "token": joined.token,
        }
        conn.outbox.push(self.service.fan.welcome(self.room, conn, you))
        if msg_id is not None:
            conn.outbox.push(wire.ack(msg_id))
        if self.direct is None:  # every message goes through the sender task: keep one
            self.sender = asyncio.create_task(self.pump(conn.outbox))

    def _wake(self) -> None:
        """The outbox has a backlog the socket did not take at once: a sender task for it."""
        if self.sender is None and self.outbox is not None:
            self.sender = asyncio.get_running_loop().create_task(self.pump(self.outbox))

    async def pump(self, outbox: Outbox) -> None:
        code = CLOSE_ROOM_GONE
        try:
            await outbox.run(until_idle=outbox.on_wake is not None)
            if not outbox.closed:  # the backlog is out; the next one starts another task
                self.sender = None
                return
            code = outbox.close_code or code
        except SlowConsumer:
            code = CLOSE_SLOW
        except Exception:  # the socket went away while sending; the reader will notice
            return
        with contextlib.suppress(Exception):
            await self.ws.close(code=code)

    def send(self, event: dict[str, Any]) -> None:
        assert self.conn is not None
        self.conn.outbox.push(wire.event(event))

    async def cleanup(self) -> None:
        if self.outbox is not None:
            self.outbox.on_wake = None  # the socket is gone: no sender task for the rest
            self.outbox.close()
        if self.conn is not None:
            await self.service.leave(self.room, self.conn)
        if self.sender is not None:
            self.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.sender
