"""Cards set aside come back soon, before the closing card, or when the facilitator picks them."""

import json
from pathlib import Path

import pytest

from server.core import commands as c
from server.core.deck import Deck, parse_deck
from server.core.rules import PARK_RETURN_AFTER, apply, new_room
from server.core.state import Role, RoomSettings, RoomState
from server.errors import GameError

CARDS = Path(__file__).resolve().parents[2] / "cards"
DECK = parse_deck(json.loads((CARDS / "exploria-fr.json").read_text("utf-8")))
NOW = 1_000_000.0


def started(deck: Deck, **settings: object) -> RoomState:
    state = new_room(deck, RoomSettings.model_validate(settings), seed=3, now=NOW)
    state = apply(deck, state, None, c.Join("fac", "Anim", Role.FACILITATOR, False), NOW)
    state = apply(deck, state, None, c.Join("ana", "Ana"), NOW)
    return apply(deck, state, "fac", c.Start(), NOW)


def play_one(state: RoomState) -> RoomState:
    for cmd in (c.Draw(), c.Reveal(), c.Next()):
        state = apply(DECK, state, "fac", cmd, NOW)
    return state


def test_a_card_set_aside_comes_back_after_two_more_cards() -> None:
    state = started(DECK)
    state = play_one(state)  # the opening card
    state = apply(DECK, state, "fac", c.Draw(), NOW)
    parked = state.current.card_id if state.current else ""
    state = apply(DECK, state, "fac", c.Park(), NOW)
    assert state.parked == (parked,)
    for _ in range(PARK_RETURN_AFTER):
        state = play_one(state)
        assert parked in state.parked
    state = apply(DECK, state, "fac", c.Draw(), NOW)
    assert state.current is not None and state.current.card_id == parked
    assert state.parked == () and state.parked_at == {}


def test_cards_set_aside_come_before_the_closing_card() -> None:
    state = started(DECK, selection="random", card_count=1)  # opening, one card, debrief
    state = play_one(state)
    state = apply(DECK, state, "fac", c.Draw(), NOW)
    parked = state.current.card_id if state.current else ""
    state = apply(DECK, state, "fac", c.Park(), NOW)
    assert [DECK.card(i).place for i in state.pile if DECK.card(i)] == ["last"]  # type: ignore[union-attr]
    state = apply(DECK, state, "fac", c.Draw(), NOW)
    assert state.current is not None and state.current.card_id == parked


def test_the_facilitator_draws_a_card_set_aside_by_its_id() -> None:
    state = started(DECK)
    state = play_one(state)
    first = state.pile[0]
    state = apply(DECK, state, "fac", c.Draw(), NOW)
    state = apply(DECK, state, "fac", c.Park(), NOW)
    with pytest.raises(GameError) as err:
        apply(DECK, state, "fac", c.Draw(card_id=state.pile[0]), NOW)
    assert err.value.code == "card_not_parked"
    state = apply(DECK, state, "fac", c.Draw(card_id=first), NOW)
    assert state.current is not None and state.current.card_id == first
