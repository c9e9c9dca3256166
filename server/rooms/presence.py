"""Who is connected: set on arrival and departure, reconciled across processes by the bus."""

import logging
import time

from server.core import commands as c
from server.rooms.bus import Bus
from server.rooms.live import Commit, Connection, LiveRoom
from server.rooms.registry import Registry

log = logging.getLogger(__name__)


class Presence:
    """Keeps each player's ``connected`` flag true to the sockets held by running processes."""

    def __init__(self, bus: Bus, commit: Commit, registry: Registry) -> None:
        self.bus = bus
        self.commit = commit
        self.registry = registry

    async def arrive(self, room: LiveRoom, player_id: str) -> None:
        """Under the room lock: the player's first socket here (a viewer is no arrival)."""
        await self.announce(room.code, player_id)
        player = room.state.player(player_id)
        if player is not None and not player.connected:
            await self.commit(room, player_id, c.Connect(), None)

    async def announce(self, code: str, player_id: str) -> None:
        try:
            await self.bus.present(code, player_id)
        except Exception:  # Redis away: reconcile announces local players again
            log.warning("could not announce a presence in room %s", code)

    async def leave(self, room: LiveRoom, conn: Connection) -> None:
        async with room.lock:
            room.connections.discard(conn)
            if not room.connections:
                room.idle_since = time.monotonic()
            if conn.viewer or conn.player_id in room.players_here():
                return
            if self.bus.shared and await self._still_elsewhere(room.code, conn.player_id):
                return
            player = room.state.player(conn.player_id)
            if player is not None and player.connected:
                try:
                    await self.commit(room, conn.player_id, c.Disconnect(), None)
                except Exception:  # presence is not worth crashing a closing socket
                    log.exception("could not record a disconnection in room %s", room.code)

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
