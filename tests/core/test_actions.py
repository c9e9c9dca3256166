"""Actions and follow-ups in the pure core (issue 16): who may, when, limits, the snapshot of an
earlier summary, the statuses, unlinking, and what the views and the summary carry."""

import json

import pytest

from server.core import commands as c
from server.core.followup import ACTION_OWNER, ACTION_TEXT, MAX_ACTIONS, snapshot
from server.core.rules import apply
from server.core.state import RoomState
from server.core.views import public_view, public_view_json
from server.errors import AppError, BadMessage, GameError
from server.summary import csv_export, markdown
from server.summary.compare import trend
from server.summary.html import render_report
from server.summary.model import build_summary
from tests.summary.factory import mini_deck, play

NOW = 1_800_000_000.0


def _code(exc: pytest.ExceptionInfo[AppError]) -> str:
    return exc.value.code


def _played(**kw: object) -> RoomState:
    return play(mini_deck(), players=3, **kw)  # type: ignore[arg-type]


def test_everyone_adds_the_facilitator_edits_and_removes() -> None:
    deck = mini_deck()
    state = _played()
    state = apply(
        deck,
        state,
        "p0",
        c.AddAction(
            "Demander au fournisseur la notice",
            owner="  la DRH  ",
            due="2027-03-12",
            criterion="responsabilite",
            guide_step=3,
        ),
        NOW,
    )
    state = apply(deck, state, "fac", c.AddAction("Former l'équipe", criterion="savoir_faire"), NOW)
    assert [a.id for a in state.actions] == ["a1", "a2"]
    first = state.actions[0]
    assert (first.owner, first.due, first.criterion, first.guide_step) == (
        "la DRH",
        "2027-03-12",
        "responsabilite",
        3,
    )
    with pytest.raises(GameError) as exc:
        apply(deck, state, "p1", c.EditAction("a1", (("owner", "moi"),)), NOW)
    assert _code(exc) == "not_facilitator"
    with pytest.raises(GameError) as exc:
        apply(deck, state, "p1", c.RemoveAction("a1"), NOW)
    assert _code(exc) == "not_facilitator"
    state = apply(deck, state, "fac", c.EditAction("a1", (("owner", "Le CSE"), ("due", None))), NOW)
    assert (state.actions[0].owner, state.actions[0].due, state.actions[0].text) == (
        "Le CSE",
        None,
        "Demander au fournisseur la notice",
    )
    state = apply(deck, state, "fac", c.RemoveAction("a2"), NOW)
    assert [a.id for a in state.actions] == ["a1"]
    # ids are never reused after a removal
    state = apply(deck, state, "p2", c.AddAction("Refaire le point en juin"), NOW)
    assert [a.id for a in state.actions] == ["a1", "a3"]
    with pytest.raises(GameError) as exc:
        apply(deck, state, "fac", c.RemoveAction("a2"), NOW)
    assert _code(exc) == "unknown_action"


@pytest.mark.parametrize(
    ("cmd", "code"),
    [
        (c.AddAction(""), "text_empty"),
        (c.AddAction(" \n\t "), "text_empty"),
        (c.AddAction("x" * (ACTION_TEXT + 1)), "text_too_long"),
        (c.AddAction("ok", owner="o" * (ACTION_OWNER + 1)), "owner_too_long"),
        (c.AddAction("ok", due="12/03/2027"), "bad_date"),
        (c.AddAction("ok", due="2027-02-30"), "bad_date"),
        (c.AddAction("ok", criterion="bonheur"), "unknown_criterion"),
        (c.AddAction("ok", guide_step=0), "unknown_step"),
        (c.AddAction("ok", guide_step=10), "unknown_step"),
        (c.AddAction("ok", card_id="nope", note=0), "unknown_card"),
        (c.AddAction("", card_id="c1", note=5), "unknown_note"),
        (c.AddAction("", note=0), "missing_field"),
    ],
)
def test_bad_actions_are_refused_and_change_nothing(cmd: c.AddAction, code: str) -> None:
    state = _played()
    with pytest.raises(AppError) as exc:
        apply(mini_deck(), state, "p0", cmd, NOW)
    assert _code(exc) == code
    assert state.actions == ()


def test_an_action_from_a_note_takes_its_words_and_its_card() -> None:
    deck = mini_deck()
    state = _played(note="Vérifier\nqui valide le planning")
    card_id = state.closed[0].card_id
    state = apply(deck, state, "p1", c.AddAction(card_id=card_id, note=0, criterion="autonomie"), NOW)
    action = state.actions[0]
    assert action.text == "Vérifier qui valide le planning"  # one line
    assert action.card_id == card_id
    # a text typed by the group wins over the note's
    state = apply(deck, state, "p1", c.AddAction("Autre chose", card_id=card_id, note=0), NOW)
    assert state.actions[1].text == "Autre chose"


def test_a_long_note_is_cut_to_fit() -> None:
    deck = mini_deck()
    state = _played(note="mot " * 200)
    state = apply(deck, state, "p0", c.AddAction(card_id=state.closed[0].card_id, note=0), NOW)
    assert len(state.actions[0].text) == ACTION_TEXT and state.actions[0].text.endswith("…")


def test_actions_are_bounded_and_not_in_the_lobby() -> None:
    deck = mini_deck()
    state = _played()
    for i in range(MAX_ACTIONS):
        state = apply(deck, state, "p0", c.AddAction(f"action {i}"), NOW)
    with pytest.raises(GameError) as exc:
        apply(deck, state, "p0", c.AddAction("one more"), NOW)
    assert _code(exc) == "too_many_actions"
    lobby = play(deck, players=2, cards=0, finish=False)
    lobby = lobby.model_copy(update={"phase": lobby.phase.LOBBY})
    with pytest.raises(GameError) as exc:
        apply(deck, lobby, "p0", c.AddAction("trop tôt"), NOW)
    assert _code(exc) == "wrong_phase"


def test_no_author_is_ever_recorded() -> None:
    deck = mini_deck()
    for anonymous in (True, False):
        state = _played(anonymous=anonymous)
        state = apply(deck, state, "p0", c.AddAction("Une action", owner="Participant 1"), NOW)
        dumped = state.actions[0].model_dump()
        assert "Participant 0" not in json.dumps(dumped)
        assert set(dumped) == {
            "id",
            "text",
            "owner",
            "due",
            "criterion",
            "guide_step",
            "card_id",
            "created_at",
        }


def _earlier_summary() -> dict[str, object]:
    deck = mini_deck()
    state = _played()
    state = apply(
        deck,
        state,
        "p0",
        c.AddAction(
            "Informer le CSE", owner="Direction", due="2027-01-15", criterion="surveillance", guide_step=2
        ),
        NOW,
    )
    state = apply(deck, state, "p1", c.AddAction("Former les équipes"), NOW)
    return build_summary(deck, state, "EARLY1").model_dump(mode="json")


def test_a_snapshot_keeps_levels_actions_and_answers_and_no_names() -> None:
    data = _earlier_summary()
    earlier = snapshot(data, "import")
    assert earlier.code == "EARLY1" and earlier.source == "import"
    assert [a.text for a in earlier.actions] == ["Informer le CSE", "Former les équipes"]
    assert len(earlier.criteria) == 6
    assert earlier.answers and all(a.group_answer is not None for a in earlier.answers)
    assert "Participant" not in earlier.model_dump_json()
    for bad in ([], {"format": "other"}, {**data, "synthesis": {"criteria": "x"}}):
        with pytest.raises(BadMessage) as exc:
            snapshot(bad, "import")
        assert exc.value.code == "bad_summary"


def test_a_follow_up_sets_statuses_compares_and_unlinks() -> None:
    deck = mini_deck()
    earlier = snapshot(_earlier_summary(), "room")
    state = play(deck, players=3, seed=11, finish=False, cards=0)
    state = state.model_copy(update={"follows": earlier})
    state = apply(deck, state, "p2", c.SetActionStatus("a1", "done"), NOW)
    state = apply(deck, state, "fac", c.SetActionStatus("a2", "dropped"), NOW)
    state = apply(deck, state, "fac", c.SetActionStatus("a2", None), NOW)
    assert state.follows is not None and state.follows.statuses == {"a1": "done"}
    with pytest.raises(GameError) as exc:
        apply(deck, state, "p0", c.SetActionStatus("a9", "done"), NOW)
    assert _code(exc) == "unknown_action"
    view = public_view(deck, state)
    assert view["follows"]["actions"][0]["status"] == "done"
    assert json.loads(public_view_json(deck, state)) == view

    while state.pile:
        state = apply(deck, state, "fac", c.Draw(), NOW)
        assert state.current is not None
        for q in (deck.card(state.current.card_id) or pytest.fail()).questions:
            for p in ("p0", "p1", "p2"):
                state = apply(
                    deck,
                    state,
                    p,
                    c.Answer(state.current.card_id, q.id, "yes" if q.kind == "yes_no" else "t"),
                    NOW,
                )
        state = apply(deck, state, "fac", c.Reveal(), NOW)
        state = apply(deck, state, "fac", c.Next(), NOW)
    state = apply(deck, state, "fac", c.Finish(), NOW)
    s = build_summary(deck, state, "LATER1")
    assert s.follows is not None
    assert s.follows.criteria[0].criterion == "autonomie"
    assert s.follows.questions and all(q.now == "yes" for q in s.follows.questions)
    assert [a.status for a in s.follows.actions] == ["done", None]
    md = markdown.render_markdown(s)
    assert "- [x] Informer le CSE" in md and "- [ ] Former les équipes" in md
    assert "Depuis la session précédente" in md
    html = render_report(s, "web", token="t", kind="share")
    assert "Avant" in html and "Faite" in html
    csv_text = csv_export.render_csv(s).decode("utf-8-sig")
    assert "Niveau avant;" in csv_text and "Informer le CSE" in csv_text

    unlinked = apply(deck, state, None, c.Unlink(), NOW)
    assert unlinked.follows is None
    assert build_summary(deck, unlinked, "LATER1").follows is None


def test_status_only_in_a_follow_up() -> None:
    state = _played()
    with pytest.raises(GameError) as exc:
        apply(mini_deck(), state, "p0", c.SetActionStatus("a1", "done"), NOW)
    assert _code(exc) == "not_a_follow_up"


def test_trend_compares_assessed_levels_only() -> None:
    assert trend("alert", "watch") == "better"
    assert trend("ok", "alert") == "worse"
    assert trend("watch", "watch") == "same"
    assert trend("not_assessed", "ok") == "not_comparable"
    assert trend(None, "ok") == "not_comparable"


def test_actions_in_every_format() -> None:
    deck = mini_deck()
    state = _played()
    state = apply(
        deck,
        state,
        "p0",
        c.AddAction(
            "Écrire *la* charte", owner="=Équipe RH", due="2027-06-30", criterion="autonomie", guide_step=6
        ),
        NOW,
    )
    s = build_summary(deck, state, "ABCDEF")
    assert s.actions[0].guide_step_title and s.actions[0].criterion_label == "Autonomie"
    md = markdown.render_markdown(s)
    assert "- [ ] Écrire \\*la\\* charte — **Qui\u00a0:** \\=Équipe RH" in md
    assert "30 juin 2027" in md
    csv_text = csv_export.render_csv(s).decode("utf-8-sig")
    assert "'=Équipe RH" in csv_text  # never a formula
    html = render_report(s, "web", token="t", kind="share")
    assert "Écrire *la* charte" in html and "Actions décidées" in html
