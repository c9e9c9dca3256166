"""The sending half of an outbox (server/rooms/outbox.py): the sender task that writes, with
the socket's backpressure, what the socket did not take at once, and the brake on a client
whose replies pile up."""

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from server.web.direct import Frame, Payload

MAX_CONTROL = 256


class SlowConsumer(Exception):
    """The client let too many control messages pile up; it is disconnected."""


class SenderLoop:
    """``Outbox``'s sender task, and the slots of the outbox that it uses."""

    __slots__ = (
        "_control",
        "_drained",
        "_send",
        "_sending",
        "_state",
        "_wakeup",
        "_you",
        "closed",
        "held",
        "overflowed",
        "sending_since",
    )
    _send: Callable[[str], Awaitable[None]]
    _control: deque[str] | None
    _you: bytes | None
    _state: Payload | None
    _wakeup: asyncio.Event | None
    _drained: asyncio.Event | None
    _sending: bool
    held: bool
    closed: bool
    overflowed: bool
    sending_since: float | None

    async def room_for_more(self) -> None:
        """Waits while replies pile up (over half of ``MAX_CONTROL``) until the sender has
        written them down to a quarter. Called after each message of the client: one that
        sends a burst before reading (hundreds of pings at once) is then read as fast as it
        reads, instead of being cut as a slow reader for replies it had no time to read."""
        while self.piled_up():
            if self._drained is None:
                self._drained = asyncio.Event()
            await self._drained.wait()

    def piled_up(self) -> bool:
        """Replies over half of ``MAX_CONTROL``: ``room_for_more`` would wait (callers test
        this first: a coroutine less a message, mostly)."""
        return not self.closed and self._control is not None and len(self._control) > MAX_CONTROL // 2

    def _shrunk(self) -> None:
        control = self._control
        if self._drained is not None and (self.closed or not control or len(control) <= MAX_CONTROL // 4):
            self._drained.set()
            self._drained = None

    async def run(self, *, until_idle: bool = False) -> None:
        """Send until closed; raises SlowConsumer if the queue overflowed. ``until_idle``:
        return as soon as nothing is left to send (``on_wake`` asks for the next run)."""
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        wakeup = self._wakeup
        while True:
            if until_idle and not wakeup.is_set():  # nothing arrived since the last round
                self._wakeup = None
                if not self._control:
                    self._control = None
                return
            await wakeup.wait()
            wakeup.clear()
            if self.overflowed:
                raise SlowConsumer
            self._sending = True
            try:
                # held: what is queued now waits for release(), which sends or wakes us
                while self._control and not self.held:
                    self.sending_since = time.monotonic()
                    await self._send(self._control.popleft())
                    self._shrunk()
                if self._you is not None and not self.held:
                    you, self._you = self._you, None
                    self.sending_since = time.monotonic()
                    await self._send(you.decode())
                    del you
                if self._state is not None and self._you is None and not self.held:
                    text, self._state = self._state, None
                    self.sending_since = time.monotonic()
                    if isinstance(text, Frame):
                        text = text.data
                    await self._send(text.decode() if isinstance(text, bytes) else text)
                    # this coroutine now waits, maybe for minutes: it must not keep the last
                    # state alive (17 KB per idle connection in a room of 100)
                    del text
            finally:
                self._sending = False
                self.sending_since = None
            if self.closed:
                return
