"""The room service: applies a command to a room, stores the new state, then publishes it.

For every action: take the room's lock, apply the pure rules, store the new state (with the
message id, so a repeat is recognised), then fan the state out and acknowledge. Nothing is
acknowledged or broadcast before it is in the database. The service never touches a socket:
connections hand it an ``Outbox``. Its parts: ``registry`` (live rooms), ``seats`` (joins and
tokens), ``presence`` (who is connected), ``sealed`` (an anonymous session's open card),
``lifecycle`` (creation and erasure); the bus (``bus``) carries states between processes.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from server.core import commands as c
from server.core.deck import Deck
from server.core.followup import Earlier
from server.core.state import Phase, RoomSettings, RoomState
from server.errors import GameError, NotFound, Unavailable
from server.i18n import translate
from server.rooms import crossprocess, lifecycle
from server.rooms.applied import set_applied, was_applied
from server.rooms.bus import Bus, MemoryBus
from server.rooms.fanout import Fanout
from server.rooms.lifecycle import CODE_ALPHABET, CODE_LENGTH
from server.rooms.live import CLOSE_REMOVED, Connection, Joined, LiveRoom, Together, apply_any
from server.rooms.presence import Presence
from server.rooms.registry import Registry
from server.rooms.sealed import MemoryKeyStore, SealedAnswers
from server.rooms.sealing import KeyStore
from server.rooms.seats import ConnFactory, Seats, new_token
from server.storage.repository import AlreadyApplied, Repository, VersionConflict
from server.storage.writer import BatchWriter
from server.summary.render import prerender_later

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "Connection", "Joined", "LiveRoom", "RoomService", "new_token"]

log = logging.getLogger(__name__)
T = TypeVar("T")

COMMIT_TRIES = 5  # another process moved the room on: reload and apply again, this often


Hold = Callable[[], None] | None  # see ``RoomService.act``


class RoomService:
    def __init__(
        self,
        repo: Repository,
        *,
        big_room_threshold: int = 50,
        coalesce_ms: int = 100,
        db_threads: int = 1,
        clock: Callable[[], float] = time.time,
        bus: Bus | None = None,
        keys: KeyStore | None = None,
        prerender_pdf: bool = True,
    ) -> None:
        self.repo = repo
        self.bus: Bus = bus or MemoryBus()
        self.clock = clock
        self.big_room_threshold = big_room_threshold
        self.coalesce_s = coalesce_ms / 1000
        self.prerender_pdf = prerender_pdf
        self.fan = Fanout(clock, big_room_threshold=big_room_threshold, coalesce_s=self.coalesce_s)
        # reads (and rare writes) on a small pool; room states through one batching writer
        self._db = ThreadPoolExecutor(max_workers=db_threads, thread_name_prefix="db")
        self.writer = BatchWriter(repo)
        self.sealed = SealedAnswers(keys or MemoryKeyStore(), shared=self.bus.shared)
        self.registry = Registry(self._load)
        self.presence = Presence(self.bus, self.commit, self.registry)
        self.seats = Seats(repo, self.db, self.commit, self.presence)

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, lambda: fn(*args, **kwargs))

    async def close(self) -> None:
        await self.writer.close()
        self._db.shutdown(wait=True)

    # --- rooms ---------------------------------------------------------------------------

    async def create(
        self,
        deck: Deck,
        settings: RoomSettings,
        *,
        follows: Earlier | None = None,
        earlier_code: str | None = None,
    ) -> tuple[str, str]:
        """A new room on a copy of ``deck``: (code, facilitator token); see ``lifecycle``."""
        return await lifecycle.create(self, deck, settings, follows=follows, earlier_code=earlier_code)

    async def get(self, code: str) -> LiveRoom:
        return await self.registry.get(code)

    async def _load(self, code: str) -> LiveRoom:
        stored = await self.db(self.repo.load_room, code)
        if stored is None:
            raise NotFound("room_not_found", code=code)
        state = RoomState.model_validate_json(stored.state)
        if not self.bus.shared:  # after a restart nobody is connected to this process yet
            players = tuple(p.model_copy(update={"connected": False}) for p in state.players)
            state = state.model_copy(update={"players": players})
        # with several processes, others may hold its people: the presence check reconciles
        room = LiveRoom(
            code, self.registry.deck(stored.deck), state.model_copy(update={"version": stored.version})
        )
        room.stored_version = stored.version
        await self.sealed.open(room, stored.answers)
        set_applied(room, await self.db(self.repo.applied_messages, code))
        return room

    async def delete(self, code: str) -> None:
        await lifecycle.delete(self, code)

    async def expire(self, *, retention_days: float, lobby_days: float = 2) -> list[str]:
        return await lifecycle.expire(self, retention_days=retention_days, lobby_days=lobby_days)

    def sweep_slow(self, max_bytes: int, max_stuck_s: float, part: int = 0, parts: int = 1) -> int:
        return self.registry.sweep_slow(max_bytes, max_stuck_s, part, parts)

    def unload_idle(self, after_s: float = 600) -> int:
        return self.registry.unload_idle(after_s)

    # --- people --------------------------------------------------------------------------

    async def join(
        self,
        room: LiveRoom,
        *,
        name: str | None,
        token: str | None,
        conn_factory: ConnFactory,
        viewer: bool = False,
    ) -> tuple[Joined, Connection]:
        """A newcomer (``name``), or someone coming back (``token``): see ``Seats.join``."""
        return await self.seats.join(room, name=name, token=token, conn_factory=conn_factory, viewer=viewer)

    async def leave(self, room: LiveRoom, conn: Connection) -> None:
        await self.presence.leave(room, conn)

    async def reconcile_presence(self) -> int:
        return await self.presence.reconcile()

    # --- acting --------------------------------------------------------------------------

    async def act(
        self, room: LiveRoom, player_id: str, cmd: c.Command, message_id: str | None, *, hold: Hold = None
    ) -> bool:
        """Apply, store, broadcast. False when ``message_id`` was already applied. ``hold``
        is called once the room is ours, before anything of this command goes out: held
        while waiting for the lock, a connection got every change meanwhile as a full
        state, and a room's queue of votes cost more as it grew."""
        async with room.lock:
            if hold is not None:
                hold()
            if message_id is not None and was_applied(room, player_id, message_id):
                return False
            done = await self.commit(room, player_id, cmd, message_id)
            if isinstance(cmd, c.Remove):
                await self._evict(room, cmd.player_id)
            return done

    async def _evict(self, room: LiveRoom, player_id: str) -> None:
        """A removed participant: their tokens stop working, their sockets are closed."""
        try:
            await self.db(self.repo.revoke_player_tokens, room.code, player_id)
        except SQLAlchemyError:
            raise Unavailable() from None
        self.seats.forget(room.code, player_id)
        self._close_removed(room, player_id)
        if self.bus.shared:
            try:
                await self.bus.publish(room.code, {"removed": player_id})
            except Exception:
                log.warning("could not tell other processes of a removal in room %s", room.code)

    def _close_removed(self, room: LiveRoom, player_id: str) -> None:
        for conn in [x for x in room.connections if x.player_id == player_id]:
            room.connections.discard(conn)
            conn.outbox.push(
                json.dumps(
                    {"type": "error", "code": "removed", "message": translate(conn.lang, "error.removed")},
                    ensure_ascii=False,
                )
            )
            conn.outbox.close(CLOSE_REMOVED)

    async def commit(
        self,
        room: LiveRoom,
        actor_id: str | None,
        cmd: c.Command | Together,
        message_id: str | None,
        new_token: tuple[str, str] | None = None,
    ) -> bool:
        """Under the room lock: the rules, then the database, then memory and fan-out.

        Another process may have moved the room on (multi-process mode): the version check in
        the database refuses our write, we reload the room and apply the command again.
        """
        for _ in range(COMMIT_TRIES):
            previous = room.state
            state = apply_any(room.deck, previous, actor_id, cmd, self.clock())
            closes = previous.current is not None and (
                state.current is None
                or state.current.drawn_at != previous.current.drawn_at
                or state.current.card_id != previous.current.card_id
            )
            write, on_stored = await self.sealed.write_for(
                room, state, actor_id, cmd, message_id, closes, new_token
            )
            try:
                await self.writer.save(write)
            except VersionConflict:
                await self._reload(room)
                if message_id and actor_id and was_applied(room, actor_id, message_id):
                    return False
                continue
            except AlreadyApplied:
                await self._reload(room)
                return False
            except SQLAlchemyError as exc:
                log.warning("database unavailable for room %s: %s", room.code, type(exc).__name__)
                raise Unavailable() from None
            on_stored()
            await self._stored(room, state, closes, actor_id, message_id)
            return True
        raise GameError("retry")

    async def _stored(
        self, room: LiveRoom, state: RoomState, closes: bool, actor_id: str | None, message_id: str | None
    ) -> None:
        """The new state is in the database: take it in memory, then tell everyone."""
        if message_id and actor_id:
            room.applied.add((actor_id, message_id))
        if closes:
            room.applied_hashed = set()
            if state.settings.anonymous:  # the card's sealed answers become unreadable
                await self.sealed.drop(room)
                await self.scrub()  # before anyone hears the card is closed
        # a newer state from another process may have arrived while we were writing
        if state.version > room.state.version:
            room.state = state
            self._broadcast(room)
        if self.bus.shared:  # one process: nobody to tell (no coroutine a vote for nothing)
            await crossprocess.publish(self, room, state, (actor_id, message_id) if message_id else None)

    async def on_bus_event(self, event: dict[str, Any]) -> None:
        """A state stored by another process: adopt it if it is newer, and fan it out here."""
        await crossprocess.on_bus_event(self, event)

    async def resync(self, room: LiveRoom) -> None:
        """With several processes, take the database's state before resending it."""
        if self.bus.shared:
            async with room.lock:
                await self._reload(room)

    async def scrub(self, *, vacuum: bool = False) -> None:
        try:
            await self.writer.run(lambda: self.repo.scrub(vacuum=vacuum))
        except SQLAlchemyError:  # best effort: the next closed card tries again
            log.warning("could not scrub the database")

    async def _reload(self, room: LiveRoom) -> None:
        """Take the stored state as the truth (another process wrote after us)."""
        try:
            stored = await self.db(self.repo.load_room, room.code)
            applied = await self.db(self.repo.applied_messages, room.code)
        except SQLAlchemyError:
            raise Unavailable() from None
        if stored is None:
            raise NotFound("room_not_found", code=room.code)
        room.state = RoomState.model_validate_json(stored.state).model_copy(
            update={"version": stored.version}
        )
        room.stored_version = stored.version
        await self.sealed.open(room, stored.answers)
        set_applied(room, applied)
        self._broadcast(room)

    # --- fan-out (server/rooms/fanout.py) ---------------------------------------------

    def _broadcast(self, room: LiveRoom) -> None:
        self.fan.broadcast(room)
        if room.state.phase is Phase.SYNTHESIS and self.prerender_pdf:
            # its first download is instant; the layout takes the room's state of that moment,
            # the synthesis's first change at once (people download it now), later ones after a pause
            prerender_later(room.code, lambda: (room.deck, room.state), at_once=not room.laid_out_ahead)
            room.laid_out_ahead = True
