"""The summary's actions and, for a follow-up, the comparison with the earlier session
(issue 16). Built from the room state by ``server/summary/model.py:build_summary``; every format
renders these values.

Per criterion, "then" comes from the snapshot the follow-up kept of the earlier summary and
"now" from this session's synthesis; ``trend`` compares the levels when both were assessed
(ok < watch < alert: a lower level is ``better``). The questions asked in both are the yes/no
questions of cards played in both sessions, matched by card id and question id.
"""

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.core.criteria import CriterionId
from server.core.deck import Deck
from server.core.followup import Action, ActionStatus, Earlier, Level
from server.i18n import translate

Trend = Literal["better", "worse", "same", "not_comparable"]
_RANK: Mapping[str, int] = {"ok": 0, "watch": 1, "alert": 2}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ActionOut(_Model):
    id: Annotated[str, Field(description="a1, a2… in the order recorded.")]
    text: str
    owner: Annotated[str, Field(description="Who, as the group typed it (a name or a role); may be empty.")]
    due: Annotated[str | None, Field(description="By when: an ISO date (YYYY-MM-DD), or null.")]
    criterion: CriterionId | None
    criterion_label: str | None
    guide_step: Annotated[int | None, Field(description="A step (1–9) of the appropriation process.")]
    guide_step_title: str | None
    card_id: Annotated[str | None, Field(description="The card it was recorded on, if any.")]
    card_title: str | None


class EarlierActionOut(_Model):
    id: str
    text: str
    owner: str
    due: str | None
    criterion: CriterionId | None
    criterion_label: str | None
    guide_step: int | None
    guide_step_title: str | None
    status: Annotated[
        ActionStatus | None,
        Field(description="done, not_done or dropped, as the group set it in this session; null if not set."),
    ]
    status_label: str


class LevelPoint(_Model):
    level: Level
    level_label: str
    indicative: bool
    answered: int
    risks: int
    questions: int
    to_clarify: int
    insufficient: int


class CriterionCompare(_Model):
    criterion: CriterionId
    label: str
    then: Annotated[LevelPoint | None, Field(description="null when the earlier summary did not have it.")]
    now: LevelPoint
    trend: Trend
    trend_label: str


class QuestionCompare(_Model):
    card_id: str
    question_id: str
    card_title: str
    text: str
    then: str | None
    then_label: str
    now: str | None
    now_label: str


class FollowUpOut(_Model):
    source: Annotated[
        Literal["room", "import"],
        Field(description="room: taken from a session of this server (linked); import: from a summary file."),
    ]
    code: str
    title: str
    organisation: str
    deck_title: str
    date: Annotated[str | None, Field(description="ISO 8601: when the earlier session started.")]
    criteria: list[CriterionCompare]
    actions: list[EarlierActionOut]
    questions: list[QuestionCompare]


def _step_title(lang: str, step: int | None) -> str | None:
    return translate(lang, f"summary.guide_step.{step}.title") if step else None


def _criterion_label(lang: str, criterion: str | None) -> str | None:
    return translate(lang, f"criterion.{criterion}.label") if criterion else None


def actions_out(deck: Deck, actions: Sequence[Action], lang: str) -> list[ActionOut]:
    out = []
    for a in actions:
        card = deck.card(a.card_id) if a.card_id else None
        out.append(
            ActionOut(
                id=a.id,
                text=a.text,
                owner=a.owner,
                due=a.due,
                criterion=a.criterion,
                criterion_label=_criterion_label(lang, a.criterion),
                guide_step=a.guide_step,
                guide_step_title=_step_title(lang, a.guide_step),
                card_id=a.card_id,
                card_title=card.title if card else None,
            )
        )
    return out


def _point(
    lang: str,
    level: Level,
    indicative: bool,
    answered: int,
    risks: int,
    questions: int,
    to_clarify: int,
    insufficient: int,
) -> LevelPoint:
    return LevelPoint(
        level=level,
        level_label=translate(lang, f"level.{level}"),
        indicative=indicative,
        answered=answered,
        risks=risks,
        questions=questions,
        to_clarify=to_clarify,
        insufficient=insufficient,
    )


def trend(then: Level | None, now: Level) -> Trend:
    if then is None or then not in _RANK or now not in _RANK:
        return "not_comparable"
    diff = _RANK[now] - _RANK[then]
    return "better" if diff < 0 else "worse" if diff > 0 else "same"


NowCriterion = tuple[CriterionId, Level, bool, int, int, int, int, int]


NowAnswer = tuple[str, str, str | None]  # card title, question text, group answer


def follow_up(
    earlier: Earlier | None,
    now_criteria: Sequence[NowCriterion],
    now_answers: Mapping[tuple[str, str], NowAnswer],
    lang: str,
) -> FollowUpOut | None:
    """``now_criteria``: (criterion, level, indicative, answered, risks, questions, to_clarify,
    insufficient) of this session; ``now_answers``: (card id, question id) → (card title,
    question text, group answer) of its yes/no questions on played cards."""
    if earlier is None:
        return None

    def tr(key: str) -> str:
        return translate(lang, key)

    def answer_label(value: str | None) -> str:
        return tr(f"summary.group.{value}") if value else tr("actions.compare.not_asked")

    then_by = {c.criterion: c for c in earlier.criteria}
    criteria = []
    for crit, level, indicative, answered, risks, asked, to_clarify, insufficient in now_criteria:
        t = then_by.get(crit)
        then = (
            _point(
                lang, t.level, t.indicative, t.answered, t.risks, t.questions, t.to_clarify, t.insufficient
            )
            if t
            else None
        )
        change = trend(t.level if t else None, level)
        criteria.append(
            CriterionCompare(
                criterion=crit,
                label=tr(f"criterion.{crit}.label"),
                then=then,
                now=_point(lang, level, indicative, answered, risks, asked, to_clarify, insufficient),
                trend=change,
                trend_label=tr(f"actions.trend.{change}"),
            )
        )
    actions = [
        EarlierActionOut(
            id=a.id,
            text=a.text,
            owner=a.owner,
            due=a.due,
            criterion=a.criterion,
            criterion_label=_criterion_label(lang, a.criterion),
            guide_step=a.guide_step,
            guide_step_title=_step_title(lang, a.guide_step),
            status=earlier.statuses.get(a.id),
            status_label=tr(f"actions.status.{earlier.statuses.get(a.id) or 'unset'}"),
        )
        for a in earlier.actions
    ]
    questions = [
        QuestionCompare(
            card_id=q.card_id,
            question_id=q.question_id,
            card_title=now[0],
            text=now[1],
            then=q.group_answer,
            then_label=answer_label(q.group_answer),
            now=now[2],
            now_label=answer_label(now[2]),
        )
        for q in earlier.answers
        if (now := now_answers.get((q.card_id, q.question_id))) is not None
    ]
    return FollowUpOut(
        source=earlier.source,
        code=earlier.code,
        title=earlier.title,
        organisation=earlier.organisation,
        deck_title=earlier.deck_title,
        date=earlier.date,
        criteria=criteria,
        actions=actions,
        questions=questions,
    )


# --- words shared by the formats ---------------------------------------------------------------


def due_words(due: str | None, lang: str) -> str:
    """``2027-03-12`` → « 12 mars 2027 » / "12 March 2027"."""
    if not due:
        return ""
    year, month, day = (int(part) for part in due.split("-"))
    return translate(
        lang, "summary.date", day=day, month=translate(lang, f"summary.month.{month}"), year=year
    )


def details(a: ActionOut | EarlierActionOut, lang: str) -> list[tuple[str, str]]:
    """(label key, value) pairs of an action, those that are set, in reading order; values
    typed by people (the owner) are returned as typed: each format makes them inert."""
    out = []
    if a.owner:
        out.append(("actions.field.owner", a.owner))
    if a.due:
        out.append(("actions.field.due", due_words(a.due, lang)))
    if a.criterion_label:
        out.append(("actions.field.criterion", a.criterion_label))
    if a.guide_step and a.guide_step_title:
        out.append(
            (
                "actions.field.step",
                translate(lang, "actions.step_ref", number=a.guide_step, title=a.guide_step_title),
            )
        )
    return out


def point_words(p: LevelPoint, lang: str) -> str:
    """« 1 signal sur 2 questions tranchées, 1 à clarifier », « aucune question posée »."""
    if not p.questions:
        return translate(lang, "actions.compare.no_questions")
    words = translate(lang, "actions.compare.counts", risks=p.risks, answered=p.answered)
    if p.to_clarify:
        words += translate(lang, "summary.list_sep") + translate(
            lang, "actions.compare.clarify", count=p.to_clarify
        )
    return words
