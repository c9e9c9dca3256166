"""An anonymous session's open card: its answers sealed on the way to storage, opened back."""

import contextlib
import json
import logging
import secrets
from collections.abc import Callable, Mapping

from server.core import commands as c
from server.core.state import CurrentCard, RoomState
from server.errors import Unavailable
from server.rooms.applied import known_card_key
from server.rooms.fanout import Fanout
from server.rooms.live import LiveRoom, Together
from server.rooms.rows import ROW_MESSAGES, ROW_MESSAGES_MAX, Row, read_row, row_body
from server.rooms.sealing import (
    KeyStore,
    SealError,
    card_key_id,
    forget_key,
    message_key,
    row_context,
    seal,
    unseal,
)
from server.storage.repository import StateWrite

log = logging.getLogger(__name__)
_STRING = json.encoder.encode_basestring
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def _private_json(room: LiveRoom, current: CurrentCard) -> str:
    """``{"answers": …, "note_counts": …}`` of the open card, from each person's answers as
    the fan-out serialised them (only what changed is serialised again)."""
    answers = ",".join(
        f"{_STRING(pid)}:{Fanout.answers_json(room, pid, mine)}" for pid, mine in current.answers.items()
    )
    return f'{{"answers":{{{answers}}},"note_counts":{_ENCODE(current.note_counts)}}}'


class SealedAnswers:
    """Seals and opens the open card's answers with the card's key from ``keys``."""

    def __init__(self, keys: KeyStore, *, shared: bool = False) -> None:
        self.keys = keys
        self.shared = shared  # several processes store this room (see ``_vote``)

    async def open(self, room: LiveRoom, rows: Mapping[str, str] | None = None) -> None:
        """A state read from the database, with the rows of its open card's answers written
        since (``open_answers``, newer than the state): put the card's answers back in clear,
        and the room's version forward to its last vote's (server/rooms/rows.py)."""
        rows = rows or {}
        state = room.state
        current = state.current
        room.card_key = room.card_key_id = room.card_key_of = None
        room.row_messages = {}
        if current is None or not state.settings.anonymous:
            if state.settings.anonymous:  # a key left by a card closed during a crash
                await self._drop_quietly(room.code)
            if current is not None and rows:
                read = {pid: read_row(json.loads(body)) for pid, body in rows.items()}
                self._take_rows(room, state, read, current.answers, {})
            return
        kid = card_key_id(current.card_id, current.drawn_at)
        try:
            key = await self.keys.get(room.code, kid)
        except Exception:
            log.warning("could not read the card key of room %s", room.code)
            raise Unavailable() from None
        answers, counts = self._unseal(room.code, key, current.sealed)
        opened = {pid: self._unseal_row(room.code, pid, key, body) for pid, body in rows.items()}
        if key is not None:
            room.card_key, room.card_key_id = key, kid
        elif not current.sealed and not rows:  # a key left by a card closed during a crash
            await self._drop_quietly(room.code)
        read = {pid: row for pid, row in opened.items() if row is not None}
        self._take_rows(room, state, read, answers, {"note_counts": counts, "sealed": ""})

    @staticmethod
    def _take_rows(
        room: LiveRoom,
        state: RoomState,
        read: Mapping[str, Row],
        answers: Mapping[str, dict[str, str]],
        more: dict[str, object],
    ) -> None:
        """``state`` — as read, before any wait: never mixed with a newer state that another
        process's change brought in meanwhile — with its open card's answers back in it."""
        current = state.current
        assert current is not None
        room.row_messages = {pid: row.message_ids for pid, row in read.items()}
        answers = {**answers, **{pid: row.answers for pid, row in read.items()}}
        version = max([state.version, *(row.version for row in read.values())])
        room.state = state.model_copy(
            update={"current": current.model_copy(update={"answers": answers, **more}), "version": version}
        )

    @staticmethod
    def _unseal_row(code: str, player_id: str, key: bytes | None, body: str) -> Row | None:
        try:
            if key is None:
                raise SealError("no key")
            return read_row(json.loads(unseal(key, body, row_context(code, player_id))))
        except (SealError, ValueError, TypeError):
            log.warning("an answer to the open card of room %s could not be read back", code)
            return None

    @staticmethod
    def _unseal(
        code: str, key: bytes | None, sealed: str
    ) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
        if not sealed:
            return {}, {}
        try:
            if key is None:
                raise SealError("no key")
            opened = json.loads(unseal(key, sealed, code))
            return opened["answers"], opened["note_counts"]
        except (SealError, ValueError, KeyError, TypeError):
            log.warning("the answers to the open card of room %s could not be read back", code)
            return {}, {}

    async def _drop_quietly(self, code: str) -> None:
        with contextlib.suppress(Exception):
            await self.keys.drop(code)

    async def write_for(
        self,
        room: LiveRoom,
        state: RoomState,
        actor_id: str | None,
        cmd: c.Command | Together,
        message_id: str | None,
        closes: bool,
        new_token: tuple[str, str] | None,
    ) -> tuple[StateWrite, Callable[[], None]]:
        """What goes to the database, and what memory takes once it is stored: after a vote,
        only the voter's answers (a row of ``open_answers``, issue 15 — in a room of 1,000 the
        whole state was ~150 KB a vote); after anything else, the whole state, which takes
        those rows in (the vote ids they held go to ``applied_messages``)."""
        if isinstance(cmd, c.Answer) and actor_id is not None and new_token is None and not closes:
            return await self._vote(room, state, actor_id, message_id)
        code, phase, version = room.code, state.phase.value, state.version
        stored, message = await self.stored_form(room, state, actor_id, message_id)
        spill = () if closes else await self._spilled(room, state, room.row_messages)
        # one process: the room's row is at the version of its last whole write (votes wrote
        # rows only); several: every write moved it on
        base = version - 1 if self.shared else room.stored_version
        write = StateWrite(
            code, stored, phase, version, new_token, message, forget_messages=closes, spill=spill, base=base
        )

        def stored_whole() -> None:
            room.row_messages.clear()
            room.row_ids_json.clear()
            room.stored_version = version

        return write, stored_whole

    async def _vote(
        self, room: LiveRoom, state: RoomState, actor_id: str, message_id: str | None
    ) -> tuple[StateWrite, Callable[[], None]]:
        """The voter's row: their answers, the ids of their votes on this card (one row
        instead of two in ``applied_messages``) and the room's new version; with one process,
        nothing else (server/rooms/rows.py). With several, the id goes to the table and the
        version to the room's row as before: another process, which knows nothing of rows,
        may store next."""
        current = state.current
        assert current is not None
        ids = before = room.row_messages.get(actor_id, [])
        message = None
        if message_id is not None:
            if self.shared:
                message = (actor_id, message_id)
            else:
                ids = [*before, message_id]
        spilled: list[str] = []
        if len(ids) > ROW_MESSAGES_MAX:  # once in ROW_MESSAGES votes (rows.py)
            spilled, ids = ids[:-ROW_MESSAGES], ids[-ROW_MESSAGES:]
        mine = Fanout.answers_json(room, actor_id, current.answers.get(actor_id))
        body = row_body(mine, ids, state.version, room.row_ids_json.encode(actor_id, before, ids))
        if state.settings.anonymous:
            key = known_card_key(room, current) or await self._card_key(room, current)
            body = seal(key, body.encode(), row_context(room.code, actor_id))
            if message is not None:
                message = ("", message_key(key, *message))
        write = StateWrite(
            room.code,
            "",
            "",  # the phase: a vote's write leaves the room's row as it is (statewrites.py)
            state.version,
            message=message,
            answers=(actor_id, body),
            spill=await self._spilled(room, state, {actor_id: spilled}) if spilled else (),
            row_only=not self.shared,
        )
        shared, version = self.shared, state.version

        def stored() -> None:
            room.row_messages[actor_id] = ids
            if shared:
                room.stored_version = version

        return write, stored

    async def _spilled(
        self, room: LiveRoom, state: RoomState, ids: Mapping[str, list[str]]
    ) -> tuple[tuple[str, str], ...]:
        """Vote ids as ``applied_messages`` rows: keyed with the card's key when anonymous."""
        rows = [(pid, m) for pid, mine in ids.items() for m in mine]
        if not rows or state.current is None or not state.settings.anonymous:
            return tuple(rows)
        key = await self._card_key(room, state.current)
        return tuple(("", message_key(key, pid, m)) for pid, m in rows)

    async def _card_key(self, room: LiveRoom, current: CurrentCard) -> bytes:
        """The open card's key, made (and kept outside the database) at its first use."""
        known = known_card_key(room, current)
        if known is not None:
            return known
        kid = card_key_id(current.card_id, current.drawn_at)
        if room.card_key is not None and room.card_key_id == kid:
            room.card_key_of = (current.card_id, current.drawn_at)
            return room.card_key
        if room.card_key is not None:
            forget_key(room.card_key)
        try:
            key = room.card_key = await self.keys.create(room.code, kid)
        except Exception:
            log.warning("could not store a card key for room %s", room.code)
            raise Unavailable() from None
        room.card_key_id, room.card_key_of = kid, (current.card_id, current.drawn_at)
        room.applied_hashed = set()
        return key

    async def stored_form(
        self, room: LiveRoom, state: RoomState, actor_id: str | None, message_id: str | None
    ) -> tuple[str, tuple[str, str] | None]:
        """The state as it goes to the database, and the applied-message row with it."""
        message = (actor_id, message_id) if message_id and actor_id else None
        current = state.current
        if current is None or not state.settings.anonymous:
            return room.stored_json.dump(state), message
        key = await self._card_key(room, current)
        stored = current
        if current.answers or current.note_counts:
            blob = seal(key, _private_json(room, current).encode(), room.code)
            stored = current.model_copy(update={"answers": {}, "note_counts": {}, "sealed": blob})
        if message is not None:
            message = ("", message_key(key, *message))
        return room.stored_json.dump(state, current=stored), message

    async def drop(self, room: LiveRoom) -> None:
        """The card closed: its sealed answers become unreadable."""
        if room.card_key is not None:
            forget_key(room.card_key)
        room.card_key = room.card_key_id = room.card_key_of = None
        room.applied_hashed = set()
        await self.drop_code(room.code)

    async def drop_code(self, code: str) -> None:
        try:
            await self.keys.drop(code)
        except Exception:  # the key expires on its own (Redis) or is dropped with the room
            log.warning("could not drop the card key of room %s", code)


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
