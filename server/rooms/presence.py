"""Who is connected: set on arrival and departure, reconciled across processes by the bus.

People coming back (a ``join`` with a token) are seated in groups: the first arrival in a room
starts a seating, which waits for the room's lock; everyone who arrives until it gets the lock
is seated with it, the players among them who were not connected marked connected by ONE
state change (one store, one broadcast). During a reconnect storm a room of 100 thus makes a
handful of changes instead of 100, each arrival still welcomed as soon as its group is stored,
with a state that shows it connected. Departures are recorded in groups the same way.
"""

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from server.core import commands as c
from server.errors import Forbidden
from server.rooms.bus import Bus
from server.rooms.fanout import Fanout
from server.rooms.live import Commit, Connection, LiveRoom, Together
from server.rooms.registry import Registry

log = logging.getLogger(__name__)


class Presence:
    """Keeps each player's ``connected`` flag true to the sockets held by running processes."""

    def __init__(self, bus: Bus, commit: Commit, registry: Registry) -> None:
        self.bus = bus
        self.commit = commit
        self.registry = registry
        self._tasks: set[asyncio.Task[None]] = set()  # seatings and late leaves under way

    async def arrive(self, room: LiveRoom, conn: Connection) -> None:
        """NOT under the room lock: seat ``conn`` (a player's socket coming back) with the
        group it joins. On return it is one of ``room.connections`` and its player connected;
        raises what kept the group out (the database away, the player removed meanwhile)."""
        await self.announce(room.code, conn.player_id)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        room.arrivals.append((conn, future))
        if len(room.arrivals) == 1:  # the first of a new group
            self._spawn(self._seat_arrivals(room))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._spawn(self.leave(room, conn))  # seated, but nobody will welcome it
            raise

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _seat_arrivals(self, room: LiveRoom) -> None:
        async with room.lock:
            group, room.arrivals = room.arrivals, []
            group = [(conn, future) for conn, future in group if not future.done()]
            here = room.players_here()
            seated: list[tuple[Connection, asyncio.Future[None]]] = []
            coming: dict[str, None] = {}  # players to mark connected, in order of arrival
            for conn, future in group:
                player = room.state.player(conn.player_id)
                if player is None:  # removed while it waited
                    future.set_exception(Forbidden("removed"))
                    continue
                seated.append((conn, future))
                if not player.connected and player.id not in here:
                    coming[player.id] = None
            try:
                if len(coming) == 1:
                    await self.commit(room, next(iter(coming)), c.Connect(), None)
                elif coming:
                    await self.commit(room, None, Together(tuple((p, c.Connect()) for p in coming)), None)
            except Exception as exc:
                for _, future in seated:
                    if not future.done():
                        future.set_exception(exc)
                return
            if coming:
                # the welcomes of this group (built right after) all show it connected, also
                # in a big room whose broadcast is still to come
                Fanout.view_fields(room)
            for conn, future in seated:
                if future.done():  # cancelled meanwhile: never seated
                    continue
                room.connections.add(conn)
                future.set_result(None)

    async def announce(self, code: str, player_id: str) -> None:
        try:
            await self.bus.present(code, player_id)
        except Exception:  # Redis away: reconcile announces local players again
            log.warning("could not announce a presence in room %s", code)

    async def leave(self, room: LiveRoom, conn: Connection) -> None:
        """A socket gone: returns once its group of departures is recorded (see ``_see_off``)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        room.departures.append((conn, future))
        if len(room.departures) == 1:  # the first of a new group
            self._spawn(self._see_off(room))
        await asyncio.shield(future)  # the group is recorded even if this caller is cancelled

    async def _see_off(self, room: LiveRoom) -> None:
        """Sockets that went together (a classroom's Wi-Fi dropping) leave together: the
        players among them with no socket left are marked disconnected by ONE change."""
        async with room.lock:
            group, room.departures = room.departures, []
            try:
                for conn, _ in group:
                    room.connections.discard(conn)
                if not room.connections:
                    room.idle_since = time.monotonic()
                here = room.players_here()
                gone = list(
                    dict.fromkeys(x.player_id for x, _ in group if not x.viewer and x.player_id not in here)
                )
                if self.bus.shared:
                    gone = [p for p in gone if not await self._still_elsewhere(room.code, p)]
                leaving = [
                    p for p in gone if (player := room.state.player(p)) is not None and player.connected
                ]
                if len(leaving) == 1:
                    await self.commit(room, leaving[0], c.Disconnect(), None)
                elif leaving:
                    await self.commit(room, None, Together(tuple((p, c.Disconnect()) for p in leaving)), None)
            except Exception:  # presence is not worth crashing a closing socket
                log.exception("could not record a disconnection in room %s", room.code)
            finally:
                for _, future in group:
                    if not future.done():
                        future.set_result(None)

    async def _still_elsewhere(self, code: str, player_id: str) -> bool:
        """This process has no socket of the player left: does a running process have one?"""
        try:
            await self.bus.absent(code, player_id)
            live = await self.bus.live_players(code)
        except Exception:
            log.warning("could not read presences of room %s", code)
            return False
        return live is not None and player_id in live

    async def reconcile(self) -> int:
        """Several processes: make each loaded room's "connected" flags match the sockets
        held by running processes (a killed process's people are released, someone whose
        disconnection raced a reconnection elsewhere comes back). Returns the fixes made."""
        if not self.bus.shared:
            return 0
        fixed = 0
        for room in self.registry:
            try:
                await self.bus.hold_only(room.code, room.players_here())
                live = await self.bus.live_players(room.code) or set()
            except Exception:
                log.warning("could not read presences of room %s", room.code)
                continue
            if self._wrong(room, live):
                fixed += await self._correct(room)
        return fixed

    async def _correct(self, room: LiveRoom) -> int:
        fixed = 0
        async with room.lock:
            try:  # joins and leaves may have happened meanwhile: look again
                live = await self.bus.live_players(room.code) or set()
            except Exception:
                return 0
            for player in room.state.players:
                here = player.id in live or player.id in room.players_here()
                if player.connected == here:
                    continue
                try:
                    await self.commit(room, player.id, c.Connect() if here else c.Disconnect(), None)
                    fixed += 1
                except Exception:  # the next round tries again
                    log.warning("could not correct a presence in room %s", room.code)
        return fixed

    @staticmethod
    def _wrong(room: LiveRoom, live: set[str]) -> bool:
        here = live | room.players_here()
        return any(p.connected != (p.id in here) for p in room.state.players)
