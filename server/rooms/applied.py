"""Which messages a room has applied (a message id sent again is acknowledged, not applied
twice): in clear, or keyed with the open card's key in an anonymous session
(server/rooms/sealed.py); and that key, once it is known to be the open card's."""

from server.core.state import CurrentCard
from server.rooms.live import LiveRoom
from server.rooms.sealing import message_key


def set_applied(room: LiveRoom, rows: set[tuple[str, str]]) -> None:
    """The message ids stored for the room: in clear, or keyed with the card's key; and those
    its open card's rows hold (read with the rows, see ``SealedAnswers.open``)."""
    room.applied = {r for r in rows if r[0]}
    room.applied.update((pid, m) for pid, ids in room.row_messages.items() for m in ids)
    room.applied_hashed = {m for p, m in rows if not p}


def known_card_key(room: LiveRoom, current: CurrentCard) -> bytes | None:
    """The room's card key if it was already found to be the open card's: a vote needs
    neither the key's id (a SHA-256) nor a coroutine for it."""
    if room.card_key is not None and room.card_key_of == (current.card_id, current.drawn_at):
        return room.card_key
    return None


def was_applied(room: LiveRoom, player_id: str, message_id: str) -> bool:
    if (player_id, message_id) in room.applied:
        return True
    return (
        room.card_key is not None
        and bool(room.applied_hashed)
        and message_key(room.card_key, player_id, message_id) in room.applied_hashed
    )
