"""The tally and the synthesis rule of CONTRACT.md §4, by example and by property."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.criteria import CRITERIA
from server.core.deck import parse_deck
from server.core.state import ClosedCard, QuestionResult
from server.core.synthesis import level_for, synthesize
from server.core.tally import Tally, count, group_answer, is_divergent

MINI = parse_deck(json.loads((Path(__file__).parent.parent / "fixtures/mini-deck.json").read_text()))
votes = st.lists(st.sampled_from(["yes", "no", "unsure"]), max_size=60)


@pytest.mark.parametrize(
    ("values", "consensus", "expected"),
    [
        (["yes", "yes", "no"], None, "yes"),
        (["no", "no", "yes", "unsure", "unsure"], None, "no"),
        (["yes", "no"], None, "divided"),
        (["unsure", "unsure"], None, "divided"),
        ([], None, "divided"),
        (["yes", "yes", "no"], "no", "no"),
        (["yes"], "unsure", "unsure"),
    ],
)
def test_group_answer(values: list[str], consensus: str | None, expected: str) -> None:
    assert group_answer(count(values), consensus) == expected


@pytest.mark.parametrize(
    ("yes", "no", "divergent"),
    [(2, 0, False), (1, 1, False), (2, 1, True), (3, 1, False), (4, 2, True), (6, 3, True),
     (7, 3, False), (5, 0, False), (2, 2, True)],
)
def test_divergence(yes: int, no: int, divergent: bool) -> None:
    assert is_divergent(Tally(yes=yes, no=no)) is divergent


@given(votes)
def test_tally_counts_every_vote(values: list[str]) -> None:
    tally = count(values)
    assert tally.yes + tally.no + tally.unsure == tally.answered == len(values)


@given(votes)
def test_majority_matches_counts(values: list[str]) -> None:
    tally = count(values)
    answer = group_answer(tally, None)
    yes, no = values.count("yes"), values.count("no")
    assert answer == ("yes" if yes > no else "no" if no > yes else "divided")


@given(votes, st.integers(min_value=0, max_value=20))
def test_unsure_votes_never_change_the_majority(values: list[str], extra: int) -> None:
    with_unsure = values + ["unsure"] * extra
    assert group_answer(count(values), None) == group_answer(count(with_unsure), None)


@given(votes)
def test_divergence_is_symmetric(values: list[str]) -> None:
    flipped = ["no" if v == "yes" else "yes" if v == "no" else v for v in values]
    assert is_divergent(count(values)) == is_divergent(count(flipped))


@pytest.mark.parametrize(
    ("answered", "risks", "level"),
    [(0, 0, "not_assessed"), (3, 0, "ok"), (3, 1, "watch"), (5, 2, "watch"), (4, 2, "alert"),
     (2, 2, "alert")],
)
def test_levels(answered: int, risks: int, level: str) -> None:
    assert level_for(answered, risks) == level


def closed(card_id: str, results: dict[str, tuple[int, int, str | None]]) -> ClosedCard:
    out = []
    for qid, (yes, no, consensus) in results.items():
        tally = Tally(yes=yes, no=no, answered=yes + no)
        out.append(QuestionResult(question_id=qid, tally=tally,
                                  group_answer=group_answer(tally, consensus),
                                  consensus=consensus, divergent=is_divergent(tally)))
    return ClosedCard(card_id=card_id, outcome="played", results=tuple(out))


def test_synthesis_by_example() -> None:
    # c1.q1 autonomie risk "no"; c1.q2 surveillance risk "yes"; c2.q1 responsabilite risk "no";
    # c3.q1 relations_humaines risk "yes"
    played = (
        closed("c1", {"q1": (1, 2, None), "q2": (2, 2, None)}),
        closed("c2", {"q1": (3, 0, None)}),
        closed("c3", {"q1": (0, 4, "yes")}),
        ClosedCard(card_id="c2", outcome="skipped"),
    )
    synthesis = synthesize(MINI, played)
    by = {c.criterion: c for c in synthesis.criteria}
    assert [c.criterion for c in synthesis.criteria] == list(CRITERIA)
    assert by["autonomie"].level == "alert" and by["autonomie"].risks == 1
    assert [q.question_id for q in by["autonomie"].divergent_questions] == ["q1"]
    assert by["surveillance"].level == "not_assessed"  # a tie is divided: not answered
    assert by["surveillance"].questions == 1
    assert by["surveillance"].divergent_questions[0].card_id == "c1"
    assert by["responsabilite"].level == "ok"
    assert by["relations_humaines"].level == "alert"  # the consensus wins over the votes
    assert by["relations_humaines"].risk_questions[0].consensus is True
    assert by["reconnaissance"].level == "not_assessed"
    assert synthesis.cards_played == 3 and synthesis.cards_skipped == 1


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=4, max_size=4))
def test_synthesis_counts_are_consistent(tallies: list[tuple[int, int]]) -> None:
    (a, b, c, d) = tallies
    played = (
        closed("c1", {"q1": (*a, None), "q2": (*b, None)}),
        closed("c2", {"q1": (*c, None)}),
        closed("c3", {"q1": (*d, None)}),
    )
    for crit in synthesize(MINI, played).criteria:
        assert 0 <= crit.risks <= crit.answered <= crit.questions
        assert len(crit.risk_questions) == crit.risks
        assert crit.level == level_for(crit.answered, crit.risks)
