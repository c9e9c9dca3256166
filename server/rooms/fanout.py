"""A room's changes, out to its connections (docs/protocol.md, "Protocol versions").

Protocol 2 connections all get the same bytes for a change: a ``patch`` against the version
they hold (RFC 6902, computed once per change, field by field of the public view) or, when
they do not hold the base (a slow reader, a newcomer of a coalesced room) or the patch would
not be smaller, the full ``state``. What is personal — their own answers, the card's tip for
the facilitator and the reader — goes in a small ``you`` message, only when it changes.

Protocol 1 connections (older clients) get, as before, a ``state`` with ``my_answers`` and
``card_tip`` inside: the shared part is encoded once, only its end differs per connection.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import is_
from typing import TYPE_CHECKING, Any

from server.core.tips import current_tip, tip_recipients
from server.core.views import ViewCache, ViewFields, json_dumps, json_object, public_view_fields
from server.rooms.changes import changed_people, field_ops
from server.web import wire
from server.web.direct import MAX_BUFFERED, Frame

if TYPE_CHECKING:
    from server.rooms.live import Connection, LiveRoom

MAX_COALESCE_S = 1.0  # the slowest pace of states in a very big room
NO_ANSWERS = "{}"
NO_ONE: dict[str, dict[str, str]] = {}  # the answers when no card is open
PATCH_WEIGHT = 1 / 16  # a protocol 2 connection's share in stretching the coalescing interval


@dataclass(eq=False)
class RoomFan:
    """What a room remembers of what it sent."""

    cache: ViewCache = field(default_factory=ViewCache)  # pieces of the public view
    fields: ViewFields | None = None  # the public view of ``version``, field by field
    view_json: str | None = None
    version: int = -1
    sent_fields: ViewFields | None = None  # the view of the last broadcast: a patch's base
    sent_version: int = -1
    flush_scheduled: bool = False
    # player id → (their answers object, its JSON): re-serialised only when it changes
    mine: dict[str, tuple[object, str]] = field(default_factory=dict)
    tip: tuple[tuple[object, ...], tuple[str, frozenset[str]]] | None = None  # see Fanout._tip
    # the open card's answers and the tip at the last flush (see ``changes.changed_people``)
    personal: tuple[dict[str, dict[str, str]], tuple[str, frozenset[str]]] | None = None
    # connections whose outbox holds ``sent_version`` with nothing waiting (outbox.py): a patch
    # is written straight onto their socket → its transport. A close frame, sent or received,
    # takes a connection out at once (``WatchedProtocol``, server/web/direct.py)
    ready: dict["Connection", Any] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)  # player id → their connections in ``ready``


def _to_tell(fan: RoomFan, changed: set[str] | None) -> list["Connection"]:
    """The ready set's connections whose own part may have changed (``changed_people``:
    None is everyone). Mostly the one voter, who is held, so not in the set: then no
    connection is read at all, each a cold object in a busy server."""
    if changed is None:
        return list(fan.ready)
    if changed and not fan.people.keys().isdisjoint(changed):
        return [conn for conn in fan.ready if conn.player_id in changed]
    return []


class Fanout:
    def __init__(
        self, clock: Callable[[], float], *, big_room_threshold: int = 50, coalesce_s: float = 0.1
    ) -> None:
        self.clock = clock
        self.big_room_threshold = big_room_threshold
        self.coalesce_s = coalesce_s

    # --- the public view ----------------------------------------------------------------

    def view(self, room: "LiveRoom", *, stale_ok: bool = False) -> tuple[int, ViewFields, str]:
        version, fields = self.view_fields(room, stale_ok=stale_ok)
        return version, fields, self.view_json(room)

    @staticmethod
    def view_fields(room: "LiveRoom", *, stale_ok: bool = False) -> tuple[int, ViewFields]:
        """The public view, field by field (its JSON is assembled only if a full state is
        sent: a change that goes out as a patch never needs it)."""
        fan = room.fan
        if fan.fields is None or (fan.version != room.state.version and not stale_ok):
            fan.fields = public_view_fields(room.deck, room.state, fan.cache)
            fan.view_json = None
            fan.version = room.state.version
        return fan.version, fan.fields

    @staticmethod
    def view_json(room: "LiveRoom") -> str:
        fan = room.fan
        assert fan.fields is not None
        if fan.view_json is None:
            fan.view_json = json_object(fan.fields)
        return fan.view_json

    # --- what is personal ---------------------------------------------------------------

    @classmethod
    def _mine(cls, room: "LiveRoom", player_id: str) -> tuple[object, str]:
        """This person's answers object (compared by identity) and its JSON."""
        current = room.state.current
        answers = current.answers.get(player_id) if current is not None else None
        return answers, cls.answers_json(room, player_id, answers)

    @staticmethod
    def answers_json(room: "LiveRoom", player_id: str, answers: dict[str, str] | None) -> str:
        """The JSON of a person's answers, serialised once per answers object: the vote's
        stored row (sealed.py) and the voter's ``you`` share it."""
        if answers is None:
            return NO_ANSWERS
        cached = room.fan.mine.get(player_id)
        if cached is not None and cached[0] is answers:
            return cached[1]
        pair = (answers, json_dumps(dict(answers)))
        room.fan.mine[player_id] = pair
        return pair[1]

    @staticmethod
    def _tip(room: "LiveRoom") -> tuple[str, frozenset[str]]:
        """The tip's JSON and who gets it, remembered while the card, the players and the
        reader stay the same (most changes are a vote)."""
        state = room.state
        current = state.current
        sources = (current.card_id if current is not None else None, state.players, state.reader_id)
        hit = room.fan.tip
        if hit is not None and all(map(is_, hit[0], sources)):  # three sources, always
            return hit[1]
        tip = current_tip(room.deck, state)
        found = ("null", frozenset[str]()) if tip is None else (json_dumps(tip), tip_recipients(state))
        room.fan.tip = (sources, found)
        return found

    def _personal(
        self, room: "LiveRoom", conn: "Connection", tip: tuple[str, frozenset[str]] | None = None
    ) -> tuple[object, str, str]:
        answers, mine = self._mine(room, conn.player_id)
        tip_json, readers = tip or self._tip(room)
        if conn.viewer or conn.player_id not in readers:
            tip_json = "null"
        return answers, mine, tip_json

    # --- one connection -----------------------------------------------------------------

    def welcome(self, room: "LiveRoom", conn: "Connection", you: dict[str, Any]) -> str:
        """The answer to ``join``. A newcomer to a big room whose next state is already
        scheduled may get the view serialised a moment ago (with its own version): during a
        reconnect storm that saves one full serialisation per arrival, and the fresher
        state follows within the interval."""
        stale_ok = room.fan.flush_scheduled and room.fan.fields is not None
        version, fields, view_json = self.view(room, stale_ok=stale_ok)
        answers, mine, tip = self._personal(room, conn)
        outbox = conn.outbox
        outbox.seen(version)
        if outbox.protocol >= 2:
            outbox.you_key = (answers, tip)
            return wire.welcome(you, version, self.clock(), view_json, mine, tip)
        return (
            wire.state_v1_head(version, self.clock(), fields, you)
            + wire.state_v1_tail(mine.encode(), tip.encode())
        ).decode()

    def resend(self, room: "LiveRoom", conn: "Connection") -> None:
        """The reply to ``sync``: the full state (and, protocol 2, ``you``)."""
        version, fields, view_json = self.view(room)
        answers, mine, tip = self._personal(room, conn)
        outbox = conn.outbox
        if outbox.protocol >= 2:
            outbox.you_key = (answers, tip)
            outbox.push_you(wire.you(version, mine, tip))
            outbox.push_state(version, wire.state(version, self.clock(), view_json), force=True)
            return
        outbox.push_state(
            version,
            wire.state_v1_head(version, self.clock(), fields)
            + wire.state_v1_tail(mine.encode(), tip.encode()),
            force=True,
        )

    # --- the whole room -----------------------------------------------------------------

    def broadcast(self, room: "LiveRoom") -> None:
        """Small rooms get every change at once; big ones at most one per interval, an
        interval that grows with the room (a change costs one send per connection)."""
        size = len(room.connections)
        if size > self.big_room_threshold and self.coalesce_s > 0:
            if not room.fan.flush_scheduled:
                room.fan.flush_scheduled = True
                # a protocol 1 connection costs a state of its own; protocol 2 ones share one
                # frame, mostly a small patch: they stretch the interval far less
                weight = sum(1.0 if c.outbox.protocol < 2 else PATCH_WEIGHT for c in room.connections)
                delay = min(MAX_COALESCE_S, self.coalesce_s * max(1.0, weight / self.big_room_threshold))
                asyncio.get_running_loop().call_later(delay, self.flush, room)
            return
        self.flush(room)

    def flush(self, room: "LiveRoom") -> None:
        """One change out to the room. Its ready set gets the patch written onto its sockets in
        one loop, with no call into the outboxes (issue 15); the others (the held voter, a slow
        reader, a newcomer, protocol 1) through their outbox."""
        fan = room.fan
        fan.flush_scheduled = False
        base, base_fields = fan.sent_version, fan.sent_fields
        version, fields = self.view_fields(room)
        now = self.clock()
        patch: Frame | None = None
        if base_fields is not None and base < version:
            ops = field_ops(base_fields, fields)
            data = wire.patch(base, version, now, ops)
            # the size of the full state, without assembling it (characters, as ever)
            if len(data) < fields.size:
                patch = Frame(data)
        tip = self._tip(room)
        current = room.state.current
        everyone = current.answers if current is not None else NO_ONE
        changed = changed_people(fan, everyone, tip)
        if fan.ready:
            self._write_ready(room, version, base != version, patch, changed, everyone, tip)
        # the set now holds ``version``; everyone else gets it from their outbox
        fan.sent_version, fan.sent_fields = version, fields
        others = room.connections.difference(fan.ready) if fan.ready else room.connections
        full: Frame | None = None
        head: bytes | None = None
        for conn in others:
            outbox = conn.outbox
            if outbox.protocol >= 2:
                if changed is None or conn.player_id in changed or outbox.you_key is None:
                    self._tell(room, conn, version, everyone, tip)
                if not outbox.offer(version, full, base, patch):
                    full = Frame(wire.state(version, now, self.view_json(room)))
                    outbox.offer(version, full)
                if outbox.can_join_ready(version):
                    outbox.join_ready(fan, conn, conn.player_id)
                    conn.behind = False  # the slow-reader sweep passes it over until it leaves
            else:
                if head is None:
                    head = wire.state_v1_head(version, now, fields)
                _, mine, tip_json = self._personal(room, conn, tip)
                outbox.push_state(version, head + wire.state_v1_tail(mine.encode(), tip_json.encode()))

    def _write_ready(
        self,
        room: "LiveRoom",
        version: int,
        new: bool,
        patch: Frame | None,
        changed: set[str] | None,
        everyone: dict[str, dict[str, str]],
        tip: tuple[str, frozenset[str]],
    ) -> None:
        """``flush`` for the ready set: the ``you`` of those whose part may have changed (one
        voter, mostly not in the set: held), then the patch onto every socket that takes it."""
        ready = room.fan.ready
        if not ready.keys() <= room.connections:  # gone without a close (not expected)
            for conn in ready.keys() - room.connections:
                conn.outbox.leave_ready()
        for conn in _to_tell(room.fan, changed):
            self._tell(room, conn, version, everyone, tip)
        if patch is None:
            if new:  # a full state for everyone (or an older one): each outbox takes over again
                for conn in list(ready):
                    conn.outbox.leave_ready()
            return
        late: list[Connection] = []
        data = patch.frame
        # no state machine is read: one that left OPEN took its connection out of the set then
        for conn, transport in ready.items():
            if not transport.is_closing() and transport.get_write_buffer_size() <= MAX_BUFFERED:
                try:  # free unless raised (3.11): a transport that raises leaves the set
                    transport.write(data)
                except Exception:  # its outbox tries again, and reports what it must
                    late.append(conn)
            else:  # closing, or a slow reader: its outbox decides (backpressure)
                late.append(conn)
        for conn in late:
            conn.outbox.leave_ready()

    def _tell(
        self,
        room: "LiveRoom",
        conn: "Connection",
        version: int,
        everyone: dict[str, dict[str, str]],
        tip: tuple[str, frozenset[str]],
    ) -> None:
        """A ``you`` to this connection if its own part is not what it was last told."""
        outbox = conn.outbox
        player_id = conn.player_id
        answers = everyone.get(player_id)
        tip_json = tip[0] if player_id in tip[1] and not conn.viewer else "null"
        key = outbox.you_key
        if key is None or key[0] is not answers or key[1] != tip_json:
            outbox.you_key = (answers, tip_json)
            outbox.push_you(wire.you(version, self._mine(room, player_id)[1], tip_json))
