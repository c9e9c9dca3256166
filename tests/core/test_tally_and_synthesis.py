"""The tally and the synthesis rule of CONTRACT.md §4 as revised by §4.1 (docs/protocol.md,
"The synthesis rule"), by example and by property."""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.criteria import CRITERIA
from server.core.deck import parse_deck
from server.core.state import ClosedCard, QuestionResult
from server.core.synthesis import level_for, synthesize
from server.core.tally import Tally, count, group_answer, is_divergent, is_three_way_split, quorum

MINI = parse_deck(json.loads((Path(__file__).parent.parent / "fixtures/mini-deck.json").read_text()))
votes = st.lists(st.sampled_from(["yes", "no", "unsure"]), max_size=60)
consensus_values = st.sampled_from([None, "yes", "no", "unsure"])


@pytest.mark.parametrize(
    ("values", "consensus", "needed", "expected"),
    [
        (["yes", "yes", "no"], None, 2, "yes"),
        (["no", "no", "yes", "unsure", "unsure"], None, 2, "no"),  # 2 unsure < 2 + 1
        (["no", "no", "yes", "unsure"], None, 2, "no"),
        (["yes", "no"], None, 2, "divided"),
        (["yes", "no", "unsure"], None, 2, "divided"),  # 1-1-1: a tie of yes/no, unsure < 2
        (["unsure", "unsure"], None, 2, "to_clarify"),
        (["yes", "unsure"], None, 2, "to_clarify"),  # unsure ≥ yes + no
        (["yes", "yes", "unsure", "unsure"], None, 2, "to_clarify"),
        (["yes"], None, 2, "insufficient"),  # 1 vote of the 2 needed
        ([], None, 1, "insufficient"),  # never "divided" on 0 votes
        ([], None, 0, "to_clarify"),
        (["yes", "yes"], None, 3, "insufficient"),
        (["yes", "yes", "no"], "no", 2, "no"),  # the consensus overrides the majority…
        (["yes"], "unsure", 2, "unsure"),
        ([], "yes", 5, "yes"),  # …and the quorum
        (["unsure", "unsure", "unsure"], "no", 2, "no"),  # …and "to clarify"
    ],
)
def test_group_answer(values: list[str], consensus: str | None, needed: int, expected: str) -> None:
    assert group_answer(count(values), consensus, needed) == expected


@pytest.mark.parametrize(
    ("present", "percent", "minimum", "expected"),
    [
        (0, 50, 2, 1),
        (1, 50, 2, 1),
        (2, 50, 2, 2),
        (3, 50, 2, 2),
        (4, 50, 2, 2),
        (5, 50, 2, 3),
        (9, 50, 2, 5),
        (10, 50, 2, 5),
        (30, 50, 2, 15),
        (4, 100, 2, 4),
        (4, 1, 2, 2),
        (4, 1, 1, 1),
        (3, 50, 5, 3),
        (7, 34, 2, 3),
        (100, 50, 50, 50),
    ],
)
def test_quorum(present: int, percent: int, minimum: int, expected: int) -> None:
    assert quorum(present, percent, minimum) == expected


@given(st.integers(0, 5000), st.integers(1, 100), st.integers(1, 50))
def test_quorum_formula(present: int, percent: int, minimum: int) -> None:
    needed = quorum(present, percent, minimum)
    if present == 0:
        assert needed == 1
        return
    assert needed == min(present, max(minimum, math.ceil(present * percent / 100)))
    assert 1 <= needed <= present
    assert needed >= min(present, minimum)  # "at least 2 when 2 or more are present"
    assert 100 * needed >= present * percent or needed == present
    assert quorum(present + 1, percent, minimum) >= needed  # more people never need fewer


@given(votes, consensus_values, st.integers(0, 30))
def test_rule_in_order(values: list[str], consensus: str | None, needed: int) -> None:
    tally = count(values)
    answer = group_answer(tally, consensus, needed)
    yes, no, unsure = values.count("yes"), values.count("no"), values.count("unsure")
    if consensus is not None:
        assert answer == consensus
    elif len(values) < needed:
        assert answer == "insufficient"
    elif unsure >= yes + no:
        assert answer == "to_clarify"
    else:
        assert answer == ("yes" if yes > no else "no" if no > yes else "divided")


@given(votes, st.integers(0, 30))
def test_divided_never_on_zero_yes_no_votes(values: list[str], needed: int) -> None:
    tally = count(values)
    if tally.yes + tally.no == 0:
        assert group_answer(tally, None, needed) in ("to_clarify", "insufficient")


@given(votes, st.integers(0, 30))
def test_an_answered_question_met_the_quorum_and_the_unsure_bound(values: list[str], needed: int) -> None:
    tally = count(values)
    if group_answer(tally, None, needed) in ("yes", "no"):
        assert tally.voted >= needed and tally.unsure < tally.yes + tally.no


@given(votes)
def test_tally_counts_every_vote(values: list[str]) -> None:
    tally = count(values)
    assert tally.yes + tally.no + tally.unsure == tally.answered == tally.voted == len(values)


@pytest.mark.parametrize(
    ("yes", "no", "divergent"),
    [
        (2, 0, False),
        (1, 1, False),
        (2, 1, True),
        (3, 1, False),
        (4, 2, True),
        (6, 3, True),
        (7, 3, False),
        (5, 0, False),
        (2, 2, True),
    ],
)
def test_divergence_of_yes_and_no(yes: int, no: int, divergent: bool) -> None:
    assert is_divergent(Tally(yes=yes, no=no)) is divergent


@pytest.mark.parametrize(
    ("yes", "no", "unsure", "split"),
    [
        (1, 1, 1, True),
        (2, 1, 1, True),
        (1, 1, 2, True),
        (2, 2, 1, True),
        (3, 1, 1, False),
        (1, 1, 3, False),
        (0, 1, 1, False),
        (1, 0, 2, False),
        (5, 2, 1, False),
        (4, 3, 1, True),
    ],
)
def test_three_way_split_is_divergent(yes: int, no: int, unsure: int, split: bool) -> None:
    tally = Tally(yes=yes, no=no, unsure=unsure)
    assert is_three_way_split(tally) is split
    if split:
        assert is_divergent(tally)


@given(votes)
def test_divergence_is_symmetric(values: list[str]) -> None:
    flipped = ["no" if v == "yes" else "yes" if v == "no" else v for v in values]
    assert is_divergent(count(values)) == is_divergent(count(flipped))


@given(votes)
def test_a_strict_majority_is_never_a_three_way_split(values: list[str]) -> None:
    tally = count(values)
    if any(2 * part > tally.voted for part in (tally.yes, tally.no, tally.unsure)):
        assert not is_three_way_split(tally)


@pytest.mark.parametrize(
    ("answered", "risks", "level"),
    [
        (0, 0, "not_assessed"),
        (3, 0, "ok"),
        (3, 1, "watch"),
        (5, 2, "watch"),
        (4, 2, "alert"),
        (2, 2, "alert"),
    ],
)
def test_levels(answered: int, risks: int, level: str) -> None:
    assert level_for(answered, risks) == level


def closed(
    card_id: str, results: dict[str, tuple[int, int, int, str | None]], present: int = 4
) -> ClosedCard:
    out = []
    needed = quorum(present)
    for qid, (yes, no, unsure, consensus) in results.items():
        tally = Tally(yes=yes, no=no, unsure=unsure, answered=yes + no + unsure)
        out.append(
            QuestionResult(
                question_id=qid,
                tally=tally,
                group_answer=group_answer(tally, consensus, needed),
                consensus=consensus,
                divergent=is_divergent(tally),
                present=present,
                quorum=needed,
            )
        )
    return ClosedCard(card_id=card_id, outcome="played", results=tuple(out))


def test_synthesis_by_example() -> None:
    # c1.q1 autonomie risk "no"; c1.q2 surveillance risk "yes"; c2.q1 responsabilite risk "no";
    # c3.q1 relations_humaines risk "yes"
    played = (
        closed("c1", {"q1": (1, 2, 0, None), "q2": (2, 2, 0, None)}),
        closed("c2", {"q1": (3, 0, 0, None)}),
        closed("c3", {"q1": (0, 4, 0, "yes")}),
        ClosedCard(card_id="c2", outcome="skipped"),
    )
    synthesis = synthesize(MINI, played)
    by = {c.criterion: c for c in synthesis.criteria}
    assert [c.criterion for c in synthesis.criteria] == list(CRITERIA)
    assert by["autonomie"].level == "alert" and by["autonomie"].risks == 1
    assert by["autonomie"].indicative  # one answered question
    assert [q.question_id for q in by["autonomie"].divergent_questions] == ["q1"]
    assert by["surveillance"].level == "not_assessed"  # a tie is divided: not answered
    assert by["surveillance"].questions == 1 and by["surveillance"].divided == 1
    assert not by["surveillance"].indicative
    assert by["surveillance"].divergent_questions[0].card_id == "c1"
    assert by["responsabilite"].level == "ok"
    assert by["relations_humaines"].level == "alert"  # the consensus wins over the votes
    assert by["relations_humaines"].risk_questions[0].consensus is True
    assert by["reconnaissance"].level == "not_assessed"
    assert synthesis.cards_played == 3 and synthesis.cards_skipped == 1


def test_thin_turnout_and_unsure_are_listed_not_counted() -> None:
    played = (
        # 6 present (quorum 3): 1 vote is insufficient; unsure 2 ≥ 1 + 0 is to clarify
        closed("c1", {"q1": (0, 1, 0, None), "q2": (1, 0, 2, None)}, present=6),
        # 1-1-1 of 3 present: divided and divergent; the consensus "unsure" is to clarify
        closed("c2", {"q1": (1, 1, 1, None)}, present=3),
        closed("c3", {"q1": (3, 0, 0, "unsure")}, present=3),
    )
    by = {c.criterion: c for c in synthesize(MINI, played).criteria}
    autonomie = by["autonomie"]
    assert autonomie.level == "not_assessed" and autonomie.answered == 0
    assert autonomie.insufficient == 1
    assert [(q.card_id, q.question_id, q.present, q.quorum) for q in autonomie.insufficient_questions] == [
        ("c1", "q1", 6, 3)
    ]
    surveillance = by["surveillance"]
    assert surveillance.to_clarify == 1 and surveillance.level == "not_assessed"
    assert surveillance.to_clarify_questions[0].group_answer == "to_clarify"
    responsabilite = by["responsabilite"]
    assert responsabilite.divided == 1 and responsabilite.divergent_questions
    relations = by["relations_humaines"]
    assert relations.to_clarify_questions[0].group_answer == "unsure"
    assert relations.to_clarify_questions[0].consensus


answers = st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), consensus_values)


@given(st.lists(answers, min_size=4, max_size=4), st.integers(0, 12))
def test_synthesis_counts_are_consistent(
    tallies: list[tuple[int, int, int, str | None]], present: int
) -> None:
    (a, b, c, d) = tallies
    played = (
        closed("c1", {"q1": a, "q2": b}, present),
        closed("c2", {"q1": c}, present),
        closed("c3", {"q1": d}, present),
    )
    for crit in synthesize(MINI, played).criteria:
        assert 0 <= crit.risks <= crit.answered <= crit.questions
        assert crit.answered + crit.to_clarify + crit.insufficient + crit.divided == crit.questions
        assert len(crit.risk_questions) == crit.risks
        assert len(crit.to_clarify_questions) == crit.to_clarify
        assert len(crit.insufficient_questions) == crit.insufficient
        assert crit.level == level_for(crit.answered, crit.risks)
        assert crit.indicative == (0 < crit.answered < 3)
