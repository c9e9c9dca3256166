"""One outbox per connection, so one slow phone never stalls a room.

Ordered control messages (welcome, ack, error) go through a bounded queue; room states go
through a single slot that always holds the latest one: a client that reads slowly skips
intermediate versions (the protocol allows it) instead of piling them up.

When the connection offers a ``direct`` write (see ``server.web.direct``) and nothing is
waiting in the outbox, a state is written at once by the broadcasting code instead of waking
the sender task: same order, a fraction of the CPU. While a connection's own action is being
applied its states are ``held`` for the sender task, so the actor still gets its ``ack``
before the state the action produced (docs/protocol.md).
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

MAX_CONTROL = 256


class SlowConsumer(Exception):
    """The client let too many control messages pile up; it is disconnected."""


class Outbox:
    def __init__(self, send: Callable[[str], Awaitable[None]],
                 direct: Callable[[str], bool] | None = None) -> None:
        self._send = send
        self._direct = direct
        self._sending = False  # the sender task is between wake-up and its last send
        self.held = False
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
        if (self._direct is not None and not self.held and not self._sending
                and not self._control and self._state is None and self._direct(text)):
            self._state_version = version
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
            self._sending = True
            try:
                while self._control:
                    await self._send(self._control.popleft())
                if self._state is not None:
                    text, self._state = self._state, None
                    await self._send(text)
                    # this coroutine now waits, maybe for minutes: it must not keep the last
                    # state alive (17 KB per idle connection in a room of 100)
                    del text
            finally:
                self._sending = False
            if self.closed:
                return
