"""The summary as data: everything every format shows, built once from the room.

``build_summary`` is a pure function of the deck, the room state and the clock. Every format
(web report, PDF, Markdown, CSV, JSON) renders this one value, so they cannot disagree. Texts
that come from the app (criteria, levels, next steps) are already worded in the session's
language; texts that come from people (names, notes, open answers) are kept as they were typed
and each format makes them inert in its own way.

Anonymity: in an anonymous session the room state already holds no link between people and
votes, notes or open answers; this module also leaves out the participants' names and who
read each card, so no format can show them.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.core.criteria import DIMENSIONS, CriterionId, DimensionId
from server.core.deck import Card, Deck
from server.core.state import ClosedCard, CompanySize, Note, Phase, Role, RoomState, SystemStage
from server.core.synthesis import INDICATIVE_BELOW, Level, QuestionRef, synthesize
from server.core.tally import GroupAnswer
from server.i18n import Lang, normalize, translate
from server.summary import advice

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
        list[str] | None,
        Field(description="Their names, or null when the session was anonymous."),
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
        CompanySize | None,
        Field(description="under_11, 11_49 or 50_plus employees; null when not said."),
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
        AsideCard | None,
        Field(description="A card still open (not revealed): not counted in the synthesis."),
    ]
    next_steps: list[NextStep]
    appropriation_steps: list[AppropriationStep]


def summary_json_schema() -> dict[str, Any]:
    schema = Summary.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://exploria.example/schema/summary.json",
        "description": "The summary of an ExplorIA en ligne session (docs/summary.md).",
        **schema,
    }


# --- building ---------------------------------------------------------------------------------


def session_language(deck: Deck, state: RoomState) -> Lang:
    return normalize(state.settings.language) or normalize(deck.language) or "fr"


def iso(ts: float | None) -> str | None:
    if not ts:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def build_summary(
    deck: Deck, state: RoomState, code: str, *, now: float | None = None
) -> Summary:
    lang = session_language(deck, state)
    anonymous = state.settings.anonymous
    synthesis = synthesize(deck, state.closed)

    def tr(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    def notes(items: tuple[Note, ...]) -> list[NoteOut]:
        return [NoteOut(text=n.text, author=None if anonymous else n.author) for n in items]

    def link(ref: QuestionRef) -> QuestionLink:
        return QuestionLink(**ref.model_dump(exclude={"tally"}), tally=Tally(**ref.tally.model_dump()))

    settings = state.settings
    system = settings.ai_system

    criteria = [
        CriterionOut(
            criterion=c.criterion,
            label=tr(f"criterion.{c.criterion}.label"),
            description=tr(f"criterion.{c.criterion}.description"),
            dimension=c.dimension,
            level=c.level,
            level_label=tr(f"level.{c.level}"),
            answered=c.answered,
            risks=c.risks,
            questions=c.questions,
            risk_questions=[link(r) for r in c.risk_questions],
            divergent_questions=[link(r) for r in c.divergent_questions],
            notes=[
                CardNotes(card_id=n.card_id, card_title=n.card_title, notes=notes(n.notes))
                for n in c.notes
            ],
            indicative=c.indicative,
            to_clarify=c.to_clarify,
            to_clarify_questions=[link(r) for r in c.to_clarify_questions],
            insufficient=c.insufficient,
            insufficient_questions=[link(r) for r in c.insufficient_questions],
            divided=c.divided,
        )
        for c in synthesis.criteria
    ]
    dimensions = [
        DimensionOut(id=d, label=tr(f"dimension.{d}"), criteria=list(members))
        for d, members in DIMENSIONS.items()
    ]
    cards = [
        _card(deck, cc, i, lang, anonymous)
        for i, cc in enumerate(state.closed, start=1)
        if deck.card(cc.card_id) is not None
    ]
    parked = [
        _aside(deck, card_id, notes(state.parked_notes.get(card_id, ())))
        for card_id in state.parked
        if deck.card(card_id) is not None
    ]
    current = None
    if state.current is not None and deck.card(state.current.card_id) is not None:
        current = _aside(deck, state.current.card_id, notes(state.current.notes))

    players = [p for p in state.players if p.role is Role.PLAYER]
    facilitator = next((p for p in state.players if p.role is Role.FACILITATOR), None)
    duration = None
    if state.started_at and state.finished_at:
        duration = max(0, round(state.finished_at - state.started_at))
    session = Session(
        code=code,
        title=settings.title,
        organisation=settings.organisation,
        ai_system=AiSystemOut(
            name=system.name, purpose=system.purpose, users=system.users, stage=system.stage,
            stage_label=tr(f"summary.stage.{system.stage}") if system.stage else None,
        ) if system is not None and (system.named or system.stage) else None,
        company_size=settings.company_size,
        company_size_label=(tr(f"summary.company_size.{settings.company_size}")
                            if settings.company_size else None),
        quorum=Quorum(percent=settings.quorum_percent, minimum=settings.quorum_min),
        deck=DeckInfo(id=deck.id, title=deck.title, version=deck.version, language=deck.language),
        language=lang,
        phase=state.phase.value,
        finished=state.phase is Phase.SYNTHESIS,
        anonymous=anonymous,
        created_at=iso(state.created_at),
        started_at=iso(state.started_at),
        finished_at=iso(state.finished_at),
        duration_seconds=duration,
        facilitator=(
            facilitator.name if facilitator and not anonymous and facilitator.name != "—" else None
        ),
        participants=Participants(
            count=len(players), names=None if anonymous else [p.name for p in players]
        ),
        cards=CardCounts(
            total=state.cards_total,
            played=synthesis.cards_played,
            skipped=synthesis.cards_skipped,
            parked=len(state.parked),
            in_play=1 if state.current is not None else 0,
            not_drawn=len(state.pile),
        ),
    )
    plan = advice.plan(lang, criteria=[(c.criterion, c.level) for c in criteria],
                       divergent=sum(len(c.divergent_questions) for c in criteria),
                       finished=session.finished, played=synthesis.cards_played,
                       to_clarify=[(c.criterion, c.to_clarify) for c in criteria if c.to_clarify],
                       insufficient=sum(c.insufficient for c in criteria),
                       company_size=settings.company_size)
    return Summary(
        format=FORMAT,
        generated_at=iso(now if now is not None else datetime.now(UTC).timestamp()) or "",
        language=lang,
        session=session,
        synthesis=SynthesisOut(dimensions=dimensions, criteria=criteria),
        cards=cards,
        parked_cards=parked,
        current_card=current,
        next_steps=[NextStep(id=s.id, title=s.title, text=s.text, guide_steps=list(s.guide_steps))
                    for s in plan.next_steps],
        appropriation_steps=[
            AppropriationStep(number=s.number, title=s.title, text=s.text, priority=s.priority)
            for s in plan.steps
        ],
    )


def _theme(deck: Deck, card: Card) -> ThemeOut:
    theme = deck.theme(card.theme)
    if theme is None:  # pragma: no cover - a valid deck declares every theme it uses
        return ThemeOut(id=card.theme, title=card.theme, color="#555555")
    return ThemeOut(id=theme.id, title=theme.title, color=theme.color)


def _aside(deck: Deck, card_id: str, notes: list[NoteOut]) -> AsideCard:
    card = deck.card(card_id)
    assert card is not None
    return AsideCard(card_id=card.id, title=card.title, theme=_theme(deck, card), notes=notes)


def _card(deck: Deck, cc: ClosedCard, order: int, lang: Lang, anonymous: bool) -> CardOut:
    card = deck.card(cc.card_id)
    assert card is not None
    results = {r.question_id: r for r in cc.results}
    questions = []
    for q in card.questions:
        r = results.get(q.id)
        group = r.group_answer if r else None
        questions.append(
            QuestionOut(
                id=q.id,
                text=q.text,
                kind=q.kind,
                criterion=q.criterion,
                criterion_label=translate(lang, f"criterion.{q.criterion}.label") if q.criterion else None,
                risk_answer=q.risk_answer,
                tally=Tally(**r.tally.model_dump()) if r else Tally(yes=0, no=0, unsure=0, answered=0),
                present=r.present if r else 0,
                quorum=r.quorum if r else 0,
                voted=(r.tally.voted if q.kind == "yes_no" else r.tally.answered) if r else 0,
                group_answer=group if q.kind == "yes_no" and cc.outcome == "played" else None,
                consensus=bool(r and r.consensus is not None),
                risk=bool(q.kind == "yes_no" and group is not None and group == q.risk_answer),
                divergent=bool(r and r.divergent),
                open_answers=[
                    NoteOut(text=a.text, author=None if anonymous else a.author)
                    for a in (r.open_answers if r else ())
                ],
                votes=[] if anonymous or r is None else [
                    Vote(name=name, value=value)
                    for name, value in r.votes.items() if value in ("yes", "no", "unsure")
                ],
            )
        )
    return CardOut(
        order=order,
        card_id=card.id,
        title=card.title,
        theme=_theme(deck, card),
        situation=card.situation,
        outcome=cc.outcome,
        closed_at=iso(cc.closed_at),
        reader=None if anonymous else cc.reader_name,
        questions=questions,
        notes=[NoteOut(text=n.text, author=None if anonymous else n.author) for n in cc.notes],
    )
