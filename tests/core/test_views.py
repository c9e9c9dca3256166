"""The public view assembled from remembered pieces is exactly the plain serialisation of the
public view, in every state a game can reach (random games on the test deck and ExplorIA)."""

import contextlib
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import commands as c
from server.core.deck import Deck, parse_deck
from server.core.rules import apply, new_room
from server.core.state import Role, RoomSettings, RoomState
from server.core.views import ViewCache, public_view, public_view_json
from server.errors import GameError

ROOT = Path(__file__).parent.parent.parent
MINI = parse_deck(json.loads((ROOT / "tests/fixtures/mini-deck.json").read_text()))
EXPLORIA = parse_deck(json.loads((ROOT / "cards/exploria-fr.json").read_text()))
PEOPLE = ["fac", "ana", "ben", "cleo"]
NOW = 1_000_000.0


def plain(deck: Deck, state: RoomState) -> str:
    return json.dumps(public_view(deck, state), ensure_ascii=False)


def moves(deck: Deck, state: RoomState) -> list[tuple[str, c.Command]]:
    """Every move worth trying from ``state`` (many are illegal; those are skipped)."""
    out: list[tuple[str, c.Command]] = [
        (p, cmd)
        for p in PEOPLE
        for cmd in (
            c.Start(),
            c.Draw(),
            c.Reveal(),
            c.Next(),
            c.Skip(),
            c.Park(),
            c.PassTurn(),
            c.Finish(),
            c.Connect(),
            c.Disconnect(),
            c.AddNote(f"note « {p} » ✓"),
            c.Frame((("title", f"Session de {p}"),)),
        )
    ]
    current = state.current
    card = deck.card(current.card_id) if current is not None else None
    for q in card.questions if card else ():
        values = ["yes", "no", "unsure"] if q.kind == "yes_no" else ["idée", ""]
        out += [(p, c.Answer(card.id, q.id, v)) for p in PEOPLE[1:] for v in values]
        out += [("fac", c.Consensus(q.id, v)) for v in ("yes", "no", None)]
    return out


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from([MINI, EXPLORIA]),
    st.booleans(),
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=10, max_size=60),
)
def test_assembled_view_equals_the_plain_one(deck: Deck, anonymous: bool, choices: list[int]) -> None:
    state = new_room(deck, RoomSettings(anonymous=anonymous), seed=3, now=NOW)
    state = apply(deck, state, None, c.Join("fac", "Anim", Role.FACILITATOR), NOW)
    for name in PEOPLE[1:]:
        state = apply(deck, state, None, c.Join(name, name.title()), NOW)
    cache = ViewCache()  # one room's cache, across the whole game, as the service keeps it
    assert public_view_json(deck, state, cache) == plain(deck, state)
    for i, choice in enumerate(choices):
        legal = []  # a walk through legal moves only, so games get far (parks, reveals, end)
        for actor, cmd in moves(deck, state):
            with contextlib.suppress(GameError):
                legal.append((cmd, apply(deck, state, actor, cmd, NOW + i)))
        cmd, state = legal[choice % len(legal)]
        assert public_view_json(deck, state, cache) == plain(deck, state), cmd


def test_a_finished_game_shows_its_synthesis() -> None:
    state = new_room(MINI, RoomSettings(), seed=1, now=NOW)
    state = apply(MINI, state, None, c.Join("fac", "Anim", Role.FACILITATOR), NOW)
    state = apply(MINI, state, None, c.Join("ana", "Ana"), NOW)
    for actor, cmd in [
        ("fac", c.Start()),
        ("ana", c.Draw()),
        ("ana", c.Reveal()),
        ("ana", c.Next()),
        ("fac", c.Finish()),
    ]:
        state = apply(MINI, state, actor, cmd, NOW)
    cache = ViewCache()
    assert public_view_json(MINI, state, cache) == plain(MINI, state)
    view = json.loads(public_view_json(MINI, state, cache))
    assert view["phase"] == "synthesis" and view["synthesis"]["cards_played"] == 1


def test_a_revealed_question_says_its_turnout_and_the_framing_shows() -> None:
    settings = RoomSettings.model_validate(
        {
            "title": "Atelier",
            "ai_system": {"name": "Planificateur", "stage": "idea"},
            "facilitator_name": "Secret",
        }
    )
    state = new_room(MINI, settings, seed=1, now=NOW)
    state = apply(MINI, state, None, c.Join("fac", "Anim", Role.FACILITATOR), NOW)
    for name in ("ana", "ben", "cleo"):
        state = apply(MINI, state, None, c.Join(name, name.title()), NOW)
    state = apply(MINI, state, "fac", c.Start(), NOW)
    state = apply(MINI, state, "fac", c.Draw(), NOW)
    assert state.current is not None
    card = MINI.card(state.current.card_id)
    assert card is not None
    first = card.questions[0]
    state = apply(MINI, state, "ana", c.Answer(card.id, first.id, "yes"), NOW)
    view = public_view(MINI, state)
    assert "present" not in view["questions"][0]  # nothing of the result before the reveal
    state = apply(MINI, state, "fac", c.Reveal(), NOW)
    view = json.loads(public_view_json(MINI, state))
    q = view["questions"][0]
    assert (q["present"], q["quorum"], q["voted"], q["group_answer"]) == (3, 2, 1, "insufficient")
    assert view["settings"]["title"] == "Atelier"
    assert view["settings"]["ai_system"]["name"] == "Planificateur"
    assert view["settings"]["quorum_percent"] == 50 and view["settings"]["quorum_min"] == 2
    assert "facilitator_name" not in view["settings"]
