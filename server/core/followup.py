"""Actions and follow-ups: the values the room state keeps for them (issue 16).

An **action** is what the group decides to do: what, who (a name or a role, as typed: nobody is
recorded as its author), by when, the criterion it answers and, where it fits, a step of the
LaborIA appropriation process (1–9, ``server/summary/advice.py``).

A **follow-up** session keeps a snapshot of an earlier session (``Earlier``): what it needs to
compare, taken from the earlier summary JSON (``snapshot``) — whether the server built that
summary from a room it still holds or the facilitator imported the file. The snapshot holds no
names: the criteria's counts, the earlier actions, and the group answers of its questions keyed
by card and question id. The group then gives each earlier action a status.

Pure: no I/O. ``snapshot`` raises ``BadMessage("bad_summary")`` on anything it cannot read.
"""

import re
from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from server.core.criteria import CRITERIA, CriterionId
from server.core.tally import GroupAnswer
from server.errors import BadMessage

MAX_ACTIONS: Final = 100
ACTION_TEXT: Final = 300
ACTION_OWNER: Final = 80
GUIDE_STEPS: Final = 9  # the appropriation process's steps (server/summary/advice.py)
MAX_EARLIER_ANSWERS: Final = 2000
ActionStatus = Literal["done", "not_done", "dropped"]
STATUSES: Final[tuple[ActionStatus, ...]] = ("done", "not_done", "dropped")
Level = Literal["not_assessed", "ok", "watch", "alert"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Action(_Frozen):
    id: str
    text: str
    owner: str = ""  # a name or a role, as the group typed it; may be empty
    due: str | None = None  # ISO date, YYYY-MM-DD
    criterion: CriterionId | None = None
    guide_step: int | None = None  # 1–9
    card_id: str | None = None  # the card it was recorded on (from a note), if any
    created_at: float = 0.0


class EarlierCriterion(_Frozen):
    criterion: CriterionId
    level: Level
    answered: int = 0
    risks: int = 0
    questions: int = 0
    to_clarify: int = 0
    insufficient: int = 0
    indicative: bool = False


class EarlierAnswer(_Frozen):
    """Only ids and the answer: a question compared is asked again in the follow-up, whose
    deck has its words (the snapshot stays small: it is stored with every change)."""

    card_id: str
    question_id: str
    group_answer: GroupAnswer | None = None


class EarlierAction(_Frozen):
    id: str
    text: str
    owner: str = ""
    due: str | None = None
    criterion: CriterionId | None = None
    guide_step: int | None = None


class Earlier(_Frozen):
    """What a follow-up keeps of the earlier session, and the statuses the group gave."""

    source: Literal["room", "import"]
    code: str = ""  # the earlier session's code as its summary said
    title: str = ""
    organisation: str = ""
    deck_title: str = ""
    date: str | None = None  # ISO 8601 of its start (or creation)
    criteria: tuple[EarlierCriterion, ...] = ()
    actions: tuple[EarlierAction, ...] = ()
    answers: tuple[EarlierAnswer, ...] = ()
    statuses: dict[str, ActionStatus] = Field(default_factory=dict)

    def action(self, action_id: str) -> EarlierAction | None:
        return next((a for a in self.actions if a.id == action_id), None)


# --- validation shared by the rules and the snapshot -----------------------------------------


def valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return False
    return 2000 <= parsed.year <= 2100


# --- reading an earlier summary ----------------------------------------------------------------

_Short = Annotated[str, Field(max_length=300)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _DeckIn(_In):
    title: _Short = ""


class _SessionIn(_In):
    code: Annotated[str, Field(max_length=16)] = ""
    title: _Short = ""
    organisation: _Short = ""
    deck: _DeckIn = _DeckIn()
    started_at: Annotated[str, Field(max_length=40)] | None = None
    created_at: Annotated[str, Field(max_length=40)] | None = None


class _CriterionIn(_In):
    criterion: CriterionId
    level: Level
    answered: Annotated[int, Field(ge=0, le=100_000)] = 0
    risks: Annotated[int, Field(ge=0, le=100_000)] = 0
    questions: Annotated[int, Field(ge=0, le=100_000)] = 0
    to_clarify: Annotated[int, Field(ge=0, le=100_000)] = 0
    insufficient: Annotated[int, Field(ge=0, le=100_000)] = 0
    indicative: bool = False


class _SynthesisIn(_In):
    criteria: Annotated[list[_CriterionIn], Field(max_length=len(CRITERIA))] = []


class _QuestionIn(_In):
    id: Annotated[str, Field(max_length=64)]
    kind: str = "yes_no"
    group_answer: GroupAnswer | None = None


class _CardIn(_In):
    card_id: Annotated[str, Field(max_length=64)]
    outcome: str = "played"
    questions: Annotated[list[_QuestionIn], Field(max_length=50)] = []


class _ActionIn(_In):
    id: Annotated[str, Field(max_length=16)]
    text: Annotated[str, Field(max_length=ACTION_TEXT)]
    owner: Annotated[str, Field(max_length=ACTION_OWNER)] = ""
    due: Annotated[str, Field(max_length=10)] | None = None
    criterion: CriterionId | None = None
    guide_step: Annotated[int, Field(ge=1, le=GUIDE_STEPS)] | None = None


class _SummaryIn(_In):
    format: Literal["exploria-summary/1"]
    session: _SessionIn
    synthesis: _SynthesisIn
    cards: Annotated[list[_CardIn], Field(max_length=400)] = []
    actions: Annotated[list[_ActionIn], Field(max_length=MAX_ACTIONS)] = []


def snapshot(data: Any, source: Literal["room", "import"]) -> Earlier:
    """What a follow-up keeps of an earlier session, from its summary JSON (docs/summary.md)."""
    if not isinstance(data, dict):
        raise BadMessage("bad_summary")
    try:
        parsed = _SummaryIn.model_validate(data)
    except ValidationError:
        raise BadMessage("bad_summary") from None
    answers = [
        EarlierAnswer(card_id=card.card_id, question_id=q.id, group_answer=q.group_answer)
        for card in parsed.cards
        if card.outcome == "played"
        for q in card.questions
        if q.kind == "yes_no"
    ][:MAX_EARLIER_ANSWERS]
    seen: set[str] = set()
    actions = []
    for a in parsed.actions:
        if a.id in seen:
            continue
        seen.add(a.id)
        actions.append(
            EarlierAction(
                id=a.id,
                text=a.text,
                owner=a.owner,
                due=a.due if a.due and valid_date(a.due) else None,
                criterion=a.criterion,
                guide_step=a.guide_step,
            )
        )
    by_criterion = {c.criterion: c for c in parsed.synthesis.criteria}
    criteria = tuple(EarlierCriterion(**by_criterion[c].model_dump()) for c in CRITERIA if c in by_criterion)
    sess = parsed.session
    return Earlier(
        source=source,
        code=sess.code,
        title=sess.title,
        organisation=sess.organisation,
        deck_title=sess.deck.title,
        date=sess.started_at or sess.created_at,
        criteria=criteria,
        actions=tuple(actions),
        answers=tuple(answers),
    )
