"""Fan-out between processes, behind one small interface with backends chosen by URL.

In one process nothing needs carrying (``memory://``, ``MemoryBus``); with several,
Redis pub/sub carries each stored state to the other processes (``RedisBus``), which hand it to
their own connections. The database stays the source of truth: a message carries the full
state, so a process that missed one simply takes the next, and ``sync`` reloads from the
database.

Presence across processes: who is connected is part of the room state, but only the process
that holds a socket knows the socket is alive. Each process keeps a short-lived heartbeat key in
Redis and, per room, a set of ``player|process`` members for the people it holds; a player
whose only processes have stopped beating (killed, machine gone) is no longer present, and the
rooms' states are corrected by ``RoomService.reconcile_presence``.
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
PRESENCE_PREFIX = "exploria:presence:"  # a set per room: "player_id|process origin"
PROCESS_PREFIX = "exploria:process:"  # one key per running process, kept alive by heartbeats
PRESENCE_KEEP_S = 3600  # a room's presence set outlives its last refresh by this long
REDIS_TIMEOUT_S = 2.0  # presence calls run under a room's lock: never wait long on Redis

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Bus(Protocol):
    origin: str
    shared: bool  # other processes may hold sockets of the same rooms

    async def publish(self, code: str, event: dict[str, Any]) -> None: ...
    async def start(self, handler: Handler) -> None: ...
    async def close(self) -> None: ...
    async def present(self, code: str, player_id: str) -> None: ...
    async def absent(self, code: str, player_id: str) -> None: ...
    async def live_players(self, code: str) -> set[str] | None: ...
    async def hold_only(self, code: str, player_ids: set[str]) -> None: ...


def bus_from_url(url: str, *, presence_ttl_s: float = 10.0) -> Bus:
    """The backend named by ``url``, as encode/broadcaster does: ``memory://`` (one process,
    the default) or ``redis://`` / ``rediss://`` (several processes)."""
    scheme = url.partition("://")[0] if url else "memory"
    if scheme == "memory":
        return MemoryBus()
    if scheme in ("redis", "rediss", "unix"):
        return RedisBus(url, presence_ttl_s=presence_ttl_s)
    raise ValueError(f"no bus for {scheme}:// (memory:// or redis://)")


class MemoryHub:
    """What the memory buses of one process share: tests run several services over one hub
    as they would run several processes over one Redis."""

    def __init__(self) -> None:
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}  # origin → its inbox
        self.members: dict[str, set[tuple[str, str]]] = {}  # code → (player, origin)
        self.alive: set[str] = set()  # origins started and not closed


class MemoryBus:
    """In-process backend. On its own hub (the default) it is the one process there is:
    ``shared`` is false and the service skips publishing. Over a hub given to several buses,
    it delivers events and presences between them as Redis does between processes."""

    def __init__(self, hub: MemoryHub | None = None) -> None:
        self.origin = secrets.token_hex(8)
        self.shared = hub is not None
        self.hub = hub or MemoryHub()
        self.hub.alive.add(self.origin)
        self._task: asyncio.Task[None] | None = None

    # alone, this process's own connections are the truth: presences are not kept (they
    # would only grow with every room and player of a long-running process)

    async def present(self, code: str, player_id: str) -> None:
        if self.shared:
            self.hub.members.setdefault(code, set()).add((player_id, self.origin))

    async def absent(self, code: str, player_id: str) -> None:
        self.hub.members.get(code, set()).discard((player_id, self.origin))

    async def live_players(self, code: str) -> set[str] | None:
        if not self.shared:
            return None
        members = self.hub.members.get(code, set())
        members -= {m for m in members if m[1] not in self.hub.alive}
        return {player for player, _ in members}

    async def hold_only(self, code: str, player_ids: set[str]) -> None:
        if not self.shared:
            return
        members = self.hub.members.setdefault(code, set())
        members -= {m for m in members if m[1] == self.origin}
        members |= {(p, self.origin) for p in player_ids}

    async def publish(self, code: str, event: dict[str, Any]) -> None:
        payload = json.dumps({**event, "code": code, "origin": self.origin}, ensure_ascii=False)
        for origin, queue in self.hub.queues.items():
            if origin != self.origin:
                queue.put_nowait(json.loads(payload))  # a copy, as over the wire

    async def start(self, handler: Handler) -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.hub.queues[self.origin] = queue

        async def listen() -> None:
            while True:
                event = await queue.get()
                try:
                    await handler(event)
                except Exception:  # as with Redis: one bad event must not stop fan-out
                    log.exception("bus message failed")

        self._task = asyncio.create_task(listen())

    async def close(self) -> None:
        """Stop, as a process does: its presences stop counting."""
        self.hub.alive.discard(self.origin)
        self.hub.queues.pop(self.origin, None)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class RedisBus:
    """Several processes: states over Redis pub/sub, presences in Redis sets."""

    shared = True

    def __init__(self, url: str, presence_ttl_s: float = 10.0) -> None:
        import redis.asyncio as redis

        self.origin = secrets.token_hex(8)
        self._redis = redis.Redis.from_url(url)
        self._task: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self.presence_ttl_s = presence_ttl_s

    async def _beat(self) -> None:
        await self._redis.set(PROCESS_PREFIX + self.origin, "1", px=max(1, int(self.presence_ttl_s * 1000)))

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.presence_ttl_s / 3)
            try:
                await self._beat()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away for a moment: the next beat tries again
                log.warning("presence heartbeat failed")

    async def present(self, code: str, player_id: str) -> None:
        async with asyncio.timeout(REDIS_TIMEOUT_S):
            key = PRESENCE_PREFIX + code
            await self._redis.sadd(key, f"{player_id}|{self.origin}")
            await self._redis.expire(key, PRESENCE_KEEP_S)

    async def absent(self, code: str, player_id: str) -> None:
        async with asyncio.timeout(REDIS_TIMEOUT_S):
            await self._redis.srem(PRESENCE_PREFIX + code, f"{player_id}|{self.origin}")

    async def _members(self, key: str) -> list[str]:
        return [m.decode() if isinstance(m, bytes) else m for m in await self._redis.smembers(key)]

    async def live_players(self, code: str) -> set[str] | None:
        """Players of ``code`` held by a running process; members of dead ones are dropped."""
        async with asyncio.timeout(REDIS_TIMEOUT_S):
            key = PRESENCE_PREFIX + code
            members = await self._members(key)
            origins = sorted({m.rpartition("|")[2] for m in members})
            if not origins:
                return set()
            beats = await self._redis.mget([PROCESS_PREFIX + o for o in origins])
            alive = {o for o, beat in zip(origins, beats, strict=True) if beat is not None}
            dead = [m for m in members if m.rpartition("|")[2] not in alive]
            if dead:
                await self._redis.srem(key, *dead)
            return {m.rpartition("|")[0] for m in members if m.rpartition("|")[2] in alive}

    async def hold_only(self, code: str, player_ids: set[str]) -> None:
        """Make this process's members of ``code`` exactly ``player_ids`` (repairs what a
        failed call or an interrupted join left behind)."""
        async with asyncio.timeout(REDIS_TIMEOUT_S):
            key = PRESENCE_PREFIX + code
            mine = {m for m in await self._members(key) if m.rpartition("|")[2] == self.origin}
            wanted = {f"{p}|{self.origin}" for p in player_ids}
            if mine - wanted:
                await self._redis.srem(key, *(mine - wanted))
            if wanted - mine:
                await self._redis.sadd(key, *(wanted - mine))
            if wanted:
                await self._redis.expire(key, PRESENCE_KEEP_S)

    async def publish(self, code: str, event: dict[str, Any]) -> None:
        payload = json.dumps({**event, "code": code, "origin": self.origin}, ensure_ascii=False)
        await self._redis.publish(CHANNEL_PREFIX + code, payload)

    async def start(self, handler: Handler) -> None:
        await self._beat()  # alive before the first player is announced
        self._heartbeat = asyncio.create_task(self._beat_forever())
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
        for task in (self._task, self._heartbeat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        with contextlib.suppress(Exception):  # the others need not wait for the key to expire
            await self._redis.delete(PROCESS_PREFIX + self.origin)
        await self._redis.aclose()
