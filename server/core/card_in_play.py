"""The card in play: answers, the reveal, the reader's consensus, notes, and the results it
leaves when it closes."""

from server.core import commands as c
from server.core.deck import Deck, Question
from server.core.guards import (
    MAX_CARD_CHARS,
    MAX_NOTES_PER_CARD,
    MAX_NOTES_PER_PERSON,
    MAX_SESSION_CHARS,
    YES_NO_VALUES,
    Handler,
    clean_text,
    require_card,
    require_phase,
    require_reader,
)
from server.core.state import (
    CurrentCard,
    Note,
    OpenAnswer,
    Phase,
    Player,
    QuestionResult,
    Role,
    RoomState,
    Step,
)
from server.core.tally import count, group_answer, is_divergent, quorum
from server.errors import GameError


def _question(deck: Deck, current: CurrentCard, question_id: str) -> Question:
    card = deck.card(current.card_id)
    question = card.question(question_id) if card else None
    if question is None:
        raise GameError("unknown_question", question=question_id)
    return question


def answer(deck: Deck, state: RoomState, actor: Player, cmd: c.Answer, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING)
    if actor.role is not Role.PLAYER:
        raise GameError("facilitator_cannot_answer")
    current = require_card(state)
    if cmd.card_id != current.card_id:
        raise GameError("wrong_card")
    if current.step is not Step.ANSWERING:
        raise GameError("already_revealed")
    question = _question(deck, current, cmd.question_id)
    value = cmd.value
    if question.kind == "yes_no":
        if value not in YES_NO_VALUES:
            raise GameError("bad_vote")
    else:
        value = clean_text(value)
    mine = dict(current.answers.get(actor.id, {}))
    counted = 0  # the change in characters ``card_chars`` counts
    if question.kind != "yes_no":
        before = mine.get(question.id, "")
        grown = len(value) - len(before)
        if grown > 0:
            check_room_for(state, current, grown)
        counted = _open_len(value) - _open_len(before)
    if value == "":
        mine.pop(question.id, None)  # an emptied text box withdraws the answer
    else:
        mine[question.id] = value
    answers = {**current.answers, actor.id: mine}
    _carry_chars(current.answers, answers, counted)
    # the version too: ``rules.apply`` would copy the whole state again only to set it
    return state.replace(current=current.replace(answers=answers), version=state.version + 1)


def reveal(deck: Deck, state: RoomState, actor: Player, cmd: c.Reveal, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING)
    require_reader(state, actor)
    current = require_card(state)
    if current.step is Step.REVEALED:
        raise GameError("already_revealed")
    present = sum(1 for p in state.players if p.role is Role.PLAYER and p.connected)
    return state.model_copy(
        update={"current": current.model_copy(update={"step": Step.REVEALED, "present": present})}
    )


def consensus(deck: Deck, state: RoomState, actor: Player, cmd: c.Consensus, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING)
    require_reader(state, actor)
    current = require_card(state)
    if current.step is not Step.REVEALED:
        raise GameError("not_revealed")
    question = _question(deck, current, cmd.question_id)
    if question.kind != "yes_no":
        raise GameError("not_yes_no")
    consensus = dict(current.consensus)
    if cmd.value is None:
        consensus.pop(question.id, None)
    else:
        consensus[question.id] = cmd.value
    return state.model_copy(update={"current": current.model_copy(update={"consensus": consensus})})


def note(deck: Deck, state: RoomState, actor: Player, cmd: c.AddNote, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING)
    current = require_card(state)
    text = clean_text(cmd.text)
    if not text:
        raise GameError("text_empty")
    if len(current.notes) >= MAX_NOTES_PER_CARD:
        raise GameError("notes_full", limit=MAX_NOTES_PER_CARD)
    written = current.note_counts.get(actor.id, 0)
    if written >= MAX_NOTES_PER_PERSON:
        raise GameError("notes_per_person", limit=MAX_NOTES_PER_PERSON)
    check_room_for(state, current, len(text))
    author = None if state.settings.anonymous else actor.name
    notes = (*current.notes, Note(text=text, author=author))
    counts = {**current.note_counts, actor.id: written + 1}
    return state.model_copy(
        update={"current": current.model_copy(update={"notes": notes, "note_counts": counts})}
    )


def card_chars(current: CurrentCard) -> int:
    """Characters of the notes and open answers of the card in play."""
    return sum(len(n.text) for n in current.notes) + _answer_chars(current.answers)


# answers dict (by id, held) → characters of its open answers: counting them all again at each
# keystroke of an open answer was quadratic in a room of a thousand
_CHARS: dict[int, tuple[object, int]] = {}
MAX_COUNTED = 512


def _answer_chars(answers: dict[str, dict[str, str]]) -> int:
    hit = _CHARS.get(id(answers))
    if hit is not None and hit[0] is answers:
        return hit[1]
    total = sum(_open_len(v) for mine in answers.values() for v in mine.values())
    _remember_chars(answers, total)
    return total


def _open_len(value: str) -> int:
    return 0 if value in YES_NO_VALUES else len(value)


def _carry_chars(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]], grown: int) -> None:
    """``after`` is ``before`` with one answer changed by ``grown`` characters: its count
    follows from the one remembered for ``before``, if any."""
    hit = _CHARS.get(id(before))
    if hit is not None and hit[0] is before:
        _remember_chars(after, hit[1] + grown)


def _remember_chars(answers: dict[str, dict[str, str]], total: int) -> None:
    if len(_CHARS) >= MAX_COUNTED:
        _CHARS.clear()
    _CHARS[id(answers)] = (answers, total)


def check_room_for(state: RoomState, current: CurrentCard, more: int) -> None:
    used = card_chars(current)
    if used + more > MAX_CARD_CHARS:
        raise GameError("card_text_full", limit=MAX_CARD_CHARS)
    parked = sum(len(n.text) for notes in state.parked_notes.values() for n in notes)
    if state.closed_chars + parked + used + more > MAX_SESSION_CHARS:
        raise GameError("session_text_full", limit=MAX_SESSION_CHARS)


def results(deck: Deck, state: RoomState, current: CurrentCard) -> tuple[QuestionResult, ...]:
    """Fold a card's answers into per-question results, dropping who said what if anonymous."""
    card = deck.card(current.card_id)
    if card is None:  # pragma: no cover - a room's deck always holds its cards
        return ()
    names = {p.id: p.name for p in state.players}
    settings = state.settings
    anonymous = settings.anonymous
    present = current.present
    if present is None:  # a card revealed before presence was recorded: who is here now
        present = sum(1 for p in state.players if p.role is Role.PLAYER and p.connected)
    needed = quorum(present, settings.quorum_percent, settings.quorum_min)
    out = []
    for q in card.questions:
        given = [(pid, a[q.id]) for pid, a in current.answers.items() if q.id in a]
        tally = count(v for _, v in given)
        if q.kind == "yes_no":
            consensus = current.consensus.get(q.id)
            out.append(
                QuestionResult(
                    question_id=q.id,
                    tally=tally,
                    group_answer=group_answer(tally, consensus, needed),
                    consensus=consensus,
                    divergent=is_divergent(tally),
                    present=present,
                    quorum=needed,
                    votes={} if anonymous else {names.get(p, "?"): v for p, v in given},
                )
            )
        else:
            texts = [OpenAnswer(text=v, author=None if anonymous else names.get(p)) for p, v in given]
            if anonymous:  # join order would hint at who wrote what
                texts.sort(key=lambda a: a.text.casefold())
            out.append(
                QuestionResult(
                    question_id=q.id,
                    tally=tally,
                    group_answer=None,
                    open_answers=tuple(texts),
                    present=present,
                    quorum=needed,
                )
            )
    return tuple(out)


HANDLERS: dict[type, Handler] = {c.Answer: answer, c.Reveal: reveal, c.Consensus: consensus, c.AddNote: note}
