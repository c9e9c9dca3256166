"""One outbox per connection, so one slow phone never stalls a room.

Ordered control messages (welcome, ack, error) go through a bounded queue; room states go
through a single slot that always holds the latest one: a client that reads slowly skips
intermediate versions (the protocol allows it) instead of piling them up.

When the connection offers a ``direct`` write (see ``server.web.direct``) and the sender task
is idle, whatever is pushed is written at once, in order, by the code that pushes it, instead
of waking the sender task: same order, a fraction of the CPU. The sender task remains for what
the socket does not take at once (a slow reader), with its backpressure. With ``on_wake``, the
sender task exists only while there is such a backlog: the outbox calls ``on_wake`` when it
needs one, and ``run(until_idle=True)`` returns once the backlog is written, so an idle
connection keeps no task, coroutine frames or event alive.

While one of the connection's own messages is being handled the outbox is ``hold()``-ed:
nothing leaves until ``release()``, so the reply (``ack`` or ``error``) always goes out before
the state that message produced (docs/protocol.md), also when handling waits on Redis.

An outbox with nothing waiting, nothing held and its room's last state may be put in its
room's ready set (``join_ready``, fan-out): the room then writes its next patch onto the socket
without calling the outbox at all. Whatever would make that wrong — a hold, a backlog, a close,
a state given another way — takes the outbox out of the set first (``leave_ready``), and only
then does the outbox track its version again.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from server.rooms.sending import MAX_CONTROL, SenderLoop
from server.web.direct import Frame, Payload, RawSocket


class ReadySet(Protocol):
    """A room's ready outboxes (server/rooms/fanout.py, ``RoomFan``): key → transport, all
    holding ``sent_version``, each on a ``WatchedProtocol`` (server/web/direct.py); and how
    many of them each person has (the fan-out finds whose ``you`` to tell without reading
    every connection)."""

    ready: dict[Any, Any]
    people: dict[str, int]
    sent_version: int


class Outbox(SenderLoop):
    __slots__ = (  # and those of SenderLoop
        "_direct",
        "_direct_many",
        "_state_version",
        "close_code",
        "on_wake",
        "protocol",
        "raw",
        "ready_in",
        "ready_key",
        "ready_person",
        "you_key",
    )

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        direct: Callable[[Payload], bool] | None = None,
        *,
        protocol: int = 1,
        on_wake: Callable[[], None] | None = None,
        direct_many: Callable[[list[Payload]], bool] | None = None,
        raw: RawSocket | None = None,
    ) -> None:
        self._send = send
        self.protocol = protocol  # asked for in ``join`` (docs/protocol.md, "Protocol versions")
        self._direct = direct
        self._direct_many = direct_many  # several messages in one write (a released reply)
        self.on_wake = on_wake  # a sender task is needed (see the module's docstring)
        self._sending = False  # the sender task is between wake-up and its last send
        self.held = False
        self._control: deque[str] | None = None  # made when first needed
        # bytes: UTF-8 JSON; a Frame: the same bytes for a whole room, framed once
        self._state: Payload | None = None
        self._state_version = -1
        self._you: bytes | None = None  # protocol 2: the latest ``you`` message, before the state
        self.you_key: tuple[object, str] | None = None  # what the last ``you`` said (fan-out)
        self._wakeup: asyncio.Event | None = None  # made by the first wake-up
        self._drained: asyncio.Event | None = None  # see ``room_for_more``
        self.closed = False
        self.overflowed = False
        self.close_code: int | None = None  # the WebSocket close code to use, if not the usual
        self.sending_since: float | None = None  # monotonic time the pending send began
        self.raw = raw  # the socket ``direct`` writes on, for the room's ready set
        self.ready_in: ReadySet | None = None  # the room's ready set, while in it
        self.ready_key: object = None  # this outbox's key there (its connection)
        self.ready_person = ""  # whose connection it is, while in the set

    def push(self, text: str) -> None:
        if self.closed:
            return
        if self._control is None:
            if (
                self._direct is not None
                and not (self.held or self._sending)
                and self._you is None
                and self._state is None
                and self._direct(text)
            ):
                return  # the common case: straight out, no queue made
            self._control = deque()
        if len(self._control) >= MAX_CONTROL:
            self.overflowed = True
            self.close()
            return
        self._control.append(text)
        self._send_now_or_wake()

    def push_state(self, version: int, text: Payload, *, force: bool = False) -> None:
        if self.ready_in is not None:
            self.leave_ready()
        if self.closed or (version <= self._state_version and not force):
            return
        self._state, self._state_version = text, version
        self._send_now_or_wake()

    def offer(self, version: int, frame: Frame | None, base: int = -1, patch: Frame | None = None) -> bool:
        """``push_state`` for the fan-out, all of a connection's part in one call (it runs once
        per connection per change): ``patch`` (from version ``base``) if this connection holds
        ``base`` and no state is waiting, else ``frame`` (the full state; built by the caller
        only when this returns False). The common case — nothing waiting, nothing held, the
        socket writable — writes at once. True when the connection needed nothing more."""
        held = self._state_version
        if held >= version:
            return True  # welcomed with this version already
        if held == base and patch is not None and self._state is None:
            frame = patch
        elif frame is None:
            return False
        if (
            self._state is None  # else what waits goes first (a reader slow a moment ago)
            and self._you is None
            and self._control is None
            and not self.held
            and not self._sending
            and not self.closed
            and self._direct is not None
            and self._direct(frame)
        ):
            self._state_version = version
            return True
        self.push_state(version, frame)
        return True

    def push_you(self, data: bytes) -> None:
        """The connection's own part (protocol 2): latest wins, sent before the state of the
        same change, so the client shows both at once."""
        if self.closed:
            return
        self._you = data
        self._send_now_or_wake()

    def seen(self, version: int) -> None:
        """A state of ``version`` went out another way (in ``welcome``): a state still
        waiting that is not newer (and the ``you`` pushed with it) would only repeat it."""
        if self.ready_in is not None:
            self.leave_ready()
        if self._state is not None and self._state_version <= version:
            self._state = None
            self._you = None
        self._state_version = max(self._state_version, version)

    @property
    def version(self) -> int:
        """The version of the last state given to this outbox."""
        ready = self.ready_in
        return ready.sent_version if ready is not None else self._state_version

    def can_join_ready(self, version: int) -> bool:
        """Nothing waiting or held, the state of ``version`` given, a socket to write on and
        its own part told (fan-out): the room may write its next patch straight on."""
        return (
            self._state_version == version
            and self.ready_in is None
            and self._state is None
            and self._you is None
            and self._control is None
            and not self.held
            and not self._sending
            and not self.closed
            and self.raw is not None
            and self.raw.watched
            and self.protocol >= 2
            and self.you_key is not None
        )

    def join_ready(self, room: ReadySet, key: object, person: str) -> None:
        raw = self.raw
        assert raw is not None
        room.ready[key] = raw.transport
        room.people[person] = room.people.get(person, 0) + 1
        raw.ws.on_leaving_open = self.leave_ready  # a close frame, sent or received: out at once
        self.ready_in, self.ready_key, self.ready_person = room, key, person

    def leave_ready(self) -> None:
        """Out of the room's ready set: from now on this outbox tracks its version again,
        from the one every member of the set holds."""
        room = self.ready_in
        assert room is not None
        if room.ready.pop(self.ready_key, None) is not None:
            left = room.people[self.ready_person] - 1
            if left:
                room.people[self.ready_person] = left
            else:
                del room.people[self.ready_person]
        self._state_version = room.sent_version
        self.ready_in = self.ready_key = None
        if self.raw is not None:
            self.raw.ws.on_leaving_open = None

    @property
    def idle(self) -> bool:
        """No state waiting: a ``patch`` against ``version`` can follow."""
        return self._state is None

    def hold(self) -> None:
        if self.ready_in is not None:
            self.leave_ready()
        self.held = True

    def release(self) -> None:
        self.held = False
        if self._control or self._state is not None or self._you is not None:
            self._send_now_or_wake()

    def _send_now_or_wake(self) -> None:
        if self.held:
            return  # release() sends
        if self._direct is not None and not self._sending:
            control = self._control
            if self._direct_many is not None and self._several_waiting() and self._write_together():
                return
            if control is not None:
                while control and self._direct(control[0]):
                    control.popleft()
                if not control:
                    self._control = None  # an idle connection keeps no queue
                self._shrunk()
            if self._control is None and self._you is not None and self._direct(self._you):
                self._you = None
            if (
                self._control is None
                and self._you is None
                and self._state is not None
                and self._direct(self._state)
            ):
                self._state = None
            if self._control is None and self._state is None and self._you is None:
                return
        self._wake()

    def _several_waiting(self) -> bool:
        waiting = len(self._control) if self._control else 0
        return waiting + (self._you is not None) + (self._state is not None) > 1

    def _write_together(self) -> bool:
        """Everything waiting, in order (control messages, ``you``, the state), in one write."""
        batch: list[Payload] = list(self._control) if self._control else []
        if self._you is not None:
            batch.append(self._you)
        if self._state is not None:
            batch.append(self._state)
        assert self._direct_many is not None
        if not self._direct_many(batch):
            return False
        self._control = None
        self._you = self._state = None
        self._shrunk()
        return True

    def _wake(self) -> None:
        if self.ready_in is not None:  # a backlog, or closed
            self.leave_ready()
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        self._wakeup.set()
        if self.on_wake is not None:
            self.on_wake()

    def close(self, code: int | None = None) -> None:
        if code is not None and self.close_code is None:
            self.close_code = code
        self.closed = True
        self._wake()
        self._shrunk()
