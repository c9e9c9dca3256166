"""Who is in the room: joins, presence, removals, the lock, and whose turn it is to read."""

from collections.abc import Sequence

from server.core import commands as c
from server.core.deck import Deck
from server.core.guards import Handler, clean_name, require_facilitator
from server.core.state import Phase, Player, Role, RoomState
from server.errors import GameError


def next_reader(players: Sequence[Player], current_id: str | None) -> str | None:
    """The next player after ``current_id`` in join order, preferring connected players."""
    seats = [p for p in players if p.role is Role.PLAYER]
    if not seats:
        return None
    candidates = [p for p in seats if p.connected] or seats
    ids = [p.id for p in seats]
    start = ids.index(current_id) + 1 if current_id in ids else 0
    for offset in range(len(seats)):
        seat = seats[(start + offset) % len(seats)]
        if seat in candidates:
            return seat.id
    return None  # pragma: no cover - candidates is never empty here


def join(state: RoomState, cmd: c.Join) -> RoomState:
    name = clean_name(cmd.name)
    if state.player(cmd.player_id) is not None:
        raise GameError("already_joined")
    folded = name.casefold()
    if any(p.name.casefold() == folded for p in state.players):
        raise GameError("name_taken", name=name)
    if state.phase is Phase.SYNTHESIS and cmd.role is Role.PLAYER:
        raise GameError("wrong_phase", phase=state.phase.value)
    if state.locked and cmd.role is Role.PLAYER:
        raise GameError("room_locked")
    seated = sum(1 for p in state.players if p.role is Role.PLAYER)
    if cmd.role is Role.PLAYER and seated >= state.settings.max_players:
        raise GameError("room_full", limit=state.settings.max_players)
    # joining is connecting, except for the facilitator seat made when the room is created
    player = Player(id=cmd.player_id, name=name, role=cmd.role, connected=cmd.connected)
    players = (*state.players, player)
    update: dict[str, object] = {"players": players}
    if state.phase is Phase.PLAYING and state.reader_id is None and cmd.role is Role.PLAYER:
        update["reader_id"] = player.id
    return state.model_copy(update=update)


def _set_connected(state: RoomState, actor: Player, connected: bool) -> RoomState:
    players = tuple(
        p.model_copy(update={"connected": connected}) if p.id == actor.id else p for p in state.players
    )
    update: dict[str, object] = {"players": players}
    if connected and state.phase is Phase.PLAYING and state.reader_id is None:
        update["reader_id"] = next_reader(players, None)
    return state.model_copy(update=update)


def _connect(deck: Deck, state: RoomState, actor: Player, cmd: c.Connect, now: float) -> RoomState:
    return _set_connected(state, actor, True)


def _disconnect(deck: Deck, state: RoomState, actor: Player, cmd: c.Disconnect, now: float) -> RoomState:
    return _set_connected(state, actor, False)


def _remove(deck: Deck, state: RoomState, actor: Player, cmd: c.Remove, now: float) -> RoomState:
    """The participant leaves the room for good: their seat, their answers to the card in
    play and their turn; what was already recorded (closed cards, notes) stays."""
    require_facilitator(actor)
    target = state.player(cmd.player_id)
    if target is None or target.role is not Role.PLAYER:
        raise GameError("unknown_player")
    players = tuple(p for p in state.players if p.id != target.id)
    update: dict[str, object] = {"players": players}
    current = state.current
    if current is not None:
        update["current"] = current.model_copy(
            update={
                "answers": {k: v for k, v in current.answers.items() if k != target.id},
                "note_counts": {k: v for k, v in current.note_counts.items() if k != target.id},
            }
        )
    if state.reader_id == target.id:
        following = next_reader(state.players, target.id)
        update["reader_id"] = None if following == target.id else following
    return state.model_copy(update=update)


def _lock(deck: Deck, state: RoomState, actor: Player, cmd: c.Lock, now: float) -> RoomState:
    require_facilitator(actor)
    return state.model_copy(update={"locked": cmd.locked})


HANDLERS: dict[type, Handler] = {
    c.Remove: _remove,
    c.Lock: _lock,
    c.Connect: _connect,
    c.Disconnect: _disconnect,
}
