"""A room's state as the JSON that is stored, rebuilt from remembered pieces.

Why: every vote stores the whole state (that is what makes kill -9 lose nothing), and
``model_dump_json`` walks all of it — a thousand players, every closed card, the actions —
for a change of one person's answers: in a room of 1,000 that was most of a vote's CPU. The
big fields keep their very objects from one state to the next (states are frozen and copied
with ``model_copy``), so each one's JSON is remembered with the object it came from and
reused while the same object comes back; only the rest (the card in play, the counters) is
serialised again. The result reads back (``model_validate_json``) to the same state as
``model_dump_json`` gives (tests/rooms/test_statejson.py, on random games).
"""

from server.core.state import CurrentCard, RoomState

# the fields that can be large and seldom change together with a vote
REMEMBERED = (
    "settings",
    "players",
    "pile",
    "parked",
    "parked_notes",
    "parked_at",
    "closed",
    "actions",
    "follows",
)
_SKIP = set(REMEMBERED)
_SKIP_CURRENT = {*REMEMBERED, "current"}
_SERIALIZER = RoomState.__pydantic_serializer__
_CURRENT = CurrentCard.__pydantic_serializer__


class StateJson:
    """One room's remembered pieces: one per field, held with the object it came from (so
    an identity cannot be reused while it is compared)."""

    __slots__ = ("_pieces",)

    def __init__(self) -> None:
        self._pieces: dict[str, tuple[object, bytes]] = {}

    def dump(self, state: RoomState, *, current: CurrentCard | None = None) -> str:
        """``state.model_dump_json()`` in meaning (field order aside), at the cost of what
        changed; with ``current``, as if the state held that card in play instead (the
        stored form of an anonymous session's card, without copying the state for it)."""
        if current is None:
            parts = [_SERIALIZER.to_json(state, exclude=_SKIP)[1:-1]]
        else:
            parts = [
                _SERIALIZER.to_json(state, exclude=_SKIP_CURRENT)[1:-1],
                b'"current":' + _CURRENT.to_json(current),
            ]
        for name in REMEMBERED:
            value = getattr(state, name)
            hit = self._pieces.get(name)
            if hit is None or hit[0] is not value:
                # '"name":<json>' — the field alone, cut out of its own object
                hit = (value, _SERIALIZER.to_json(state, include={name})[1:-1])
                self._pieces[name] = hit
            parts.append(hit[1])
        return (b"{" + b",".join(p for p in parts if p) + b"}").decode()
