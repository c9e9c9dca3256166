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
from typing import Any

from server.core.criteria import DIMENSIONS
from server.core.deck import Card, Deck
from server.core.state import ClosedCard, Note, Phase, Role, RoomState
from server.core.synthesis import QuestionRef, synthesize
from server.i18n import Lang, normalize, translate
from server.summary import advice, compare
from server.summary.schema import (
    FORMAT,
    AiSystemOut,
    AppropriationStep,
    AsideCard,
    CardCounts,
    CardNotes,
    CardOut,
    CriterionOut,
    DeckInfo,
    DimensionOut,
    NextStep,
    NoteOut,
    Participants,
    QuestionLink,
    QuestionOut,
    Quorum,
    Session,
    Summary,
    SynthesisOut,
    Tally,
    ThemeOut,
    Vote,
    summary_json_schema,
)

# fmt: off
__all__ = [
    "FORMAT", "AiSystemOut", "AppropriationStep", "AsideCard", "CardCounts", "CardNotes", "CardOut",
    "CriterionOut", "DeckInfo", "DimensionOut", "NextStep", "NoteOut", "Participants",
    "QuestionLink", "QuestionOut", "Quorum", "Session", "Summary", "SynthesisOut", "Tally",
    "ThemeOut", "Vote", "build_summary", "summary_json_schema",
]
# fmt: on


def session_language(deck: Deck, state: RoomState) -> Lang:
    return normalize(state.settings.language) or normalize(deck.language) or "fr"


def iso(ts: float | None) -> str | None:
    if not ts:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def build_summary(deck: Deck, state: RoomState, code: str, *, now: float | None = None) -> Summary:
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
                CardNotes(card_id=n.card_id, card_title=n.card_title, notes=notes(n.notes)) for n in c.notes
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
            name=system.name,
            purpose=system.purpose,
            users=system.users,
            stage=system.stage,
            stage_label=tr(f"summary.stage.{system.stage}") if system.stage else None,
        )
        if system is not None and (system.named or system.stage)
        else None,
        company_size=settings.company_size,
        company_size_label=(
            tr(f"summary.company_size.{settings.company_size}") if settings.company_size else None
        ),
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
        facilitator=(facilitator.name if facilitator and not anonymous and facilitator.name != "—" else None),
        participants=Participants(count=len(players), names=None if anonymous else [p.name for p in players]),
        cards=CardCounts(
            total=state.cards_total,
            played=synthesis.cards_played,
            skipped=synthesis.cards_skipped,
            parked=len(state.parked),
            in_play=1 if state.current is not None else 0,
            not_drawn=len(state.pile),
        ),
    )
    plan = advice.plan(
        lang,
        criteria=[(c.criterion, c.level) for c in criteria],
        divergent=sum(len(c.divergent_questions) for c in criteria),
        finished=session.finished,
        played=synthesis.cards_played,
        to_clarify=[(c.criterion, c.to_clarify) for c in criteria if c.to_clarify],
        insufficient=sum(c.insufficient for c in criteria),
        company_size=settings.company_size,
    )
    return Summary(
        format=FORMAT,
        generated_at=iso(now if now is not None else datetime.now(UTC).timestamp()) or "",
        language=lang,
        session=session,
        synthesis=SynthesisOut(dimensions=dimensions, criteria=criteria),
        cards=cards,
        parked_cards=parked,
        current_card=current,
        next_steps=[
            NextStep(id=s.id, title=s.title, text=s.text, guide_steps=list(s.guide_steps))
            for s in plan.next_steps
        ],
        appropriation_steps=[
            AppropriationStep(number=s.number, title=s.title, text=s.text, priority=s.priority)
            for s in plan.steps
        ],
        actions=compare.actions_out(deck, state.actions, lang),
        follows=compare.follow_up(
            state.follows,
            [
                (
                    c.criterion,
                    c.level,
                    c.indicative,
                    c.answered,
                    c.risks,
                    c.questions,
                    c.to_clarify,
                    c.insufficient,
                )
                for c in criteria
            ],
            {
                (card.card_id, q.id): (card.title, q.text, q.group_answer)
                for card in cards
                if card.outcome == "played"
                for q in card.questions
                if q.kind == "yes_no"
            },
            lang,
        ),
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
                # plain dicts, made into models by pydantic's validator in one pass: a long
                # session has thousands of answers and votes, and a Python call each costs
                open_answers=[
                    {"text": a.text, "author": None if anonymous else a.author}
                    for a in (r.open_answers if r else ())
                ],
                votes=[]
                if anonymous or r is None
                else [
                    {"name": name, "value": value}
                    for name, value in r.votes.items()
                    if value in ("yes", "no", "unsure")
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
