"""One outbox per connection, so one slow phone never stalls a room.

Ordered control messages (welcome, ack, error) go through a bounded queue; room states go
through a single slot that always holds the latest one: a client that reads slowly skips
intermediate versions (the protocol allows it) instead of piling them up.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

MAX_CONTROL = 256


class SlowConsumer(Exception):
    """The client let too many control messages pile up; it is disconnected."""


class Outbox:
    def __init__(self, send: Callable[[str], Awaitable[None]]) -> None:
        self._send = send
        self._control: deque[str] = deque()
        self._state: str | None = None
        self._state_version = -1
        self._wakeup = asyncio.Event()
        self.closed = False
        self.overflowed = False

    def push(self, text: str) -> None:
        if self.closed:
            return
        if len(self._control) >= MAX_CONTROL:
            self.overflowed = True
            self.close()
            return
        self._control.append(text)
        self._wakeup.set()

    def push_state(self, version: int, text: str, *, force: bool = False) -> None:
        if self.closed or (version <= self._state_version and not force):
            return
        self._state, self._state_version = text, version
        self._wakeup.set()

    def close(self) -> None:
        self.closed = True
        self._wakeup.set()

    async def run(self) -> None:
        """Send until closed; raises SlowConsumer if the queue overflowed."""
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if self.overflowed:
                raise SlowConsumer
            while self._control:
                await self._send(self._control.popleft())
            if self._state is not None:
                text, self._state = self._state, None
                await self._send(text)
                # this coroutine now waits, maybe for minutes: it must not keep the last
                # state alive (17 KB per idle connection in a room of 100)
                del text
            if self.closed:
                return
