"""The synthesis rule (CONTRACT.md §4 and §4.1): a pure function of the deck and the closed cards.

Per criterion: ``answered`` counts its questions whose group answer is yes or no, ``risks`` those
that signal a risk, and the level follows from them (``level_for``). What the level does not rest
on is counted too: questions ``to_clarify`` (unsure at least yes + no, or a consensus of
"unsure"), ``insufficient`` (under the quorum) and ``divided`` (a tie). A level resting on fewer
than ``INDICATIVE_BELOW`` answered questions is ``indicative``.
"""

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from server.core.criteria import CRITERIA, DIMENSIONS, CriterionId, DimensionId
from server.core.deck import Deck
from server.core.state import ClosedCard, Note
from server.core.tally import GroupAnswer, Tally

Level = Literal["not_assessed", "ok", "watch", "alert"]
INDICATIVE_BELOW: Final = 3


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class QuestionRef(_Frozen):
    card_id: str
    card_title: str
    question_id: str
    text: str
    group_answer: GroupAnswer
    consensus: bool
    risk_answer: str
    tally: Tally
    present: int = 0
    quorum: int = 0


class CardNotes(_Frozen):
    card_id: str
    card_title: str
    notes: tuple[Note, ...]


class CriterionSynthesis(_Frozen):
    criterion: CriterionId
    dimension: DimensionId
    level: Level
    answered: int
    risks: int
    questions: int  # yes/no questions of played cards behind this criterion
    risk_questions: tuple[QuestionRef, ...]
    divergent_questions: tuple[QuestionRef, ...]
    notes: tuple[CardNotes, ...]
    indicative: bool = False  # 0 < answered < INDICATIVE_BELOW
    to_clarify: int = 0
    to_clarify_questions: tuple[QuestionRef, ...] = ()
    insufficient: int = 0
    insufficient_questions: tuple[QuestionRef, ...] = ()
    divided: int = 0


class Synthesis(_Frozen):
    criteria: tuple[CriterionSynthesis, ...]
    cards_played: int
    cards_skipped: int


def level_for(answered: int, risks: int) -> Level:
    if answered == 0:
        return "not_assessed"
    if risks == 0:
        return "ok"
    return "watch" if risks / answered < 0.5 else "alert"


def is_indicative(answered: int) -> bool:
    return 0 < answered < INDICATIVE_BELOW


def is_to_clarify(group: GroupAnswer) -> bool:
    """The group does not know: the rule said so, or the group agreed on "unsure"."""
    return group in ("to_clarify", "unsure")


def _dimension_of(criterion: CriterionId) -> DimensionId:
    return next(d for d, members in DIMENSIONS.items() if criterion in members)


Buckets = dict[str, list[QuestionRef]]
BUCKETS = ("all", "answered", "risks", "divergent", "to_clarify", "insufficient", "divided")


def synthesize(deck: Deck, closed: tuple[ClosedCard, ...]) -> Synthesis:
    per: dict[CriterionId, Buckets] = {k: {b: [] for b in BUCKETS} for k in CRITERIA}
    cards_for: dict[CriterionId, list[ClosedCard]] = {k: [] for k in CRITERIA}
    played = [cc for cc in closed if cc.outcome == "played"]
    for cc in played:
        card = deck.card(cc.card_id)
        if card is None:
            continue
        for result in cc.results:
            question = card.question(result.question_id)
            if question is None or question.kind != "yes_no" or question.criterion is None:
                continue
            if result.group_answer is None:
                continue
            ref = QuestionRef(
                card_id=card.id,
                card_title=card.title,
                question_id=question.id,
                text=question.text,
                group_answer=result.group_answer,
                consensus=result.consensus is not None,
                risk_answer=question.risk_answer or "",
                tally=result.tally,
                present=result.present,
                quorum=result.quorum,
            )
            _sort_into(per[question.criterion], ref, result.divergent)
            # by identity: ``in`` compared whole closed cards field by field (~3,000 times)
            if not any(other is cc for other in cards_for[question.criterion]):
                cards_for[question.criterion].append(cc)
    return Synthesis(
        criteria=tuple(_criterion(deck, k, per[k], cards_for[k]) for k in CRITERIA),
        cards_played=len(played),
        cards_skipped=sum(1 for cc in closed if cc.outcome == "skipped"),
    )


def _sort_into(bucket: Buckets, ref: QuestionRef, divergent: bool) -> None:
    """A group answer to a yes/no question, in the buckets of its criterion."""
    bucket["all"].append(ref)
    if ref.group_answer in ("yes", "no"):
        bucket["answered"].append(ref)
        if ref.group_answer == ref.risk_answer:
            bucket["risks"].append(ref)
    elif is_to_clarify(ref.group_answer):
        bucket["to_clarify"].append(ref)
    elif ref.group_answer == "insufficient":
        bucket["insufficient"].append(ref)
    else:
        bucket["divided"].append(ref)
    if divergent:
        bucket["divergent"].append(ref)


def _criterion(
    deck: Deck, criterion: CriterionId, bucket: Buckets, cards: list[ClosedCard]
) -> CriterionSynthesis:
    answered, risks = len(bucket["answered"]), len(bucket["risks"])
    notes = tuple(
        CardNotes(card_id=cc.card_id, card_title=_title(deck, cc.card_id), notes=cc.notes)
        for cc in cards
        if cc.notes
    )
    return CriterionSynthesis(
        criterion=criterion,
        dimension=_dimension_of(criterion),
        level=level_for(answered, risks),
        answered=answered,
        risks=risks,
        questions=len(bucket["all"]),
        risk_questions=tuple(bucket["risks"]),
        divergent_questions=tuple(bucket["divergent"]),
        notes=notes,
        indicative=is_indicative(answered),
        to_clarify=len(bucket["to_clarify"]),
        to_clarify_questions=tuple(bucket["to_clarify"]),
        insufficient=len(bucket["insufficient"]),
        insufficient_questions=tuple(bucket["insufficient"]),
        divided=len(bucket["divided"]),
    )


def _title(deck: Deck, card_id: str) -> str:
    card = deck.card(card_id)
    return card.title if card else card_id
