"""A room's view is re-serialised only where the state changed (server.core.views.ViewCache):
what it keeps is exactly what a fresh serialisation gives, every attribute of the state is
known to be read or not, and a vote re-serialises the ``questions`` field and nothing else."""

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import commands as c
from server.core.deck import Deck
from server.core.rules import apply, new_room
from server.core.state import CurrentCard, Phase, Role, RoomSettings, RoomState
from server.core.view_pieces import IGNORED, NOW, PIECES, READERS
from server.core.views import ViewCache, ViewFields, json_dumps, json_object, public_view, public_view_fields
from server.errors import GameError
from tests.core.test_views import EXPLORIA, MINI, plain
from tests.core.test_views import NOW as T0

CROWD = ["fac", *(f"p{i}" for i in range(7))]


def room(deck: Deck, anonymous: bool = True) -> RoomState:
    state = new_room(deck, RoomSettings(anonymous=anonymous), seed=7, now=T0)
    state = apply(deck, state, None, c.Join("fac", "Anim", Role.FACILITATOR), T0)
    for name in CROWD[1:]:
        state = apply(deck, state, None, c.Join(name, name.upper()), T0)
    return state


def moves(deck: Deck, state: RoomState, i: int) -> list[tuple[str, c.Command]]:
    """Mostly votes (first answers, changed answers, withdrawn open answers), among the rest
    of the game: people leaving and coming, reveals, next cards."""
    out: list[tuple[str, c.Command]] = [
        ("fac", c.Start()),
        ("fac", c.Draw()),
        ("fac", c.Reveal()),
        ("fac", c.Next()),
        ("fac", c.Park()),
        *([("fac", c.Finish())] if i % 20 == 19 else []),
        ("fac", c.Remove(CROWD[1 + i % 7])),
        ("fac", c.Join(f"x{i}", f"Nouvelle {i}")),
        (CROWD[1 + i % 7], c.Disconnect()),
        (CROWD[1 + i % 7], c.Connect()),
        ("fac", c.AddNote(f"note {i}")),
    ]
    current = state.current
    card = deck.card(current.card_id) if current is not None else None
    for q in card.questions if card else ():
        values = ["yes", "no", "unsure"] if q.kind == "yes_no" else ["idée", "autre", ""]
        voters = [*CROWD[1:], f"x{i - 1}"]
        out += [(p, c.Answer(card.id, q.id, v)) for p in voters for v in values] * 3
    return out


def same_json_types(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (what ``wire.diff`` compares)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same_json_types, a, b))
    return bool(a == b)


def check(deck: Deck, state: RoomState, fields: ViewFields) -> None:
    text = json_object(fields)
    assert text == plain(deck, state)
    assert fields.size == len(text)
    if fields.questions is not None:
        assert same_json_types(fields.questions, json.loads(dict(fields)["questions"]))


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([MINI, EXPLORIA]),
    st.booleans(),
    st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.booleans()), min_size=10, max_size=80),
)
def test_a_kept_view_is_a_fresh_one(deck: Deck, anonymous: bool, steps: list[tuple[int, bool]]) -> None:
    state = room(deck, anonymous)
    cache = ViewCache()
    check(deck, state, public_view_fields(deck, state, cache))
    for i, (choice, look) in enumerate(steps):
        legal = []
        for actor, cmd in moves(deck, state, i):
            with contextlib.suppress(GameError):
                legal.append(apply(deck, state, actor, cmd, T0 + i))
        if not legal:  # the synthesis: nothing changes any more
            break
        state = legal[choice % len(legal)]
        if look:  # otherwise several changes pile up before the next view (a coalesced room)
            check(deck, state, public_view_fields(deck, state, cache))


def test_every_attribute_of_the_state_is_read_by_a_field_or_ignored() -> None:
    """A new attribute of the state must be placed in view_pieces.PIECES or IGNORED (unknown,
    it redoes the whole view at each change: correct, but the cost this cache removes)."""
    known = set(READERS) | {"current"}
    names = set(RoomState.model_fields) | {NOW + n for n in CurrentCard.model_fields}
    assert names <= known, names - known
    assert not {n for _, _, reads in PIECES for n in reads} & IGNORED


def answered(fields: ViewFields) -> list[list[str]]:
    return [q["answered_by"] for q in json.loads(dict(fields)["questions"])]


def test_a_vote_redoes_only_the_questions_and_a_changed_vote_nothing() -> None:
    state = room(MINI)
    state = apply(MINI, state, "fac", c.Start(), T0)
    state = apply(MINI, state, "fac", c.Draw(), T0)
    assert state.current is not None
    card = MINI.card(state.current.card_id)
    assert card is not None and len(card.questions) >= 2
    q0, q1 = card.questions[0], card.questions[1]
    yes = "yes" if q0.kind == "yes_no" else "oui"
    cache = ViewCache()
    before = public_view_fields(MINI, state, cache)
    state = apply(MINI, state, "p3", c.Answer(card.id, q0.id, yes), T0)
    after = public_view_fields(MINI, state, cache)
    same = [key for (key, _), old, new in zip(before, before, after, strict=True) if old is new]
    assert [key for key, _ in after if key not in same] == ["questions"]
    assert answered(after)[0] == ["p3"]
    assert before.questions is not None and after.questions is not None
    assert after.questions[1] is before.questions[1]  # the other question's entry is kept
    # the same people on the same questions: the very same field, nothing serialised
    state = apply(MINI, state, "p3", c.Answer(card.id, q0.id, "no" if q0.kind == "yes_no" else "non"), T0)
    again = public_view_fields(MINI, state, cache)
    assert all(old is new for old, new in zip(after, again, strict=True))
    # people come in the order they first answered the card, whichever question
    state = apply(MINI, state, "p1", c.Answer(card.id, q0.id, yes), T0)
    two = "yes" if q1.kind == "yes_no" else "oui"
    state = apply(MINI, state, "p3", c.Answer(card.id, q1.id, two), T0)
    state = apply(MINI, state, "p1", c.Answer(card.id, q1.id, two), T0)
    fields = public_view_fields(MINI, state, cache)
    assert answered(fields)[:2] == [["p3", "p1"], ["p3", "p1"]]
    assert json_object(fields) == json.dumps(public_view(MINI, state), ensure_ascii=False)
    # someone leaves and, before the next view, a newcomer answers: as many people have
    # answered as before, not the same ones
    state = apply(MINI, state, "fac", c.Remove("p3"), T0)
    state = apply(MINI, state, None, c.Join("x", "X"), T0)
    state = apply(MINI, state, "x", c.Answer(card.id, q1.id, two), T0)
    fields = public_view_fields(MINI, state, cache)
    assert answered(fields)[:2] == [["p1"], ["p1", "x"]]
    assert json_object(fields) == json.dumps(public_view(MINI, state), ensure_ascii=False)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_json_dumps_is_the_standard_one(value: Any) -> None:
    """The encoder made once (server.core.view_pieces) writes what ``json.dumps`` writes."""
    assert json_dumps(value) == json.dumps(value, ensure_ascii=False)
    assert json_dumps((Role.PLAYER, [Phase.LOBBY], {"k": (1.5, True)})) == json.dumps(
        (Role.PLAYER, [Phase.LOBBY], {"k": (1.5, True)}), ensure_ascii=False
    )
