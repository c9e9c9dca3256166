"""Room states written straight onto the socket, framed once, without the ASGI send path.

Why: a state change in a room of 20 is 20 deliveries, and through ASGI each one wakes the
connection's sender task and walks five layers of ``send`` wrappers (Starlette, FastAPI,
uvicorn) before uvicorn frames it; the benchmark measured ~70 µs of CPU per delivery, against
~15 µs for a bare ``websockets`` server. A server-to-client text frame without extensions is
just a 2–10 byte header and the UTF-8 payload, so we write it ourselves onto the transport.

Only used when it is certainly safe: uvicorn's sans-I/O WebSocket protocol (the default with
``WS_IMPL=auto``), handshake done, no close frame sent or received, no extension negotiated
(no permessage-deflate), the transport open and its buffer short. In every other case the
writer says no and the caller falls back to the ordinary ASGI path — which is also the path
with backpressure for a slow reader. Each write is one ``transport.write`` call, so it never
interleaves with a frame uvicorn is writing.
"""

import struct
from collections.abc import Callable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

SCOPE_KEY = "explorIA.raw_send"
MAX_BUFFERED = 64 * 1024  # beyond this the reader is slow: let the outbox's backpressure act


class Frame:
    """A message for many connections, framed once: the same bytes are written to each."""

    __slots__ = ("data", "frame")

    def __init__(self, data: bytes) -> None:
        self.data = data  # UTF-8 JSON, for the ASGI path
        self.frame = text_frame(data)  # header and payload, for the direct path


Payload = str | bytes | Frame
DirectWrite = Callable[[Payload], bool]

try:  # the protocol class is uvicorn's; any other server simply gets no direct path
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from websockets.protocol import State
    from websockets.server import ServerProtocol

    OPEN: object = State.OPEN  # websockets' open state (fan-out and reading compare with it)

    class WatchedProtocol(ServerProtocol):
        """websockets' state machine, saying when it leaves OPEN: a close frame sent or
        received, a failure. Every change of state goes through its ``state`` property
        (websockets/protocol.py), so ``on_leaving_open`` is called, once, the moment no frame
        may be written any more. A room's ready set (rooms/fanout.py) is left there, and the
        fan-out writes onto its sockets without reading each one's state: ~20 connections a
        change, each state machine a cold object (issue 15: py-spy put ~4 % of the server's
        CPU at 2,500 votes/s on that loop's checks; ``bench/vote_cost.py``: −10 % last-level
        cache misses a vote without them)."""

        on_leaving_open: Callable[[], None] | None = None

        @property
        def state(self) -> State:
            return self._state

        @state.setter
        def state(self, state: State) -> None:
            if self.debug:  # as websockets' own setter
                self.logger.debug("= connection is %s", state.name)
            self._state = state
            if state is not State.OPEN:
                hook, self.on_leaving_open = self.on_leaving_open, None
                if hook is not None:
                    hook()

except ImportError:  # pragma: no cover - uvicorn is a dependency, but keep the fallback honest
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]
    WatchedProtocol = None  # type: ignore[assignment,misc]
    OPEN = object()


def text_frame(payload: bytes) -> bytes:
    """One final, unmasked text frame (RFC 6455 §5.2; servers never mask)."""
    size = len(payload)
    if size < 126:
        head = bytes((0x81, size))
    elif size < 65536:
        head = struct.pack("!BBH", 0x81, 126, size)
    else:
        head = struct.pack("!BBQ", 0x81, 127, size)
    return head + payload


def _framed(text: Payload) -> bytes:
    if isinstance(text, Frame):
        return text.frame
    return text_frame(text if isinstance(text, bytes) else text.encode())


class RawSocket:
    """A connection's protocol and transport, for writes without ASGI (one small object per
    connection: thousands sit idle at once)."""

    __slots__ = ("protocol", "transport", "watched", "ws")

    def __init__(self, protocol: Any, transport: Any) -> None:
        self.protocol = protocol
        self.transport = transport
        self.ws = protocol.conn  # websockets' state machine, kept at hand (see ``_open``)
        # it says when it leaves OPEN: the only kind a room's ready set may write on unread
        self.watched = WatchedProtocol is not None and isinstance(self.ws, WatchedProtocol)

    def _open(self) -> Any:
        """The transport, if a frame may be written on it now; else None.

        ``write`` is the fan-out's inner loop, so this reads as little as will do: the state
        machine is OPEN only between the handshake and the first close frame, sent (uvicorn
        sets ``close_sent`` and sends it in one call) or received; a lost connection's
        transport is closing; and a buffer over ``MAX_BUFFERED`` — uvicorn's flow control
        (``writable``) pauses at the transport's high-water mark, 64 KiB too — leaves the rest
        to the outbox's sender task, which waits for the buffer to drain."""
        transport = self.transport
        if (
            self.ws._state is not OPEN
            or transport.is_closing()
            or transport.get_write_buffer_size() > MAX_BUFFERED
        ):
            return None
        return transport

    def write(self, text: Payload) -> bool:
        # ``_open``'s test, written out: this runs once per connection per change (the
        # fan-out's inner loop), and a Python call more per delivery showed in its CPU
        transport = self.transport
        if (
            self.ws._state is not OPEN  # ``state`` is a property over it: a Python call more
            or transport.is_closing()
            or transport.get_write_buffer_size() > MAX_BUFFERED
        ):
            return False
        transport.write(text.frame if type(text) is Frame else _framed(text))
        return True

    def write_many(self, texts: list[Payload]) -> bool:
        """Several messages in one ``write``: a voter's ``ack``, their ``you`` and the room's
        change go out in one system call instead of three (the calls, not the bytes, cost)."""
        transport = self._open()
        if transport is None:
            return False
        transport.write(b"".join([_framed(t) for t in texts]))
        return True

    def buffered(self) -> int:
        return int(self.transport.get_write_buffer_size())

    def abort(self) -> None:
        _abort(self.transport)


def direct_socket(scope: MutableMapping[str, Any]) -> RawSocket | None:
    """This connection's socket for direct writes, or None when only ASGI may send."""
    send = scope.get(SCOPE_KEY)
    protocol = getattr(send, "__self__", None)
    if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    conn = protocol.conn
    # ``write`` reads the state machine's ``_state``, which its ``state`` property returns: a
    # websockets release where that is no longer so gets the ASGI path, not a wrong answer
    if conn.extensions or getattr(conn, "_state", None) is not conn.state:
        return None
    watch(conn)
    return RawSocket(protocol, protocol.transport)


def watch(conn: Any) -> None:
    """uvicorn's state machine made a ``WatchedProtocol``: the same object (uvicorn made it and
    holds it), its class swapped for the subclass, which only adds the hook. Another class
    (a websockets release that changed it, a subclass of someone else's) is left as it is,
    and its connection never joins a ready set: its outbox checks the state at every write."""
    if WatchedProtocol is not None and type(conn) is ServerProtocol:
        conn.__class__ = WatchedProtocol


def direct_writer(scope: MutableMapping[str, Any]) -> DirectWrite | None:
    """A ``write(text) -> bool`` for this connection, or None when only ASGI may send."""
    raw = direct_socket(scope)
    return raw.write if raw is not None else None


class RawSendProbe:
    """Outermost app middleware: keeps the server's own ``send`` of a WebSocket in the scope,
    before any wrapper, so the endpoint can find the connection's protocol."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = send
        await self.app(scope, receive, send)


def socket_probe(scope: MutableMapping[str, Any]) -> tuple[Callable[[], int], Callable[[], None]] | None:
    """(bytes waiting in this connection's write buffer, abort the connection), or None.

    A slow reader is cut with ``abort``: a WebSocket close would wait behind the very buffer
    that is the problem."""
    send = scope.get(SCOPE_KEY)
    protocol = getattr(send, "__self__", None)
    transport = getattr(protocol, "transport", None)
    if transport is None or not hasattr(transport, "get_write_buffer_size"):
        return None
    return (lambda: int(transport.get_write_buffer_size())), (lambda: _abort(transport))


def _abort(transport: Any) -> None:
    if not transport.is_closing() or transport.get_write_buffer_size():
        transport.abort()
