"""The WebSocket endpoint ``/ws/rooms/{code}``: accept, parse, hand to the room, send.

No game rule lives here; each connection has its outbox, so a slow client never delays the room."""

import asyncio
import contextlib
import logging
import time
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from server.errors import AppError, BadMessage, GameError, RateLimited
from server.i18n import error_message, normalize
from server.rooms.outbox import Outbox
from server.rooms.sending import SlowConsumer
from server.rooms.service import Connection, LiveRoom, RoomService
from server.settings import Settings
from server.web import wire
from server.web.clientaddr import address_group
from server.web.commands import to_command
from server.web.direct import direct_socket, socket_probe
from server.web.inbound import Inbox, Item, inbound_protocol
from server.web.messages import JoinMsg, PingMsg, SyncMsg, parse, peek_id
from server.web.ratelimit import CodeGuard, TokenBucket

log = logging.getLogger(__name__)

CLOSE_ROOM_GONE = 4404
CLOSE_SLOW = 4008
CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013
CLOSE_JOIN_TIMEOUT = 4408  # no join within JOIN_TIMEOUT_S
JOIN_DEADLINE = object()  # the join timeout, in the inbox's order
STRIKES_PER_RATE = 5  # refused messages before a 1008 close, per message/s of the limit (≥ 100); they decay


def error_text(exc: AppError, lang: str, msg_id: str | None) -> str:
    """An ``error`` message in the connection's language."""
    return wire.error(exc.code, error_message(lang, exc.code, exc.params), msg_id)


class Session:
    """One connection's life: before ``join`` it talks directly, afterwards via its outbox.

    Kept small: thousands of them sit idle at once. With direct writes (direct.py) the
    sender task exists only while the socket has a backlog (``Outbox.on_wake``)."""

    __slots__ = (
        "bucket",
        "conn",
        "direct",
        "join_timer",
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
        self.direct = direct_socket(websocket.scope) if settings.ws_direct else None
        self.sender: asyncio.Task[None] | None = None
        rate = settings.messages_per_second
        self.bucket = TokenBucket(rate, burst=rate * 3)
        self.strikes = 0.0
        self.strikes_at = time.monotonic()
        self.join_timer: asyncio.TimerHandle | None = None  # cancelled on joining, not left to fire

    async def run(self) -> None:
        protocol = inbound_protocol(self.ws.scope) if self.direct is not None else None
        if protocol is not None:
            await self._run_inbound(protocol)
        else:
            await self._run_asgi()

    async def _run_inbound(self, protocol: Any) -> None:
        """Messages come by call from the protocol (inbound.py); the ASGI ``receive`` awaited
        here only brings the disconnection."""
        inbox = Inbox(self._take, protocol, eager=not self.service.bus.shared)
        protocol.take_over(inbox.put)
        deadline = self.settings.join_timeout_s
        timer = self.join_timer = asyncio.get_running_loop().call_later(deadline, inbox.put, JOIN_DEADLINE)
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                inbox.put(message.get("text"))  # not expected once taken over; kept in order
        except (WebSocketDisconnect, RuntimeError, ConnectionError):
            pass
        finally:
            timer.cancel()
            protocol.give_back()
            await inbox.finish()
            await self.cleanup()

    async def _take(self, item: Item) -> None:
        if item is JOIN_DEADLINE:
            if self.conn is None:  # a socket that never joins is not kept open
                await self._join_expired()
            return
        await self.handle(item if isinstance(item, str) else None)

    async def _join_expired(self) -> None:
        seconds = round(self.settings.join_timeout_s)
        await self.ws.send_text(error_text(GameError("join_timeout", seconds=seconds), self.lang, None))
        await self.ws.close(code=CLOSE_JOIN_TIMEOUT)

    async def _run_asgi(self) -> None:
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
                        await self._join_expired()
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
                if self.conn.outbox.piled_up():  # replies piling up: read more slowly
                    await self.conn.outbox.room_for_more()

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
        """A joined person's message: its reply goes before the state it produced (held: ``act``)."""
        if isinstance(msg, JoinMsg):
            raise GameError("already_joined")
        if conn.viewer and not isinstance(msg, SyncMsg | PingMsg):
            raise GameError("viewer_read_only")
        if isinstance(msg, SyncMsg):
            conn.outbox.hold()  # the resent state follows the reply
            await self.service.resync(self.room)
            self.service.fan.resend(self.room, conn)
        elif isinstance(msg, PingMsg):
            self.send({"type": "pong"})
        else:
            command = to_command(msg)
            assert command is not None
            await self.service.act(self.room, conn.player_id, command, msg_id, hold=conn.outbox.hold)
        if msg_id is not None:
            conn.outbox.push(wire.ack(msg_id))

    async def _refuse(self, exc: AppError, msg_id: str | None) -> None:
        if exc.code == "room_not_found" and self.conn is None:  # a finished room, by code
            guard: CodeGuard = self.ws.app.state.code_guard
            client = self.ws.client
            guard.miss(address_group(client.host) if client else "?")
        if msg_id is None and isinstance(exc.params.get("id"), str):
            msg_id = exc.params["id"]  # a message that did not parse may still have an id
        error = error_text(exc, self.lang, msg_id)
        if self.conn is None:
            await self.ws.send_text(error)
        else:
            self.conn.outbox.push(error)

    async def join(self, msg: JoinMsg, msg_id: str | None) -> None:
        if msg.lang:
            self.lang = normalize(msg.lang) or self.lang
        protocol = min(msg.protocol or 1, wire.PROTOCOL_LATEST)

        def factory(player_id: str) -> Connection:
            raw = self.direct
            outbox = Outbox(
                self.ws.send_text,
                raw.write if raw else None,
                protocol=protocol,
                on_wake=self._wake if raw else None,
                direct_many=raw.write_many if raw else None,
                raw=raw,
            )
            outbox.hold()  # nothing may overtake the welcome (released by handle)
            self.outbox = outbox
            conn = Connection(outbox, player_id, self.lang)
            # the direct socket already holds the transport: no second wrapper for the probe
            probe = (raw.buffered, raw.abort) if raw else socket_probe(self.ws.scope)
            if probe is not None:
                conn.buffered, conn.abort = probe
            return conn

        joined, conn = await self.service.join(
            self.room, name=msg.name, token=msg.token, conn_factory=factory, viewer=msg.role == "viewer"
        )
        self.conn = conn
        if self.join_timer is not None:  # 2,100 sockets of bench/load.py: as many tasks for nothing
            self.join_timer.cancel()
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
        except Exception:  # the socket went away while sending: the reader will notice, and
            return outbox.close()  # nobody may wait for room in it (``room_for_more``) for ever
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
