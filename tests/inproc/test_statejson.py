"""The stored state rebuilt from remembered pieces reads back to the very state that was
stored, in every state a game can reach (random games), with one room's cache kept across the
whole game as the service keeps it — also when a field changes back to an earlier object."""

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import commands as c
from server.core.deck import Deck
from server.core.followup import Action
from server.core.rules import apply, new_room
from server.core.state import Role, RoomSettings, RoomState
from server.errors import GameError
from server.rooms.statejson import REMEMBERED, StateJson
from tests.core.test_views import EXPLORIA, MINI, NOW, PEOPLE, moves


def same(stored: str, state: RoomState) -> None:
    assert RoomState.model_validate_json(stored) == state
    assert json.loads(stored) == json.loads(state.model_dump_json())


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from([MINI, EXPLORIA]),
    st.booleans(),
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=10, max_size=60),
)
def test_stored_json_reads_back_to_the_state(deck: Deck, anonymous: bool, choices: list[int]) -> None:
    state = new_room(deck, RoomSettings(anonymous=anonymous), seed=5, now=NOW)
    state = apply(deck, state, None, c.Join("fac", "Anim", Role.FACILITATOR), NOW)
    for name in PEOPLE[1:]:
        state = apply(deck, state, None, c.Join(name, name.title()), NOW)
    pieces = StateJson()
    same(pieces.dump(state), state)
    for i, choice in enumerate(choices):
        legal = []
        for actor, cmd in moves(deck, state):
            with contextlib.suppress(GameError):
                legal.append(apply(deck, state, actor, cmd, NOW + i))
        state = legal[choice % len(legal)]
        same(pieces.dump(state), state)


def test_every_field_is_stored_and_a_changed_field_is_not_taken_from_memory() -> None:
    state = RoomState(players=(), pile=("a", "b"))
    pieces = StateJson()
    same(pieces.dump(state), state)
    changed = state.model_copy(update={"pile": ("b",), "actions": (Action(id="a1", text="x"),), "version": 7})
    same(pieces.dump(changed), changed)
    same(pieces.dump(state), state)  # back to the first objects
    assert set(json.loads(pieces.dump(state))) == set(RoomState.model_fields)
    assert set(REMEMBERED) < set(RoomState.model_fields)


def test_a_card_in_play_given_apart_is_stored_in_place_of_the_states_own() -> None:
    from server.core.state import CurrentCard

    state = RoomState(current=CurrentCard(card_id="c1", drawn_at=1.0, answers={"p1": {"q1": "yes"}}))
    stored = CurrentCard(card_id="c1", drawn_at=1.0, sealed="blob")
    pieces = StateJson()
    same(pieces.dump(state, current=stored), state.model_copy(update={"current": stored}))
    same(pieces.dump(state), state)
