"""The rules as a pure function: transitions, roles, turn rotation, privacy of votes."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core import commands as c
from server.core.deck import parse_deck
from server.core.rules import apply, deal, new_room, next_reader
from server.core.state import AiSystem, Phase, Player, Role, RoomSettings, RoomState, Step
from server.errors import GameError

MINI = parse_deck(json.loads((Path(__file__).parent.parent / "fixtures/mini-deck.json").read_text()))
NOW = 1_000_000.0


def room(*names: str, **settings: object) -> RoomState:
    state = new_room(MINI, RoomSettings.model_validate(settings), seed=7, now=NOW)
    state = apply(MINI, state, None, c.Join("fac", "Anim", Role.FACILITATOR, False), NOW)
    for name in names:
        state = apply(MINI, state, None, c.Join(name.lower(), name), NOW)
    return state


def step(state: RoomState, actor: str, *cmds: c.Command) -> RoomState:
    for cmd in cmds:
        state = apply(MINI, state, actor, cmd, NOW)
    return state


def test_versions_grow_by_one_per_move() -> None:
    state = room("Ana")
    before = state.version
    state = step(state, "fac", c.Start())
    assert state.version == before + 1


def test_dealing_is_seeded_and_respects_selection() -> None:
    all_cards = RoomSettings()
    assert deal(MINI, all_cards, 1) == deal(MINI, all_cards, 1)
    assert sorted(deal(MINI, all_cards, 1)) == ["c1", "c2", "c3"]
    assert len(deal(MINI, RoomSettings(selection="random", card_count=2), 3)) == 2
    assert sorted(deal(MINI, RoomSettings(selection="themes", themes=("organisation",)), 3)) == ["c1", "c3"]
    with pytest.raises(GameError) as err:
        deal(MINI, RoomSettings(selection="themes", themes=("nope",)), 3)
    assert err.value.code == "unknown_theme"


def test_illegal_moves_leave_state_untouched() -> None:
    state = room("Ana", "Ben")
    for actor, cmd, code in [
        ("ana", c.Start(), "not_facilitator"),
        ("fac", c.Draw(), "wrong_phase"),
        ("zzz", c.Start(), "not_joined"),
    ]:
        with pytest.raises(GameError) as err:
            apply(MINI, state, actor, cmd, NOW)
        assert err.value.code == code
    state = step(state, "fac", c.Start())
    with pytest.raises(GameError) as err:
        apply(MINI, state, "ben", c.Draw(), NOW)
    assert err.value.code == "not_reader"


def test_start_needs_a_player() -> None:
    with pytest.raises(GameError) as err:
        apply(MINI, room(), "fac", c.Start(), NOW)
    assert err.value.code == "no_players"


def test_anonymous_card_keeps_no_link_once_closed() -> None:
    state = step(room("Ana", "Ben"), "fac", c.Start(), c.Draw())
    card = MINI.card(state.current.card_id)  # type: ignore[union-attr]
    assert card is not None
    for who, value in (("ana", "yes"), ("ben", "no")):
        for q in card.questions:
            answer = value if q.kind == "yes_no" else f"texte {value}"
            state = step(state, who, c.Answer(card.id, q.id, answer))
    state = step(state, "fac", c.Reveal(), c.Next())
    dumped = state.model_dump_json()
    assert state.current is None
    assert '"ana"' not in dumped.replace('"id":"ana"', "")  # only the seat itself remains
    closed = state.closed[0]
    assert all(not r.votes for r in closed.results)
    for r in closed.results:
        assert all(a.author is None for a in r.open_answers)


def test_named_session_keeps_votes_by_name() -> None:
    state = step(room("Ana", anonymous=False), "fac", c.Start(), c.Draw())
    card = MINI.card(state.current.card_id)  # type: ignore[union-attr]
    assert card is not None
    q = next(q for q in card.questions if q.kind == "yes_no")
    state = step(state, "ana", c.Answer(card.id, q.id, "yes"))
    state = step(state, "fac", c.Reveal(), c.Next())
    result = next(r for r in state.closed[0].results if r.question_id == q.id)
    assert result.votes == {"Ana": "yes"}


def test_answers_change_until_reveal_and_empty_text_withdraws() -> None:
    state = step(room("Ana"), "fac", c.Start(), c.Draw(theme="organisation"))
    assert state.current is not None
    card_id = state.current.card_id
    open_q = next(q for q in MINI.card(card_id).questions if q.kind == "open")  # type: ignore[union-attr]
    state = step(state, "ana", c.Answer(card_id, open_q.id, "idée"), c.Answer(card_id, open_q.id, " "))
    assert state.current is not None and state.current.answers["ana"] == {}
    state = step(state, "fac", c.Reveal())
    assert state.current is not None and state.current.step is Step.REVEALED
    with pytest.raises(GameError):
        apply(MINI, state, "ana", c.Answer(card_id, open_q.id, "trop tard"), NOW)


def test_finish_counts_a_revealed_card_and_drops_an_unrevealed_one() -> None:
    state = step(room("Ana"), "fac", c.Start(), c.Draw(), c.Reveal())
    done = step(state, "fac", c.Finish())
    assert done.phase is Phase.SYNTHESIS and done.cards_done == 1
    state = step(room("Ana"), "fac", c.Start(), c.Draw())
    done = step(state, "fac", c.Finish())
    assert done.cards_done == 0 and done.current is None


def test_facilitator_seat_is_never_handed_over() -> None:
    state = step(room("Ana", "Ben"), "fac", c.Start())
    state = step(state, "fac", c.Disconnect())
    state = step(state, "ana", c.Disconnect())
    assert state.player("fac").role is Role.FACILITATOR  # type: ignore[union-attr]
    assert all(p.role is Role.PLAYER for p in state.players if p.id != "fac")
    state = step(state, "fac", c.Connect(), c.Draw())  # and can act for an absent reader
    assert state.current is not None


def test_timer_sets_a_deadline() -> None:
    state = step(room("Ana", timer_minutes=3), "fac", c.Start(), c.Draw())
    assert state.current is not None and state.current.deadline == NOW + 180


seat_lists = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=0, max_size=8)


@given(seat_lists, st.integers(0, 10))
def test_rotation_picks_a_connected_player_in_join_order(seats: list[tuple[bool, bool]], start: int) -> None:
    players = [
        Player(
            id=f"p{i}", name=f"P{i}", role=Role.PLAYER if is_player else Role.FACILITATOR, connected=connected
        )
        for i, (is_player, connected) in enumerate(seats)
    ]
    seated = [p for p in players if p.role is Role.PLAYER]
    current = players[start].id if start < len(players) else None
    chosen = next_reader(players, current)
    if not seated:
        assert chosen is None
        return
    assert chosen in {p.id for p in seated}
    connected = [p for p in seated if p.connected]
    if connected:
        assert chosen in {p.id for p in connected}


@given(st.integers(2, 8))
def test_rotation_visits_every_connected_player_in_turn(n: int) -> None:
    players = [Player(id=f"p{i}", name=f"P{i}", role=Role.PLAYER, connected=True) for i in range(n)]
    seen, current = [], None
    for _ in range(n):
        current = next_reader(players, current)
        seen.append(current)
    assert seen == [p.id for p in players]


# --- the quorum at the reveal (CONTRACT §4.1) and the session's framing ----------------------


def drawn(state: RoomState, card: str) -> RoomState:
    """Start, then draw until ``card`` is the current card (skipping others)."""
    state = step(state, "fac", c.Start())
    while True:
        state = step(state, "fac", c.Draw())
        assert state.current is not None
        if state.current.card_id == card:
            return state
        state = step(state, "fac", c.Skip())


def test_reveal_records_who_is_present_and_the_quorum_follows() -> None:
    state = drawn(room("Ana", "Ben", "Cle", "Dan"), "c2")
    state = step(state, "ana", c.Answer("c2", "q1", "no"))  # 1 vote of 4 present
    state = step(state, "dan", c.Disconnect())  # 3 present at the reveal
    state = step(state, "fac", c.Reveal())
    assert state.current is not None and state.current.present == 3
    state = step(state, "dan", c.Connect())  # coming back after the reveal changes nothing
    state = step(state, "fac", c.Next())
    result = state.closed[-1].results[0]
    assert (result.present, result.quorum, result.group_answer) == (3, 2, "insufficient")


@pytest.mark.parametrize(
    ("votes", "settings", "expected"),
    [
        (("no", "no"), {}, "no"),  # 2 of 4: the quorum of half
        (("no",), {"quorum_percent": 25, "quorum_min": 1}, "no"),
        (("no", "no"), {"quorum_percent": 75}, "insufficient"),  # 3 needed
        (("no", "yes", "unsure"), {}, "divided"),  # 1-1-1, divergent too
        (("unsure", "unsure", "yes"), {}, "to_clarify"),
        (("unsure", "unsure"), {}, "to_clarify"),
    ],
)
def test_group_answer_at_the_reveal(votes: tuple[str, ...], settings: dict[str, int], expected: str) -> None:
    state = drawn(room("Ana", "Ben", "Cle", "Dan", **settings), "c2")
    for who, value in zip(("ana", "ben", "cle"), votes, strict=False):
        state = step(state, who, c.Answer("c2", "q1", value))
    state = step(state, "fac", c.Reveal(), c.Next())
    result = state.closed[-1].results[0]
    assert result.group_answer == expected
    assert result.divergent is (sorted(votes) == ["no", "unsure", "yes"])


def test_a_consensus_overrides_the_quorum() -> None:
    state = drawn(room("Ana", "Ben", "Cle", "Dan"), "c2")
    state = step(state, "fac", c.Reveal(), c.Consensus("q1", "yes"), c.Next())
    assert state.closed[-1].results[0].group_answer == "yes"


def test_frame_sets_and_clears_the_framing() -> None:
    state = room("Ana")
    system = {"name": "Planificateur", "purpose": "Proposer les plannings", "users": "", "stage": "pilot"}
    state = step(
        state,
        "fac",
        c.Frame((("title", "Atelier  du 3 mars"), ("ai_system", AiSystem.model_validate(system)))),
    )
    assert state.settings.title == "Atelier  du 3 mars"
    assert state.settings.ai_system is not None and state.settings.ai_system.stage == "pilot"
    state = step(state, "fac", c.Start(), c.Frame((("organisation", "Boulangerie Martin"),)))
    assert state.settings.title == "Atelier  du 3 mars"  # left out: unchanged
    assert state.settings.organisation == "Boulangerie Martin"
    state = step(state, "fac", c.Frame((("ai_system", None), ("company_size", "11_49"))))
    assert state.settings.ai_system is None and state.settings.company_size == "11_49"
    with pytest.raises(GameError) as err:
        apply(MINI, state, "ana", c.Frame((("title", "x"),)), NOW)
    assert err.value.code == "not_facilitator"
    state = step(state, "fac", c.Finish())
    with pytest.raises(GameError) as err:
        apply(MINI, state, "fac", c.Frame((("title", "x"),)), NOW)
    assert err.value.code == "wrong_phase"


@pytest.mark.parametrize(
    "settings",
    [
        {"title": "x" * 121},
        {"organisation": "a\nb"},
        {"title": "\u202eevil"},
        {"ai_system": {"name": "x" * 81}},
        {"ai_system": {"purpose": "x" * 301}},
        {"ai_system": {"users": "tab\there"}},
        {"ai_system": {"stage": "prod"}},
        {"quorum_percent": 0},
        {"quorum_percent": 101},
        {"quorum_min": 0},
        {"quorum_min": 51},
        {"company_size": "huge"},
    ],
)
def test_framing_settings_are_validated(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RoomSettings.model_validate(settings)


def test_framing_texts_are_trimmed() -> None:
    s = RoomSettings.model_validate({"title": "  Atelier  ", "ai_system": {"name": " Outil "}})
    assert s.title == "Atelier" and s.ai_system is not None and s.ai_system.name == "Outil"
    assert RoomSettings.model_validate({"title": " " + "x" * 120 + " "}).title == "x" * 120


def test_replace_is_model_copy_without_its_cost() -> None:
    """``Frozen.replace`` (the hot path's copy) gives what ``model_copy(update=…)`` gives:
    equal models, the same fields marked as set, still frozen, the original untouched."""
    state = step(room("Ana", "Ben"), "fac", c.Start())
    for update in ({"version": 99}, {"reader_id": "ben", "version": 3}, {}):
        fast, slow = state.replace(**update), state.model_copy(update=update)
        assert fast == slow and fast is not state
        assert fast.model_fields_set == slow.model_fields_set
        assert fast.model_dump_json() == slow.model_dump_json()
        assert fast.__pydantic_extra__ is None and fast.__pydantic_private__ is None
    # a field left to its default is marked as set once replaced; the original's mark is not
    settings = RoomSettings.model_validate({"title": "Atelier"})
    assert settings.model_fields_set == {"title"}
    assert settings.replace(anonymous=False).model_fields_set == {"title", "anonymous"}
    assert settings.replace(title="B").model_fields_set == {"title"}
    assert settings.model_fields_set == {"title"}
    changed = state.replace(version=42)
    assert state.version != 42 and changed.version == 42
    with pytest.raises(ValueError):
        changed.version = 7  # type: ignore[misc]
    changed.__dict__["version"] = 1
    assert state.version != 1  # its own dict, not the original's
