"""Fan-out between processes. In one process nothing is needed (``LocalBus``); with several,
Redis pub/sub carries each stored state to the other processes (``RedisBus``), which hand it to
their own connections. The database stays the source of truth: a message carries the full
state, so a process that missed one simply takes the next, and ``sync`` reloads from the
database.
"""

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "exploria:room:"

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Bus(Protocol):
    origin: str

    async def publish(self, code: str, event: dict[str, Any]) -> None: ...
    async def start(self, handler: Handler) -> None: ...
    async def close(self) -> None: ...


class LocalBus:
    """One process: every connection of a room is local, there is nobody else to tell."""

    origin = "local"

    async def publish(self, code: str, event: dict[str, Any]) -> None:
        return None

    async def start(self, handler: Handler) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisBus:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.origin = secrets.token_hex(8)
        self._redis = redis.Redis.from_url(url)
        self._task: asyncio.Task[None] | None = None

    async def publish(self, code: str, event: dict[str, Any]) -> None:
        payload = json.dumps({**event, "code": code, "origin": self.origin}, ensure_ascii=False)
        await self._redis.publish(CHANNEL_PREFIX + code, payload)

    async def start(self, handler: Handler) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(CHANNEL_PREFIX + "*")

        async def listen() -> None:
            while True:
                try:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    event = json.loads(message["data"])
                    if event.get("origin") != self.origin:
                        await handler(event)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a bad message or a Redis hiccup must not stop fan-out
                    log.exception("bus message failed")
                    await asyncio.sleep(0.5)

        self._task = asyncio.create_task(listen())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()
