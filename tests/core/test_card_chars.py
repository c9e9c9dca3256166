"""The characters of a card's open answers are carried from one answer to the next (not
counted again at each keystroke), and always equal a fresh count — withdrawn answers, texts
that happen to read "yes", yes/no votes and several people included."""

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import commands as c
from server.core.card_in_play import YES_NO_VALUES, card_chars
from server.core.deck import parse_deck
from server.core.rules import apply, new_room
from server.core.state import Role, RoomSettings

ROOT = Path(__file__).parent.parent.parent
DECK = parse_deck(json.loads((ROOT / "tests/fixtures/mini-deck.json").read_text()))
PEOPLE = ["ana", "ben", "cleo"]


def fresh_count(answers: dict[str, dict[str, str]], notes: int) -> int:
    return notes + sum(len(v) for m in answers.values() for v in m.values() if v not in YES_NO_VALUES)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 9), st.sampled_from(["", "yes", "no", "idée", "x" * 30])),
        min_size=1,
        max_size=40,
    )
)
def test_carried_count_equals_a_fresh_one(steps: list[tuple[int, int, str]]) -> None:
    state = new_room(DECK, RoomSettings(), seed=1, now=0.0)
    state = apply(DECK, state, None, c.Join("fac", "Anim", Role.FACILITATOR), 0.0)
    for name in PEOPLE:
        state = apply(DECK, state, None, c.Join(name, name.title()), 0.0)
    state = apply(DECK, state, "fac", c.Start(), 0.0)
    state = apply(DECK, state, state.reader_id, c.Draw(), 0.0)
    assert state.current is not None
    card = DECK.card(state.current.card_id)
    assert card is not None
    card_chars(state.current)  # remembered from here on, then carried
    for who, which, text in steps:
        question = card.questions[which % len(card.questions)]
        value = text if question.kind == "open" else ("yes", "no", "unsure")[len(text) % 3]
        state = apply(DECK, state, PEOPLE[who], c.Answer(card.id, question.id, value), 1.0)
        assert state.current is not None
        notes = sum(len(n.text) for n in state.current.notes)
        assert card_chars(state.current) == fresh_count(state.current.answers, notes)
