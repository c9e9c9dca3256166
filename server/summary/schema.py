"""The summary's shape: the pydantic models every format renders, and their JSON Schema."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.core.criteria import CriterionId, DimensionId
from server.core.state import CompanySize, SystemStage
from server.core.synthesis import INDICATIVE_BELOW, Level
from server.core.tally import GroupAnswer
from server.i18n import Lang
from server.summary.compare import ActionOut, FollowUpOut

FORMAT = "exploria-summary/1"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DeckInfo(_Model):
    id: str
    title: str
    version: str
    language: Lang


class Participants(_Model):
    count: Annotated[int, Field(description="Participants who joined (the facilitator excluded).")]
    names: Annotated[
        list[str] | None, Field(description="Their names, or null when the session was anonymous.")
    ]


class CardCounts(_Model):
    total: Annotated[int, Field(description="Cards chosen for the session.")]
    played: int
    skipped: int
    parked: Annotated[int, Field(description="Put aside and never taken up again.")]
    in_play: Annotated[int, Field(description="1 if a card was open when the summary was made.")]
    not_drawn: int


class AiSystemOut(_Model):
    name: str
    purpose: str
    users: str
    stage: SystemStage | None
    stage_label: Annotated[str | None, Field(description="The stage in the session language.")]


class Quorum(_Model):
    percent: Annotated[int, Field(description="Share of those present whose vote is needed.")]
    minimum: Annotated[int, Field(description="At least this many votes, when as many are present.")]


class Session(_Model):
    code: str
    title: Annotated[str, Field(description="The session title; empty when none was given.")]
    organisation: Annotated[str, Field(description="Organisation or team; may be empty.")]
    ai_system: Annotated[
        AiSystemOut | None, Field(description="The AI system under discussion; null if none named.")
    ]
    company_size: Annotated[
        CompanySize | None, Field(description="under_11, 11_49 or 50_plus employees; null when not said.")
    ]
    company_size_label: str | None
    quorum: Quorum
    deck: DeckInfo
    language: Lang
    phase: Literal["lobby", "playing", "synthesis"]
    finished: bool
    anonymous: bool
    created_at: Annotated[str | None, Field(description="ISO 8601, UTC.")]
    started_at: str | None
    finished_at: str | None
    duration_seconds: Annotated[
        int | None, Field(description="From start to finish; null until both are known.")
    ]
    facilitator: Annotated[str | None, Field(description="null when the session was anonymous.")]
    participants: Participants
    cards: CardCounts


class Tally(_Model):
    yes: int
    no: int
    unsure: int
    answered: Annotated[int, Field(description="Every answer given, open texts included.")]


class NoteOut(_Model):
    text: str
    author: Annotated[str | None, Field(description="Always null in an anonymous session.")]


class QuestionLink(_Model):
    card_id: str
    card_title: str
    question_id: str
    text: str
    group_answer: GroupAnswer
    consensus: bool
    risk_answer: str
    tally: Tally
    present: Annotated[int, Field(description="Participants present when it was revealed.")]
    quorum: Annotated[int, Field(description="Votes its group answer needed.")]


class CardNotes(_Model):
    card_id: str
    card_title: str
    notes: list[NoteOut]


class CriterionOut(_Model):
    criterion: CriterionId
    label: str
    description: str
    dimension: DimensionId
    level: Level
    level_label: str
    answered: Annotated[int, Field(description="Questions whose group answer is yes or no.")]
    risks: Annotated[int, Field(description="Of those, the ones whose answer signals a risk.")]
    questions: Annotated[int, Field(description="Yes/no questions of played cards on it.")]
    risk_questions: list[QuestionLink]
    divergent_questions: list[QuestionLink]
    notes: list[CardNotes]
    indicative: Annotated[
        bool, Field(description=f"The level rests on fewer than {INDICATIVE_BELOW} answered questions.")
    ]
    to_clarify: Annotated[int, Field(description="Questions the group could not answer.")]
    to_clarify_questions: list[QuestionLink]
    insufficient: Annotated[int, Field(description="Questions under the quorum (not counted).")]
    insufficient_questions: list[QuestionLink]
    divided: Annotated[int, Field(description="Questions with as many yes as no (not counted).")]


class DimensionOut(_Model):
    id: DimensionId
    label: str
    criteria: list[CriterionId]


class SynthesisOut(_Model):
    dimensions: list[DimensionOut]
    criteria: list[CriterionOut]


class Vote(_Model):
    name: str
    value: Literal["yes", "no", "unsure"]


class QuestionOut(_Model):
    id: str
    text: str
    kind: Literal["yes_no", "open"]
    criterion: CriterionId | None
    criterion_label: str | None
    risk_answer: Literal["yes", "no"] | None
    tally: Tally
    present: Annotated[int, Field(description="Participants present when the card was revealed.")]
    quorum: Annotated[int, Field(description="Votes a group answer needed (docs/protocol.md).")]
    voted: Annotated[int, Field(description="Votes cast (answers given, for open questions).")]
    group_answer: Annotated[GroupAnswer | None, Field(description="null for open questions.")]
    consensus: Annotated[bool, Field(description="True when the group set its answer itself.")]
    risk: Annotated[bool, Field(description="The group answer equals the risk answer.")]
    divergent: bool
    open_answers: list[NoteOut]
    votes: Annotated[list[Vote], Field(description="Who voted what; empty if anonymous.")]


class ThemeOut(_Model):
    id: str
    title: str
    color: str


class CardOut(_Model):
    order: Annotated[int, Field(description="1 for the first card closed, and so on.")]
    card_id: str
    title: str
    theme: ThemeOut
    situation: str
    outcome: Literal["played", "skipped"]
    closed_at: str | None
    reader: Annotated[str | None, Field(description="Who read it; null if anonymous.")]
    questions: list[QuestionOut]
    notes: list[NoteOut]


class AsideCard(_Model):
    card_id: str
    title: str
    theme: ThemeOut
    notes: list[NoteOut]


class NextStep(_Model):
    id: str
    title: str
    text: str
    guide_steps: Annotated[
        list[int], Field(description="Steps of the appropriation process this one leads to.")
    ]


class AppropriationStep(_Model):
    number: int
    title: str
    text: str
    priority: Annotated[bool, Field(description="Put forward by this session's results.")]


class Summary(_Model):
    format: Literal["exploria-summary/1"]
    generated_at: str
    language: Lang
    session: Session
    synthesis: SynthesisOut
    cards: list[CardOut]
    parked_cards: list[AsideCard]
    current_card: Annotated[
        AsideCard | None, Field(description="A card still open (not revealed): not counted in the synthesis.")
    ]
    next_steps: list[NextStep]
    appropriation_steps: list[AppropriationStep]
    actions: Annotated[
        list[ActionOut], Field(description="What the group decided to do, in the order recorded.")
    ]
    follows: Annotated[
        FollowUpOut | None,
        Field(description="The earlier session this one follows up, compared; null otherwise."),
    ]


def summary_json_schema() -> dict[str, Any]:
    schema = Summary.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://exploria.example/schema/summary.json",
        "description": "The summary of an ExplorIA en ligne session (docs/summary.md).",
        **schema,
    }
