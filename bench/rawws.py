"""A bare WebSocket client for the load generator: RFC 6455 on an asyncio protocol.

Why not the ``websockets`` library, as the generator used until 2026-11-28: each message it
receives goes through its sans-I/O parser (generators), an assembler, a queue and a task
switch, about 20 µs of the generator's CPU. Scenario b offers some 2,000 answers/s, each
delivered to 21 members: the generator, not the server, reached its core first (96 %), so b
compared two servers through a saturated generator. Here a read of the socket is cut into
frames in one callback, and each text frame is handed to ``on_text`` with the read's time:
a few µs a message, the same for the app and the floor.

What it does, and nothing more: the client handshake (with the ``Sec-WebSocket-Accept``
check), no extension; masked text frames out; in, final or fragmented text and binary frames
(binary ones are dropped), pings answered, a close answered and the connection closed.
"""

import asyncio
import base64
import hashlib
import os
import struct
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEADER_BYTES = 16 * 1024
perf = time.perf_counter


class HandshakeFailed(ConnectionError):
    pass


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One final frame from a client: masked, as RFC 6455 §5.3 requires of clients."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = os.urandom(4)
    return head + key + _masked(payload, key)


def _masked(payload: bytes, key: bytes) -> bytes:
    """``payload`` XOR the 4-byte ``key`` repeated (RFC 6455 §5.3: masking and unmasking alike)."""
    n = len(payload)
    if not n:
        return payload
    mask = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(mask, "little")).to_bytes(n, "little")


class RawWebSocket(asyncio.Protocol):
    """One connection. ``on_text(text, t)`` is called for each text message, ``t`` being the
    time the read that completed it came in; ``on_close()`` once, when the connection ends."""

    def __init__(
        self, host: str, path: str, on_text: Callable[[str, float], None], on_close: Callable[[], None]
    ) -> None:
        self.host = host
        self.path = path
        self.on_text = on_text
        self.on_close = on_close
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = False
        self._key = base64.b64encode(os.urandom(16))
        self._buf = bytearray()
        self._parts: list[bytes] = []  # a fragmented message so far
        self._parts_opcode = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        transport.write(
            b"GET " + self.path.encode() + b" HTTP/1.1\r\nHost: " + self.host.encode() + b"\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + self._key + b"\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )

    def data_received(self, data: bytes) -> None:
        now = perf()
        buf = self._buf
        buf += data
        if not self.opened.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEADER_BYTES:
                    self._fail(HandshakeFailed("response headers too long"))
                return
            error = self._check_response(bytes(buf[:end]))
            del buf[: end + 4]
            if error:
                self._fail(HandshakeFailed(error))
                return
            self.opened.set_result(None)
        self._frames(now)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionResetError("closed during the handshake"))
        if not self.closed:
            self.closed = True
            self.on_close()

    # the protocol

    def _check_response(self, head: bytes) -> str:
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ", 2)
        if len(status) < 2 or status[1] != "101":
            return f"server answered {lines[0]!r}"
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        accept = base64.b64encode(hashlib.sha1(self._key + GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            return "wrong Sec-WebSocket-Accept"
        if headers.get("sec-websocket-extensions"):
            return "an extension the client did not offer"
        return ""

    def _frames(self, now: float) -> None:
        buf = self._buf
        at = 0
        size = len(buf)
        while size - at >= 2:
            b0 = buf[at]
            b1 = buf[at + 1]
            n = b1 & 0x7F
            head = 2
            if n == 126:
                if size - at < 4:
                    break
                n = (buf[at + 2] << 8) | buf[at + 3]
                head = 4
            elif n == 127:
                if size - at < 10:
                    break
                n = int.from_bytes(buf[at + 2 : at + 10], "big")
                head = 10
            key = b""
            if b1 & 0x80:  # servers do not mask, but read it right if one does
                key = bytes(buf[at + head : at + head + 4])
                head += 4
            if size - at < head + n:
                break
            payload = bytes(buf[at + head : at + head + n])
            at += head + n
            if key:
                payload = _masked(payload, key)
            opcode = b0 & 0x0F
            if opcode == 1 and b0 & 0x80:  # a whole text message: the usual case
                self.on_text(payload.decode(), now)
            elif opcode in (0, 1, 2):
                self._fragment(opcode, payload, bool(b0 & 0x80), now)
            elif opcode == 8:
                self._closing(payload)
                break
            elif opcode == 9:
                self.send_frame(10, payload)
        del buf[:at]

    def _fragment(self, opcode: int, payload: bytes, final: bool, now: float) -> None:
        if opcode:
            self._parts_opcode = opcode
            self._parts = []
        self._parts.append(payload)
        if final:
            whole = b"".join(self._parts)
            self._parts = []
            if self._parts_opcode == 1:
                self.on_text(whole.decode(), now)

    def _closing(self, payload: bytes) -> None:
        self.send_frame(8, payload[:2])
        self._buf.clear()
        if self.transport is not None:
            self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc)
        if self.transport is not None:
            self.transport.abort()

    # for the client

    def send_frame(self, opcode: int, payload: bytes) -> bool:
        transport = self.transport
        if transport is None or transport.is_closing():
            return False
        transport.write(client_frame(opcode, payload))
        return True

    def send_text(self, text: str) -> bool:
        """False when the connection is closing or closed."""
        return self.send_frame(1, text.encode())

    def close(self, code: int = 1000) -> None:
        if self.send_frame(8, struct.pack("!H", code)) and self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def connect(
    url: str, on_text: Callable[[str, float], None], on_close: Callable[[], None], timeout: float = 60
) -> RawWebSocket:
    """Open ``ws://host:port/path`` and return the connection once the handshake is done."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or not parts.hostname or not parts.port:
        raise ValueError(f"only ws://host:port/... URLs: {url}")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    loop = asyncio.get_running_loop()

    async def opened() -> RawWebSocket:
        _transport, conn = await loop.create_connection(
            lambda: RawWebSocket(f"{parts.hostname}:{parts.port}", path, on_text, on_close),
            parts.hostname,
            parts.port,
        )
        try:
            await conn.opened
        except BaseException:
            conn.abort()
            raise
        return conn

    return await asyncio.wait_for(opened(), timeout)


class LibraryWebSocket:
    """The same interface on the ``websockets`` library, the generator's client before
    2026-11-28 (``bench/load.py --client websockets``): to compare figures across the change."""

    def __init__(self, on_text: Callable[[str, float], None], on_close: Callable[[], None]) -> None:
        self.on_text = on_text
        self.on_close = on_close
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self, url: str, timeout: float) -> None:
        import websockets

        self.ws = await websockets.connect(
            url,
            open_timeout=timeout,
            ping_interval=None,
            close_timeout=2,
            max_size=None,
            compression=None,
            user_agent_header=None,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for text in self.ws:
                if isinstance(text, str):
                    self.on_text(text, perf())
        except ConnectionClosed:
            pass
        finally:
            self.on_close()

    def send_text(self, text: str) -> bool:
        """What ``await ws.send(text)`` does when the socket takes it at once (it always does
        here: the generator's messages are small), without the coroutine."""
        if self.ws is None or self.ws.transport.is_closing():
            return False
        self.ws.protocol.send_text(text.encode())
        self.ws.send_data()
        return True

    def close(self, code: int = 1000) -> None:
        if self.ws is not None:
            self.ws.transport.close()

    def abort(self) -> None:
        if self.ws is not None:
            self.ws.transport.abort()
        if self.reader is not None:
            self.reader.cancel()


async def connect_library(
    url: str, on_text: Callable[[str, float], None], on_close: Callable[[], None], timeout: float = 60
) -> LibraryWebSocket:
    conn = LibraryWebSocket(on_text, on_close)
    await conn.open(url, timeout)
    return conn
