"""The synthesis rule (CONTRACT.md §4): a pure function of the deck and the closed cards."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from server.core.criteria import CRITERIA, DIMENSIONS, CriterionId, DimensionId
from server.core.deck import Deck
from server.core.state import ClosedCard, Note
from server.core.tally import GroupAnswer, Tally

Level = Literal["not_assessed", "ok", "watch", "alert"]


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


def _dimension_of(criterion: CriterionId) -> DimensionId:
    return next(d for d, members in DIMENSIONS.items() if criterion in members)


def synthesize(deck: Deck, closed: tuple[ClosedCard, ...]) -> Synthesis:
    per: dict[CriterionId, dict[str, list[QuestionRef]]] = {
        k: {"all": [], "answered": [], "risks": [], "divergent": []} for k in CRITERIA
    }
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
            )
            bucket = per[question.criterion]
            bucket["all"].append(ref)
            if cc not in cards_for[question.criterion]:
                cards_for[question.criterion].append(cc)
            if ref.group_answer in ("yes", "no"):
                bucket["answered"].append(ref)
                if ref.group_answer == question.risk_answer:
                    bucket["risks"].append(ref)
            if result.divergent:
                bucket["divergent"].append(ref)
    out = []
    for criterion in CRITERIA:
        bucket = per[criterion]
        answered, risks = len(bucket["answered"]), len(bucket["risks"])
        notes = tuple(
            CardNotes(card_id=cc.card_id, card_title=_title(deck, cc.card_id), notes=cc.notes)
            for cc in cards_for[criterion]
            if cc.notes
        )
        out.append(
            CriterionSynthesis(
                criterion=criterion,
                dimension=_dimension_of(criterion),
                level=level_for(answered, risks),
                answered=answered,
                risks=risks,
                questions=len(bucket["all"]),
                risk_questions=tuple(bucket["risks"]),
                divergent_questions=tuple(bucket["divergent"]),
                notes=notes,
            )
        )
    return Synthesis(
        criteria=tuple(out),
        cards_played=len(played),
        cards_skipped=sum(1 for cc in closed if cc.outcome == "skipped"),
    )


def _title(deck: Deck, card_id: str) -> str:
    card = deck.card(card_id)
    return card.title if card else card_id
