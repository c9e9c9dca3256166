"""Seats: who may sit where. Joins, tokens, and a cache of who each token belongs to."""

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from server.core import commands as c
from server.core.state import Phase, Player
from server.errors import Forbidden, GameError, NotFound
from server.i18n import translate
from server.rooms.fanout import Fanout
from server.rooms.live import Commit, Connection, Joined, LiveRoom
from server.rooms.presence import Presence
from server.storage.repository import Repository, TokenOwner, hash_token

__all__ = ["MIN_CLIENT_TOKEN", "Seats", "TokenOwner", "new_player_id", "new_token"]

MIN_CLIENT_TOKEN = 22  # a token chosen by a client must carry ≥128 bits in base64url
MAX_CACHED_OWNERS = 200_000
Db = Callable[..., Awaitable[Any]]
ConnFactory = Callable[[str], Connection]


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def new_player_id() -> str:
    return "p" + secrets.token_hex(6)


class Seats:
    """Seats people in rooms. Seats' tokens only die with their room (or a removal): who they
    belong to is remembered by hash, so a reconnect storm does not queue on the database.
    Share tokens can be revoked: never cached."""

    def __init__(self, repo: Repository, db: Db, commit: Commit, presence: Presence) -> None:
        self.repo = repo
        self.db = db
        self.commit = commit
        self.presence = presence
        self._owners: dict[str, TokenOwner] = {}

    async def join(
        self,
        room: LiveRoom,
        *,
        name: str | None,
        token: str | None,
        conn_factory: ConnFactory,
        viewer: bool = False,
    ) -> tuple[Joined, Connection]:
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
            if token and owner is not None:
                conn = self._come_back(room, owner, conn_factory, viewer)
                if conn is not None:
                    arriving = conn
                else:  # a viewer, or a second socket of someone here: nothing changes
                    conn = conn_factory(owner.player_id)
                    conn.viewer = viewer
                    room.connections.add(conn)
                    return Joined(room, self._player(room, conn), token), conn
            elif token and name is not None and not viewer:
                self._refuse_if_finished(room)
                if len(token) < MIN_CLIENT_TOKEN:
                    raise Forbidden("token_too_short", limit=MIN_CLIENT_TOKEN)
                return await self._seat_newcomer(room, name, token, conn_factory)
            elif token:
                raise Forbidden("bad_token")
            elif name is None or viewer:
                raise GameError("join_needs_name")
            else:
                return await self._seat_newcomer(room, name, new_token(), conn_factory)
        # someone coming back: seated, outside the lock, with whoever comes back meanwhile
        assert token is not None
        await self.presence.arrive(room, arriving)
        return Joined(room, self._player(room, arriving), token), arriving

    @staticmethod
    def _player(room: LiveRoom, conn: Connection) -> Player:
        player = room.state.player(conn.player_id)
        if player is None:  # pragma: no cover - removals wait for the room lock
            raise Forbidden("removed")
        return player

    @staticmethod
    def _refuse_if_finished(room: LiveRoom) -> None:
        if room.state.phase is Phase.SYNTHESIS:  # a finished room is not joinable by its code
            raise NotFound("room_not_found", code=room.code)

    def _come_back(
        self, room: LiveRoom, owner: TokenOwner, conn_factory: ConnFactory, viewer: bool
    ) -> Connection | None:
        """Under the room lock: a socket of someone coming back that must be seated by
        presence (their first socket here), or None when a plain connection will do."""
        if owner.room_code != room.code or owner.kind in ("share", "pass"):
            raise Forbidden("bad_token")
        player = room.state.player(owner.player_id)
        if player is None:  # pragma: no cover - tokens are stored with their seat
            raise Forbidden("bad_token")
        if viewer or player.id in room.players_here():
            return None
        return conn_factory(player.id)

    async def _seat_newcomer(
        self, room: LiveRoom, name: str, secret: str, conn_factory: ConnFactory
    ) -> tuple[Joined, Connection]:
        self._refuse_if_finished(room)
        # nobody takes the facilitator's default name, in either language
        folded = " ".join(name.split()).casefold()
        if any(folded == translate(lang, "role.facilitator_default").casefold() for lang in ("fr", "en")):
            raise GameError("name_taken", name=name.strip()[:40])
        player_id = new_player_id()
        await self.presence.announce(room.code, player_id)
        await self.commit(room, None, c.Join(player_id, name), None, new_token=(secret, player_id))
        self._remember(hash_token(secret), TokenOwner(room.code, player_id, "player"))
        # the welcome shows its person, also in a big room whose broadcast is still to come
        # (the fan-out would otherwise hand it the view of an earlier version)
        Fanout.view_fields(room)
        conn = conn_factory(player_id)
        room.connections.add(conn)
        player = room.state.player(player_id)
        assert player is not None
        return Joined(room, player, secret), conn

    async def owner_of(self, token: str) -> TokenOwner | None:
        key = hash_token(token)
        owner = self._owners.get(key)
        if owner is None:
            owner = await self.db(self.repo.token_owner, token)
            if owner is not None and owner.kind not in ("share", "pass"):  # those can end
                self._remember(key, owner)
        return owner

    def _remember(self, key: str, owner: TokenOwner) -> None:
        if len(self._owners) > MAX_CACHED_OWNERS:
            self._owners.clear()
        self._owners[key] = owner

    def forget(self, code: str, player_id: str | None = None) -> None:
        """Tokens of a room (or of one of its players) that stopped working."""
        for key in [
            k
            for k, o in self._owners.items()
            if o.room_code == code and (player_id is None or o.player_id == player_id)
        ]:
            del self._owners[key]
