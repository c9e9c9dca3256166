"""Client messages read straight off the socket, without the ASGI receive path (issue 15).

Through ASGI, every message a client sends is put in uvicorn's queue, reading the socket is
paused, the connection's coroutine chain (our session, Starlette's ``receive``, uvicorn's
``receive``, the queue's ``get``) wakes, takes it, resumes reading and makes a new chain of
coroutines and a future to wait for the next one. That chain then lives until the person's
next message, seconds later: in a busy room the garbage collector's young generation was
mostly such chains (5,000 live objects a pass, 10–20 ms each with 2,100 connections, every
few seconds), besides the CPU and the two system calls a message.

So on uvicorn's sans-I/O protocol (the default, as for direct writes: direct.py) the protocol
hands each complete frame to the session's ``Inbox`` by a plain call. The inbox handles its
messages one at a time, in order: with one process within that call until a message has to
wait (``eager``), and otherwise in a task that exists only while it has some. An idle
connection keeps nothing but the one ASGI ``receive`` still awaited for the disconnection.
Reading pauses when a client's unhandled messages pile up (``INBOX_MAX``) and resumes once
they are down by half: what uvicorn's pause after each message was for. Close frames,
disconnections and the handshake stay uvicorn's.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator, MutableMapping
from typing import Any

from starlette.websockets import WebSocketDisconnect

from server.web.direct import OPEN, SCOPE_KEY
from server.web.frames import OTHER, WAIT, at_frame_boundary, read_frames, size_limit

log = logging.getLogger(__name__)

INBOX_MAX = 32  # messages waiting to be handled before reading the socket pauses
Item = str | None | object  # a text frame, None for a binary one, or a session's own marker
OnFrame = Callable[[str | None], None]

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - the ASGI receive path remains
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]


if WebSocketsSansIOProtocol is not None:

    class DirectReceiveProtocol(WebSocketsSansIOProtocol):
        """uvicorn's sans-I/O WebSocket protocol, whose data frames go to ``on_frame`` once a
        session took the connection over (``take_over``); until then, and for everything
        else, uvicorn's own path."""

        on_frame: OnFrame | None = None
        inbound_paused = False
        # bytes read by ``read_frames`` and not yet a whole frame; None: websockets reads
        unread: bytes | None = None
        unread_limit = 0  # the largest text frame read here (frames.size_limit)

        def data_received(self, data: bytes) -> None:
            """Simple text frames go straight to ``on_frame`` (frames.py); control frames to
            websockets whole; anything else, and every byte after it, to websockets."""
            unread = self.unread
            if unread is None:
                super().data_received(data)
                return
            buf = unread + data if unread else data
            while True:
                if self.on_frame is None or self.close_sent or self.conn.state is not OPEN:
                    self.unread = None
                    super().data_received(buf)
                    return
                payloads, pos, stop = read_frames(buf, self.unread_limit)
                for payload in payloads:
                    self.curr_msg_data_type = "text"
                    self.frames = [payload]
                    self.send_receive_event_to_app()
                if stop == WAIT:
                    self.unread = buf[pos:]
                    return
                if stop == OTHER:
                    self.unread = None
                    super().data_received(buf[pos:])
                    return
                super().data_received(buf[pos : pos + stop])  # a ping, a pong or a close
                buf = buf[pos + stop :]

        def send_receive_event_to_app(self) -> None:
            on_frame = self.on_frame
            if on_frame is None or self.close_sent:
                super().send_receive_event_to_app()
                return
            data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
            self.frames = []
            if self.curr_msg_data_type != "text":
                on_frame(None)
                return
            try:
                text = data.decode()
            except UnicodeDecodeError:  # as uvicorn does: close 1007
                self.logger.info("Invalid UTF-8 sequence received from client.")
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
            on_frame(text)

        def take_over(self, on_frame: OnFrame) -> None:
            """Frames already queued for ASGI go to ``on_frame`` first, in order, then every
            next one (no frame can arrive in between: this does not wait)."""
            others: list[Any] = []
            while not self.queue.empty():
                event = self.queue.get_nowait()
                if event["type"] == "websocket.receive":
                    on_frame(event.get("text"))
                else:  # a disconnection stays for the session's ASGI receive
                    others.append(event)
            for event in others:
                self.queue.put_nowait(event)
            self.on_frame = on_frame
            if at_frame_boundary(self.conn):
                self.unread, self.unread_limit = b"", size_limit(self.conn)
            if self.read_paused:  # uvicorn paused after the last queued message
                self.read_paused = False
                self.transport.resume_reading()

        def give_back(self) -> None:
            self.on_frame = None
            unread, self.unread = self.unread, None
            if unread:  # part of a frame: websockets reads it with what follows
                super().data_received(unread)
            self.resume_inbound()

        def pause_inbound(self) -> None:
            if not self.inbound_paused:
                self.inbound_paused = True
                self.transport.pause_reading()

        def resume_inbound(self) -> None:
            if self.inbound_paused:
                self.inbound_paused = False
                if not self.transport.is_closing():
                    self.transport.resume_reading()

else:  # pragma: no cover
    DirectReceiveProtocol = None  # type: ignore[assignment,misc]


def inbound_protocol(scope: MutableMapping[str, Any]) -> Any:
    """This connection's protocol if it can hand frames over directly, else None."""
    send = scope.get(SCOPE_KEY)
    protocol = getattr(send, "__self__", None)
    if DirectReceiveProtocol is None or not isinstance(protocol, DirectReceiveProtocol):
        return None
    return protocol


class Inbox:
    """One connection's messages, handled one at a time and in order by ``handle``.

    With ``eager``, a message that finds nothing before it is handled at once, within the call
    that brings it, as far as its handling goes without waiting; only if it waits does a task
    take the rest over (Python 3.12's eager tasks, by hand: this runs on 3.11). A vote mostly
    never waits: no task, no second turn of the loop. Not with several processes: their
    Redis calls run under ``asyncio.timeout``, which needs a task."""

    __slots__ = ("_closed", "_draining", "_eager", "_handle", "_items", "_protocol", "_task")

    def __init__(
        self, handle: Callable[[Item], Awaitable[None]], protocol: Any, *, eager: bool = False
    ) -> None:
        self._handle = handle
        self._protocol = protocol
        self._eager = eager
        self._items: deque[Item] | None = None  # made when a message waits behind another
        self._task: asyncio.Task[None] | None = None
        self._draining = False  # a message is being handled (by a task, or at once)
        self._closed = False

    def put(self, item: Item) -> None:
        if self._closed:
            return
        if not self._draining:
            self._draining = True
            if self._eager:
                self._start(item)
            else:
                self._task = asyncio.get_running_loop().create_task(self._drain(item))
            return
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        if len(self._items) >= INBOX_MAX:
            self._protocol.pause_inbound()

    async def _drain(self, item: Item) -> None:
        try:
            while True:
                await self._handle(item)
                items = self._items
                if not items:
                    return
                item = items.popleft()
                if len(items) <= INBOX_MAX // 2:
                    self._protocol.resume_inbound()
        except (WebSocketDisconnect, RuntimeError, ConnectionError):  # the socket closed under us
            self._closed = True
        except Exception:  # as an error out of an ASGI app: the connection is dropped
            log.exception("a client message could not be handled")
            self._closed = True
            self._protocol.transport.close()
        finally:
            self._task = None
            self._items = None
            self._draining = False

    def _start(self, item: Item) -> None:
        """``_drain`` run here until it first waits; then a task runs the rest."""
        coro = self._drain(item)
        try:
            waiting_on = coro.send(None)
        except StopIteration:
            return  # handled entirely
        self._task = asyncio.get_running_loop().create_task(_rest(coro, waiting_on))

    async def finish(self) -> None:
        """No more messages: wait for the one being handled (and those before it)."""
        self._closed = True
        task = self._task
        if task is not None:
            await asyncio.wait([task])


class _Rest:
    """The rest of a coroutine started by hand, for a task to run: it first hands the task the
    future the coroutine stopped on (as the coroutine would have), then passes every value
    and exception through, as ``await`` does."""

    __slots__ = ("coro", "first")

    def __init__(self, coro: Coroutine[Any, Any, None], first: Any) -> None:
        self.coro, self.first = coro, first

    def __await__(self) -> Generator[Any, Any, None]:
        coro, waiting_on = self.coro, self.first
        while True:
            try:
                sent = yield waiting_on
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # the task's cancellation, passed on
                try:
                    waiting_on = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting_on = coro.send(sent)
                except StopIteration:
                    return


async def _rest(coro: Coroutine[Any, Any, None], first: Any) -> None:
    await _Rest(coro, first)
