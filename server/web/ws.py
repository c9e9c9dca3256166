"""The WebSocket endpoint ``/ws/rooms/{code}``: accept, parse, hand to the room, send.

No game rule lives here. Each connection has an outbox drained by its own task, so sending to
one slow client never delays the room.
"""

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from server.errors import AppError, GameError, RateLimited
from server.i18n import error_message, negotiate, normalize
from server.rooms.outbox import Outbox, SlowConsumer
from server.rooms.service import Connection, LiveRoom, RoomService
from server.settings import Settings
from server.web.clientaddr import address_group
from server.web.deps import find_room
from server.web.direct import direct_writer
from server.web.messages import (
    JoinMsg,
    PingMsg,
    SyncMsg,
    error_event,
    parse,
    peek_id,
    to_command,
)
from server.web.origin import origin_allowed
from server.web.ratelimit import CodeGuard, TokenBucket

log = logging.getLogger(__name__)

CLOSE_ROOM_GONE = 4404
CLOSE_SLOW = 4008
CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013


def _error_text(exc: AppError, lang: str, msg_id: str | None) -> str:
    return error_event(exc.code, error_message(lang, exc.code, exc.params), msg_id)


async def room_socket(websocket: WebSocket, code: str) -> None:
    settings: Settings = websocket.app.state.settings
    service: RoomService = websocket.app.state.rooms
    if not origin_allowed(websocket.headers.get("origin"), websocket, settings):
        await websocket.close(code=CLOSE_POLICY)
        return
    await websocket.accept()
    lang: str = negotiate(
        websocket.query_params.get("lang"),
        websocket.cookies.get("lang"),
        websocket.headers.get("accept-language"),
    )
    try:
        room = await find_room(websocket, service, code)
    except AppError as exc:
        with contextlib.suppress(Exception):
            await websocket.send_text(_error_text(exc, lang, None))
            await websocket.close(
                code=CLOSE_TRY_LATER if isinstance(exc, RateLimited) else CLOSE_ROOM_GONE)
        return
    if not websocket.query_params.get("lang"):
        lang = room.language
    session = _Session(websocket, service, settings, room, lang)
    await session.run()


class _Session:
    """One connection's life: before ``join`` it talks directly, afterwards via its outbox."""

    def __init__(self, websocket: WebSocket, service: RoomService, settings: Settings,
                 room: LiveRoom, lang: str) -> None:
        self.ws = websocket
        self.service = service
        self.room = room
        self.lang = lang
        self.conn: Connection | None = None
        self.direct = direct_writer(websocket.scope) if settings.ws_direct else None
        self.sender: asyncio.Task[None] | None = None
        rate = settings.messages_per_second
        self.bucket = TokenBucket(rate, burst=rate * 3)
        self.strikes = 0

    async def run(self) -> None:
        try:
            while True:
                text = await self.ws.receive_text()
                await self.handle(text)
        except WebSocketDisconnect:
            pass
        except (RuntimeError, ConnectionError):  # socket closed under us
            pass
        finally:
            await self.cleanup()

    async def handle(self, text: str) -> None:
        msg_id: str | None = None
        try:
            if not self.bucket.take():
                self.strikes += 1
                if self.strikes > 100:  # a client that ignores the errors is cut off
                    await self.ws.close(code=CLOSE_POLICY)
                    return
                msg_id = peek_id(text)  # so the client knows which action to resend
                raise RateLimited()
            msg, msg_id = parse(text)
            if self.conn is None:
                if not isinstance(msg, JoinMsg):
                    raise GameError("join_first")
                await self.join(msg, msg_id)
                return
            if isinstance(msg, JoinMsg):
                raise GameError("already_joined")
            if self.conn.viewer and not isinstance(msg, SyncMsg | PingMsg):
                raise GameError("viewer_read_only")
            # the reply (ack or error) goes out before the state this message produced
            self.conn.outbox.hold()
            if isinstance(msg, SyncMsg):
                await self.service.resync(self.room)
                self.service.resend(self.room, self.conn)
            elif isinstance(msg, PingMsg):
                self.send({"type": "pong"})
            else:
                command = to_command(msg)
                assert command is not None
                await self.service.act(self.room, self.conn.player_id, command, msg_id)
            if msg_id is not None:
                self.send({"type": "ack", "id": msg_id})
        except AppError as exc:
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
        finally:
            if self.conn is not None:
                self.conn.outbox.release()

    async def join(self, msg: JoinMsg, msg_id: str | None) -> None:
        if msg.lang:
            self.lang = normalize(msg.lang) or self.lang

        def factory(player_id: str) -> Connection:
            outbox = Outbox(self.ws.send_text, self.direct)
            outbox.hold()  # nothing may overtake the welcome (released by handle)
            return Connection(outbox, player_id, self.lang)

        joined, conn = await self.service.join(
            self.room, name=msg.name, token=msg.token, conn_factory=factory,
            viewer=msg.role == "viewer",
        )
        self.conn = conn
        player = joined.player
        you = {"id": player.id, "name": player.name,
               "role": "viewer" if conn.viewer else player.role.value, "token": joined.token}
        conn.outbox.push(self.service.state_message(self.room, player.id, welcome=you))
        if msg_id is not None:
            conn.outbox.push(json.dumps({"type": "ack", "id": msg_id}))
        self.sender = asyncio.create_task(self.pump(conn.outbox))

    async def pump(self, outbox: Outbox) -> None:
        code = CLOSE_ROOM_GONE
        try:
            await outbox.run()
            code = outbox.close_code or code
        except SlowConsumer:
            code = CLOSE_SLOW
        except Exception:  # the socket went away while sending; the reader will notice
            return
        with contextlib.suppress(Exception):
            await self.ws.close(code=code)

    def send(self, event: dict[str, Any]) -> None:
        assert self.conn is not None
        self.conn.outbox.push(json.dumps(event, ensure_ascii=False))

    async def cleanup(self) -> None:
        if self.conn is not None:
            self.conn.outbox.close()
            await self.service.leave(self.room, self.conn)
        if self.sender is not None:
            self.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.sender
