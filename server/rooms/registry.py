"""The rooms this process holds in memory: loaded on demand, one load per code at a time."""

import asyncio
import hashlib
import json
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator

from server.core.deck import Deck, parse_deck
from server.rooms.live import CLOSE_SLOW, LiveRoom


class Registry:
    """Live rooms by code. ``load`` reads a room from storage (raising ``NotFound``)."""

    def __init__(self, load: Callable[[str], Awaitable[LiveRoom]]) -> None:
        self._load = load
        self._rooms: dict[str, LiveRoom] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._decks: weakref.WeakValueDictionary[str, Deck] = weakref.WeakValueDictionary()

    def __iter__(self) -> Iterator[LiveRoom]:
        return iter(list(self._rooms.values()))

    def deck(self, stored: str) -> Deck:
        """The deck a room stored as ``stored`` (JSON): one parsed copy shared by every loaded
        room that plays the same deck (a ``Deck`` is immutable), instead of one per room —
        a built-in deck parsed is some 250 KB."""
        key = hashlib.sha256(stored.encode()).hexdigest()
        deck = self._decks.get(key)
        if deck is None:
            deck = parse_deck(json.loads(stored))
            self._decks[key] = deck
        return deck

    def loaded(self, code: str) -> LiveRoom | None:
        return self._rooms.get(code.upper())

    async def get(self, code: str) -> LiveRoom:
        code = code.upper()
        room = self._rooms.get(code)
        if room is not None:
            return room
        lock = self._loading.setdefault(code, asyncio.Lock())
        try:
            async with lock:
                room = self._rooms.get(code)
                if room is None:
                    room = await self._load(code)
                    self._rooms[code] = room
        finally:  # also when the code is unknown: no lock left behind per guessed code
            if not lock.locked() and self._loading.get(code) is lock:
                del self._loading[code]
        return room

    def unload(self, code: str) -> LiveRoom | None:
        """Forget a room; its sockets are the caller's to close."""
        return self._rooms.pop(code.upper(), None)

    @property
    def loading(self) -> dict[str, asyncio.Lock]:
        """Codes being loaded right now (a test checks none is left behind)."""
        return self._loading

    def unload_idle(self, after_s: float = 600) -> int:
        """Forget rooms nobody has been connected to for a while (reloaded on demand)."""
        limit = time.monotonic() - after_s
        idle = [
            code
            for code, room in self._rooms.items()
            if not room.connections
            and not room.lock.locked()
            and room.idle_since is not None
            and room.idle_since < limit
        ]
        for code in idle:
            del self._rooms[code]
        return len(idle)

    def sweep_slow(self, max_bytes: int, max_stuck_s: float, part: int = 0, parts: int = 1) -> int:
        """Cut the connections of readers that fell behind: more than ``max_bytes`` waiting
        in the socket's buffer at two sweeps in a row (a second apart: a reader that keeps up
        may hold a big state and most of the next for a moment), or one send pending for more
        than ``max_stuck_s`` (the keepalive's patience). Returns how many were cut. Only the
        rooms of share ``part`` of ``parts``: a pass over every connection at once stalled the
        loop (2.5 ms with 2,100 connections, every second: issue 15's p99), so the caller
        spreads it.

        The members of the room's ready set (fanout.py) are passed over: they have nothing
        waiting and no send pending, and a patch is written on their socket only while it holds
        at most ``MAX_BUFFERED`` (64 KiB), else they leave the set. Most connections of a busy
        room are in it: the sweep took ~10 µs of CPU a vote in scenario a of bench/load.py
        looking at every one (0.4 ms each tenth of a second)."""
        now = time.monotonic()
        cut = 0
        for code, room in self._rooms.items():
            if parts > 1 and hash(code) % parts != part:
                continue
            ready = room.fan.ready
            for conn in list(room.connections):
                if conn in ready:
                    continue
                stuck = conn.outbox.sending_since
                over = conn.buffered is not None and conn.buffered() > max_bytes
                too_big, conn.behind = over and conn.behind, over
                if too_big or (stuck is not None and now - stuck > max_stuck_s):
                    conn.outbox.close(CLOSE_SLOW)
                    if conn.abort is not None:
                        conn.abort()
                    cut += 1
        return cut
