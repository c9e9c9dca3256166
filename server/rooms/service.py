"""The room service: where a command meets a room.

For every action: take the room's lock, apply the pure rules, store the new state (with the
message id, so a repeat is recognised), then fan the state out and acknowledge. Nothing is
acknowledged or broadcast before it is in the database. The service never touches a socket:
connections hand it an ``Outbox``.
"""

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from server.core import commands as c
from server.core.deck import Deck, parse_deck
from server.core.followup import Earlier
from server.core.rules import apply, new_room
from server.core.state import Phase, Player, Role, RoomSettings, RoomState
from server.errors import Forbidden, GameError, NotFound, Unavailable
from server.i18n import translate
from server.rooms.bus import Bus, LocalBus
from server.rooms.fanout import Fanout, RoomFan
from server.rooms.outbox import Outbox
from server.rooms.sealing import (
    KeyStore,
    SealError,
    card_key_id,
    message_key,
    seal,
    unseal,
)
from server.storage.repository import (
    AlreadyApplied,
    Repository,
    StateWrite,
    TokenOwner,
    VersionConflict,
    hash_token,
)
from server.storage.writer import BatchWriter
from server.summary.render import forget as forget_pdf
from server.summary.render import prerender_later

log = logging.getLogger(__name__)
T = TypeVar("T")

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6
MIN_CLIENT_TOKEN = 22  # a token chosen by a client must carry ≥128 bits in base64url
CLOSE_REMOVED = 4403  # the facilitator removed this participant
CLOSE_SLOW = 4008  # a reader that fell too far behind


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def new_player_id() -> str:
    return "p" + secrets.token_hex(6)


@dataclass(eq=False)
class Connection:
    """One socket in a room, as the service sees it."""

    outbox: Outbox
    player_id: str
    lang: str
    viewer: bool = False  # a read-only screen (presenter view): no presence, no actions
    buffered: Callable[[], int] | None = None  # bytes waiting in the socket's write buffer
    abort: Callable[[], None] | None = None  # drop the connection at once


@dataclass(eq=False)
class LiveRoom:
    code: str
    deck: Deck
    state: RoomState
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    connections: set[Connection] = field(default_factory=set)
    applied: set[tuple[str, str]] = field(default_factory=set)
    fan: RoomFan = field(default_factory=RoomFan)  # what the fan-out remembers (fanout.py)
    idle_since: float | None = None  # monotonic time the last connection left
    # anonymous session, open card: its key (see server/rooms/sealing.py) and the message ids
    # stored for it, keyed with it
    card_key: bytes | None = None
    card_key_id: str | None = None
    applied_hashed: set[str] = field(default_factory=set)

    @property
    def language(self) -> str:
        return self.state.settings.language or self.deck.language


@dataclass(frozen=True)
class Joined:
    room: LiveRoom
    player: Player
    token: str


class RoomService:
    def __init__(
        self, repo: Repository, *, big_room_threshold: int = 50, coalesce_ms: int = 100,
        db_threads: int = 1, clock: Callable[[], float] = time.time, bus: Bus | None = None,
        keys: KeyStore | None = None, prerender_pdf: bool = True,
    ) -> None:
        self.repo = repo
        self.keys: KeyStore = keys or MemoryKeyStore()
        self.bus: Bus = bus or LocalBus()
        self.shared_presence = not isinstance(self.bus, LocalBus)
        self.clock = clock
        self.big_room_threshold = big_room_threshold
        self.coalesce_s = coalesce_ms / 1000
        self.prerender_pdf = prerender_pdf
        self.fan = Fanout(clock, big_room_threshold=big_room_threshold,
                          coalesce_s=self.coalesce_s)
        # reads (and rare writes) on a small pool; room states through one batching writer
        self._db = ThreadPoolExecutor(max_workers=db_threads, thread_name_prefix="db")
        self.writer = BatchWriter(repo)
        self._rooms: dict[str, LiveRoom] = {}
        # seats' tokens only die with their room: remember who they belong to (by hash), so a
        # reconnect storm does not queue on the database. Share tokens can be revoked: never
        # cached.
        self._owners: dict[str, TokenOwner] = {}
        self._loading: dict[str, asyncio.Lock] = {}

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, lambda: fn(*args, **kwargs))

    async def close(self) -> None:
        await self.writer.close()
        self._db.shutdown(wait=True)

    # --- rooms ---------------------------------------------------------------------------

    async def create(self, deck: Deck, settings: RoomSettings, *, follows: Earlier | None = None,
                     earlier_code: str | None = None) -> tuple[str, str]:
        """A new room on a copy of ``deck``: (code, facilitator token). A follow-up (issue 16)
        starts with the snapshot of the earlier session, linked to it when ``earlier_code``."""
        now = self.clock()
        state = new_room(deck, settings, seed=secrets.randbits(32), now=now)
        if follows is not None:
            state = state.model_copy(update={"follows": follows})
        facilitator_id = new_player_id()
        lang = settings.language or deck.language
        name = settings.facilitator_name.strip() or translate(lang, "role.facilitator_default")
        state = apply(deck, state, None, c.Join(facilitator_id, name, Role.FACILITATOR, False), now)
        state = state.model_copy(update={"version": 0})
        token = new_token()
        deck_json = json.dumps(deck.to_file(), ensure_ascii=False)
        for _ in range(20):
            code = new_code()
            created = await self.db(
                self.repo.create_room, code=code, deck=deck_json,
                state=state.model_dump_json(), phase=state.phase.value,
                facilitator_token=token, facilitator_id=facilitator_id,
                earlier_code=earlier_code,
            )
            if created:
                return code, token
        raise RuntimeError("could not draw a free room code")  # pragma: no cover

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

    async def _load(self, code: str) -> LiveRoom:
        stored = await self.db(self.repo.load_room, code)
        if stored is None:
            raise NotFound("room_not_found", code=code)
        state = RoomState.model_validate_json(stored.state)
        if self.shared_presence:  # others may hold its people: reconcile_presence
            state = state.model_copy(update={"version": stored.version})
        else:  # after a restart nobody is connected to this process yet
            players = tuple(p.model_copy(update={"connected": False})
                            for p in state.players)
            state = state.model_copy(update={"players": players,
                                             "version": stored.version})
        room = LiveRoom(code, parse_deck(json.loads(stored.deck)), state)
        await self._open_sealed(room)
        self._set_applied(room, await self.db(self.repo.applied_messages, code))
        return room

    # --- sealed answers of anonymous sessions (server/rooms/sealing.py) -------------------

    async def _open_sealed(self, room: LiveRoom) -> None:
        """A state read from the database: put the open card's answers back in clear."""
        state = room.state
        current = state.current
        room.card_key = room.card_key_id = None
        if current is None or not state.settings.anonymous:
            if state.settings.anonymous:  # a key left by a card closed during a crash
                with contextlib.suppress(Exception):
                    await self.keys.drop(room.code)
            return
        kid = card_key_id(current.card_id, current.drawn_at)
        try:
            key = await self.keys.get(room.code, kid)
        except Exception:
            log.warning("could not read the card key of room %s", room.code)
            raise Unavailable() from None
        answers: dict[str, dict[str, str]] = {}
        counts: dict[str, int] = {}
        if current.sealed:
            try:
                if key is None:
                    raise SealError("no key")
                opened = json.loads(unseal(key, current.sealed))
                answers, counts = opened["answers"], opened["note_counts"]
            except (SealError, ValueError, KeyError, TypeError):
                log.warning("the answers to the open card of room %s could not be read back",
                            room.code)
        if key is not None:
            room.card_key, room.card_key_id = key, kid
        elif not current.sealed:  # a key left by a card closed during a crash: destroy it
            with contextlib.suppress(Exception):
                await self.keys.drop(room.code)
        room.state = state.model_copy(update={"current": current.model_copy(
            update={"answers": answers, "note_counts": counts, "sealed": ""})})

    def _set_applied(self, room: LiveRoom, rows: set[tuple[str, str]]) -> None:
        room.applied = {r for r in rows if r[0]}
        room.applied_hashed = {m for p, m in rows if not p}

    def _was_applied(self, room: LiveRoom, player_id: str, message_id: str) -> bool:
        if (player_id, message_id) in room.applied:
            return True
        return room.card_key is not None and bool(room.applied_hashed) and \
            message_key(room.card_key, player_id, message_id) in room.applied_hashed

    async def _stored_form(self, room: LiveRoom, state: RoomState, actor_id: str | None,
                           message_id: str | None) -> tuple[str, tuple[str, str] | None]:
        """The state as it goes to the database, and the applied-message row with it."""
        message = (actor_id, message_id) if message_id and actor_id else None
        current = state.current
        if current is None or not state.settings.anonymous:
            return state.model_dump_json(), message
        kid = card_key_id(current.card_id, current.drawn_at)
        if room.card_key is None or room.card_key_id != kid:
            try:
                room.card_key = await self.keys.create(room.code, kid)
            except Exception:
                log.warning("could not store a card key for room %s", room.code)
                raise Unavailable() from None
            room.card_key_id = kid
            room.applied_hashed = set()
        key = room.card_key
        stored = state
        if current.answers or current.note_counts:
            private = {"answers": current.answers, "note_counts": current.note_counts}
            blob = seal(key, json.dumps(private, separators=(",", ":")).encode())
            stored = state.model_copy(update={"current": current.model_copy(
                update={"answers": {}, "note_counts": {}, "sealed": blob})})
        if message is not None:
            message = ("", message_key(key, *message))
        return stored.model_dump_json(), message

    async def _drop_card_key(self, room: LiveRoom) -> None:
        room.card_key = room.card_key_id = None
        room.applied_hashed = set()
        try:
            await self.keys.drop(room.code)
        except Exception:  # the key expires on its own (Redis) or is dropped with the room
            log.warning("could not drop the card key of room %s", room.code)

    def loaded(self, code: str) -> LiveRoom | None:
        return self._rooms.get(code.upper())

    async def delete(self, code: str) -> None:
        await self._unlink_followers(code.upper())
        self._forget_room(code.upper())
        room = self._rooms.pop(code.upper(), None)
        await self.db(self.repo.delete_room, code.upper())
        forget_pdf(code.upper())
        try:
            await self.keys.drop(code.upper())
        except Exception:
            log.warning("could not drop the card key of room %s", code.upper())
        await self._scrub(vacuum=True)  # names and notes leave the database files too
        if room is not None:
            for conn in list(room.connections):
                conn.outbox.close()
        if not isinstance(self.bus, LocalBus):
            await self.bus.publish(code.upper(), {"deleted": True})

    async def _unlink_followers(self, code: str) -> None:
        """Erasing a session erases what its follow-ups keep of it (issue 16): their snapshot
        goes (a stored, broadcast change of their state), then the links."""
        for later in await self.db(self.repo.followers, code):
            try:
                room = await self.get(later)
            except NotFound:
                continue
            async with room.lock:
                if room.state.follows is not None:
                    await self._commit(room, None, c.Unlink(), None)
        await self.db(self.repo.unlink, code)

    # --- joining -------------------------------------------------------------------------

    async def join(self, room: LiveRoom, *, name: str | None, token: str | None,
                   conn_factory: Callable[[str], Connection],
                   viewer: bool = False) -> tuple[Joined, Connection]:
        """A newcomer (``name``), or someone coming back (``token``).

        A client may also choose the token of its new seat (``name`` and an unknown ``token``
        of at least 22 characters): a retried join then brings it back to the same seat
        instead of making a second one.
        """
        async with room.lock:
            owner = await self.owner_of(token) if token else None
            if token and owner is None:  # a revoked token says why instead of seating anew
                revoked = await self.db(self.repo.revoked_kind, token)
                if revoked is not None:
                    raise Forbidden("token_revoked" if revoked == "share" else "removed")
            finished = room.state.phase is Phase.SYNTHESIS
            if token and owner is None and name is not None and not viewer:
                if finished:  # a finished room is not joinable by its code
                    raise NotFound("room_not_found", code=room.code)
                if len(token) < MIN_CLIENT_TOKEN:
                    raise Forbidden("token_too_short", limit=MIN_CLIENT_TOKEN)
                return await self._seat_newcomer(room, name, token, conn_factory)
            if token:
                if owner is None or owner.room_code != room.code or owner.kind in ("share", "pass"):
                    raise Forbidden("bad_token")
                player = room.state.player(owner.player_id)
                if player is None:  # pragma: no cover - tokens are stored with their seat
                    raise Forbidden("bad_token")
                conn = conn_factory(player.id)
                conn.viewer = viewer
                first = not any(x.player_id == player.id and not x.viewer
                                for x in room.connections)
                if not viewer and first:
                    await self._announce(room.code, player.id)
                    if not player.connected:
                        await self._commit(room, player.id, c.Connect(), None)
                room.connections.add(conn)
                player = room.state.player(player.id) or player
                return Joined(room, player, token), conn
            if name is None or viewer:
                raise GameError("join_needs_name")
            if finished:
                raise NotFound("room_not_found", code=room.code)
            return await self._seat_newcomer(room, name, new_token(), conn_factory)

    async def owner_of(self, token: str) -> TokenOwner | None:
        key = hash_token(token)
        owner = self._owners.get(key)
        if owner is None:
            owner = await self.db(self.repo.token_owner, token)
            if owner is not None and owner.kind not in ("share", "pass"):  # those can end
                self._remember(key, owner)
        return owner

    def _remember(self, key: str, owner: TokenOwner) -> None:
        if len(self._owners) > 200_000:
            self._owners.clear()
        self._owners[key] = owner

    def _forget_room(self, code: str) -> None:
        for key in [k for k, o in self._owners.items() if o.room_code == code]:
            del self._owners[key]

    async def _seat_newcomer(self, room: LiveRoom, name: str, secret: str,
                             conn_factory: Callable[[str], Connection]) -> tuple[Joined, Connection]:
        # nobody takes the facilitator's default name, in either language
        folded = " ".join(name.split()).casefold()
        if any(folded == translate(lang, "role.facilitator_default").casefold()
               for lang in ("fr", "en")):
            raise GameError("name_taken", name=name.strip()[:40])
        player_id = new_player_id()
        await self._announce(room.code, player_id)
        await self._commit(room, None, c.Join(player_id, name), None,
                           new_token=(secret, player_id))
        self._remember(hash_token(secret), TokenOwner(room.code, player_id, "player"))
        conn = conn_factory(player_id)
        room.connections.add(conn)
        player = room.state.player(player_id)
        assert player is not None
        return Joined(room, player, secret), conn

    async def leave(self, room: LiveRoom, conn: Connection) -> None:
        async with room.lock:
            room.connections.discard(conn)
            if not room.connections:
                room.idle_since = time.monotonic()
            still_here = any(x.player_id == conn.player_id and not x.viewer
                             for x in room.connections)
            if not conn.viewer and not still_here and self.shared_presence:
                still_here = await self._still_elsewhere(room.code, conn.player_id)
            player = room.state.player(conn.player_id)
            if not conn.viewer and not still_here and player is not None and player.connected:
                try:
                    await self._commit(room, conn.player_id, c.Disconnect(), None)
                except Exception:  # presence is not worth crashing a closing socket
                    log.exception("could not record a disconnection in room %s", room.code)

    # --- presence across processes ---------------------------------------------------------

    async def _announce(self, code: str, player_id: str) -> None:
        try:
            await self.bus.present(code, player_id)
        except Exception:  # Redis away: reconcile_presence announces local players again
            log.warning("could not announce a presence in room %s", code)

    async def _still_elsewhere(self, code: str, player_id: str) -> bool:
        """This process has no socket of the player left: does a running process have one?"""
        try:
            await self.bus.absent(code, player_id)
            live = await self.bus.live_players(code)
        except Exception:
            log.warning("could not read presences of room %s", code)
            return False
        return live is not None and player_id in live

    async def reconcile_presence(self) -> int:
        """Several processes: make each loaded room's "connected" flags match the sockets
        held by running processes (a killed process's people are released, someone whose
        disconnection raced a reconnection elsewhere comes back). Returns the fixes made."""
        if not self.shared_presence:
            return 0
        fixed = 0
        for room in list(self._rooms.values()):
            try:
                await self.bus.hold_only(room.code, self._local_players(room))
                live = await self.bus.live_players(room.code) or set()
            except Exception:
                log.warning("could not read presences of room %s", room.code)
                continue
            if not self._presence_wrong(room, live):
                continue
            async with room.lock:
                try:  # joins and leaves may have happened meanwhile: look again
                    live = await self.bus.live_players(room.code) or set()
                except Exception:
                    continue
                for player in room.state.players:
                    here = player.id in live or player.id in self._local_players(room)
                    if player.connected == here:
                        continue
                    try:
                        await self._commit(room, player.id,
                                           c.Connect() if here else c.Disconnect(), None)
                        fixed += 1
                    except Exception:  # the next round tries again
                        log.warning("could not correct a presence in room %s", room.code)
        return fixed

    @staticmethod
    def _local_players(room: LiveRoom) -> set[str]:
        return {x.player_id for x in room.connections if not x.viewer}

    def _presence_wrong(self, room: LiveRoom, live: set[str]) -> bool:
        here = live | self._local_players(room)
        return any(p.connected != (p.id in here) for p in room.state.players)

    # --- acting --------------------------------------------------------------------------

    async def act(self, room: LiveRoom, player_id: str, cmd: c.Command,
                  message_id: str | None) -> bool:
        """Apply, store, broadcast. False when ``message_id`` was already applied."""
        async with room.lock:
            if message_id is not None and self._was_applied(room, player_id, message_id):
                return False
            done = await self._commit(room, player_id, cmd, message_id)
            if isinstance(cmd, c.Remove):
                await self._evict(room, cmd.player_id)
            return done

    async def _evict(self, room: LiveRoom, player_id: str) -> None:
        """A removed participant: their tokens stop working, their sockets are closed."""
        try:
            await self.db(self.repo.revoke_player_tokens, room.code, player_id)
        except SQLAlchemyError:
            raise Unavailable() from None
        for key in [k for k, o in self._owners.items()
                    if o.room_code == room.code and o.player_id == player_id]:
            del self._owners[key]
        self._close_removed(room, player_id)
        if not isinstance(self.bus, LocalBus):
            try:
                await self.bus.publish(room.code, {"removed": player_id})
            except Exception:
                log.warning("could not tell other processes of a removal in room %s", room.code)

    def _close_removed(self, room: LiveRoom, player_id: str) -> None:
        for conn in [x for x in room.connections if x.player_id == player_id]:
            room.connections.discard(conn)
            conn.outbox.push(json.dumps({"type": "error", "code": "removed",
                                         "message": translate(conn.lang, "error.removed")},
                                        ensure_ascii=False))
            conn.outbox.close(CLOSE_REMOVED)

    async def _commit(self, room: LiveRoom, actor_id: str | None, cmd: c.Command,
                      message_id: str | None, new_token: tuple[str, str] | None = None) -> bool:
        """Under the room lock: the rules, then the database, then memory and fan-out.

        Another process may have moved the room on (multi-process mode): the version check in
        the database refuses our write, we reload the room and apply the command again.
        """
        for _ in range(5):
            previous = room.state
            state = apply(room.deck, previous, actor_id, cmd, self.clock())
            closes = previous.current is not None and (
                state.current is None or state.current.drawn_at != previous.current.drawn_at
                or state.current.card_id != previous.current.card_id)
            stored, message = await self._stored_form(room, state, actor_id, message_id)
            try:
                await self.writer.save(StateWrite(
                    code=room.code, state=stored, phase=state.phase.value,
                    version=state.version, new_token=new_token, message=message,
                    forget_messages=closes,
                ))
            except VersionConflict:
                await self._reload(room)
                if message_id and actor_id and self._was_applied(room, actor_id, message_id):
                    return False
                continue
            except AlreadyApplied:
                await self._reload(room)
                return False
            except SQLAlchemyError as exc:
                log.warning("database unavailable for room %s: %s", room.code, type(exc).__name__)
                raise Unavailable() from None
            if message_id and actor_id:
                room.applied.add((actor_id, message_id))
            if closes:
                room.applied_hashed = set()
                if state.settings.anonymous:  # the card's sealed answers become unreadable
                    await self._drop_card_key(room)
                    await self._scrub()  # before anyone hears the card is closed
            # a newer state from another process may have arrived while we were writing
            if state.version > room.state.version:
                room.state = state
                self._broadcast(room)
            await self._publish(room, state, (actor_id, message_id) if message_id else None)
            return True
        raise GameError("retry")

    async def _publish(self, room: LiveRoom, state: RoomState,
                       applied: tuple[str | None, str] | None) -> None:
        if isinstance(self.bus, LocalBus):
            return
        try:
            await self.bus.publish(room.code, {
                "version": state.version, "state": state.model_dump_json(),
                "applied": list(applied) if applied else None,
            })
        except Exception:  # the state is stored; other processes catch up on their next sync
            log.exception("could not publish room %s", room.code)

    async def on_bus_event(self, event: dict[str, Any]) -> None:
        """A state stored by another process: adopt it if it is newer, and fan it out here."""
        code = str(event.get("code", ""))
        if event.get("deleted"):
            self._forget_room(code)
        room = self._rooms.get(code)
        if room is None:
            return
        if isinstance(event.get("removed"), str):
            for key in [k for k, o in self._owners.items()
                        if o.room_code == code and o.player_id == event["removed"]]:
                del self._owners[key]
            self._close_removed(room, event["removed"])
            return
        if event.get("deleted"):
            self._rooms.pop(room.code, None)
            for conn in list(room.connections):
                conn.outbox.close()
            return
        version = int(event["version"])
        applied = event.get("applied")
        if applied and applied[0]:
            room.applied.add((applied[0], applied[1]))
        if version <= room.state.version:
            return
        room.state = RoomState.model_validate_json(event["state"]).model_copy(
            update={"version": version}
        )
        self._broadcast(room)

    async def resync(self, room: LiveRoom) -> None:
        """With several processes, take the database's state before resending it."""
        if not isinstance(self.bus, LocalBus):
            async with room.lock:
                await self._reload(room)

    async def _scrub(self, *, vacuum: bool = False) -> None:
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
        await self._open_sealed(room)
        self._set_applied(room, applied)
        self._broadcast(room)

    # --- housekeeping --------------------------------------------------------------------

    async def expire(self, *, retention_days: float, lobby_days: float = 2) -> list[str]:
        """Erase rooms past the retention period (and lobbies nobody started)."""
        now = self.clock()
        codes = await self.db(
            self.repo.expired_rooms, before=now - retention_days * 86400,
            lobby_before=now - lobby_days * 86400,
        )
        for code in codes:
            await self.delete(code)
        return codes

    def sweep_slow(self, max_bytes: int, max_stuck_s: float) -> int:
        """Cut the connections of readers that fell behind: more than ``max_bytes`` waiting
        in the socket's buffer, or one send pending for more than ``max_stuck_s`` (the
        keepalive's patience). Returns how many were cut."""
        now = time.monotonic()
        cut = 0
        for room in list(self._rooms.values()):
            for conn in list(room.connections):
                stuck = conn.outbox.sending_since
                too_big = conn.buffered is not None and conn.buffered() > max_bytes
                if too_big or (stuck is not None and now - stuck > max_stuck_s):
                    conn.outbox.close(CLOSE_SLOW)
                    if conn.abort is not None:
                        conn.abort()
                    cut += 1
        return cut

    def unload_idle(self, after_s: float = 600) -> int:
        """Forget rooms nobody has been connected to for a while (reloaded on demand)."""
        limit = time.monotonic() - after_s
        idle = [code for code, room in self._rooms.items()
                if not room.connections and not room.lock.locked()
                and room.idle_since is not None and room.idle_since < limit]
        for code in idle:
            del self._rooms[code]
        return len(idle)

    # --- fan-out (server/rooms/fanout.py) ---------------------------------------------

    def _broadcast(self, room: LiveRoom) -> None:
        self.fan.broadcast(room)
        if room.state.phase is Phase.SYNTHESIS and self.prerender_pdf:
            prerender_later(room.deck, room.state, room.code)  # its first download is instant


class MemoryKeyStore:
    """Card keys in memory only (a service built without a key store, e.g. in tests)."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, bytes]] = {}

    async def create(self, code: str, key_id: str) -> bytes:
        found = self._keys.get(code)
        if found is None or found[0] != key_id:
            found = self._keys[code] = (key_id, secrets.token_bytes(32))
        return found[1]

    async def get(self, code: str, key_id: str) -> bytes | None:
        found = self._keys.get(code)
        return found[1] if found is not None and found[0] == key_id else None

    async def drop(self, code: str) -> None:
        self._keys.pop(code, None)
