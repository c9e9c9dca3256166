"""The room state: frozen values, replaced (never mutated) by each command.

The whole state is serialisable to JSON (pydantic), which is how it is stored: the database row
of a room holds its latest state, so a restarted or another process picks the game up exactly.
"""

import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from server.core.followup import Action, Earlier
from server.core.sectors import SectorId
from server.core.tally import QUORUM_MIN, QUORUM_PERCENT, GroupAnswer, Tally

Vote = Literal["yes", "no", "unsure"]
MAX_CHOICES = 300  # a deck has at most 300 cards
TimerMinutes = Literal[0, 3, 5, 10]


class Phase(StrEnum):
    LOBBY = "lobby"
    PLAYING = "playing"
    SYNTHESIS = "synthesis"


class Step(StrEnum):
    ANSWERING = "answering"
    REVEALED = "revealed"


class Role(StrEnum):
    FACILITATOR = "facilitator"
    PLAYER = "player"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def replace(self, **update: Any) -> Self:
        """``model_copy(update=update)``, without its general machinery (deep copies, extra
        fields, private attributes: none here). A vote copies the state and its card three
        times; pydantic's copy cost 4 µs each. No validation, as with ``model_copy``."""
        cls = type(self)
        new = cls.__new__(cls)
        object.__setattr__(new, "__dict__", {**self.__dict__, **update})
        object.__setattr__(new, "__pydantic_extra__", None)
        # shared, not copied, when nothing is added: a frozen model never changes it in place,
        # and a copy per replace read the old set's whole table, cold (issue 15)
        fields_set = self.__pydantic_fields_set__
        if not update.keys() <= fields_set:
            fields_set = fields_set | update.keys()
        object.__setattr__(new, "__pydantic_fields_set__", fields_set)
        object.__setattr__(new, "__pydantic_private__", None)
        return new


def clean_line(value: object) -> object:
    """A one-line text of the session's framing: trimmed; control characters (line breaks
    included) and bidirectional overrides are refused, not silently dropped."""
    if not isinstance(value, str):
        return value
    for ch in value:
        if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS:
            raise ValueError("control characters are not allowed")
    return value.strip()


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


Title = Annotated[str, StringConstraints(max_length=120), BeforeValidator(clean_line)]
Organisation = Annotated[str, StringConstraints(max_length=120), BeforeValidator(clean_line)]
SystemName = Annotated[str, StringConstraints(max_length=80), BeforeValidator(clean_line)]
SystemPurpose = Annotated[str, StringConstraints(max_length=300), BeforeValidator(clean_line)]
SystemUsers = Annotated[str, StringConstraints(max_length=200), BeforeValidator(clean_line)]
SystemStage = Literal["idea", "pilot", "in_use"]
# Company size decides who must be consulted (the CSE's consultation on new technologies
# applies from 50 employees, code du travail art. L2312-8 as quoted in the LaborIA guide).
CompanySize = Literal["under_11", "11_49", "50_plus"]


class AiSystem(Frozen):
    """The AI system the session is about (issue 11: every counted answer is about it)."""

    name: SystemName = ""
    purpose: SystemPurpose = ""
    users: SystemUsers = ""
    stage: SystemStage | None = None

    @property
    def named(self) -> bool:
        return bool(self.name or self.purpose or self.users)


class RoomSettings(Frozen):
    """Chosen when the room is created. Only the framing (title, organisation, AI system,
    company size) may change afterwards, by the facilitator's ``frame`` command."""

    anonymous: bool = True
    selection: Literal["all", "random", "themes", "cards"] = "all"
    card_count: Annotated[int, Field(ge=1, le=300)] | None = None  # for selection="random"
    # no longer than a deck can be (checked against the room's deck when it is created)
    themes: Annotated[
        tuple[Annotated[str, Field(max_length=64)], ...], Field(max_length=MAX_CHOICES)
    ] = ()  # for selection="themes"
    cards: Annotated[
        tuple[Annotated[str, Field(max_length=64)], ...], Field(max_length=MAX_CHOICES)
    ] = ()  # for selection="cards"
    timer_minutes: TimerMinutes = 0
    language: Literal["fr", "en"] | None = None  # None: the deck's language
    max_players: Annotated[int, Field(ge=1, le=5000)] = 1000
    facilitator_name: Annotated[str, Field(max_length=40)] = ""
    sectors: tuple[SectorId, ...] = ()  # deal only cards tagged with one of them, or untagged
    # framing of the session (issue 11)
    title: Title = ""
    organisation: Organisation = ""
    ai_system: AiSystem | None = None
    company_size: CompanySize | None = None
    # quorum of a group answer: see tally.quorum
    quorum_percent: Annotated[int, Field(ge=1, le=100)] = QUORUM_PERCENT
    quorum_min: Annotated[int, Field(ge=1, le=50)] = QUORUM_MIN


FRAME_FIELDS = ("title", "organisation", "ai_system", "company_size")


class Player(Frozen):
    id: str
    name: str
    role: Role
    connected: bool = False


class Note(Frozen):
    text: str
    author: str | None = None  # a name, only in sessions that are not anonymous


class OpenAnswer(Frozen):
    text: str
    author: str | None = None  # a name, only in sessions that are not anonymous


class CurrentCard(Frozen):
    card_id: str
    step: Step = Step.ANSWERING
    drawn_at: float
    deadline: float | None = None
    # player id → question id → value. Lives only while the card is open: closing the card
    # folds it into tallies, so an anonymous session keeps no link between people and votes.
    answers: dict[str, dict[str, str]] = Field(default_factory=dict)
    consensus: dict[str, Vote] = Field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    # storage only: in an anonymous session the stored copy carries ``answers`` sealed with the
    # card's key (server/rooms/sealing.py) and an empty ``answers``; never set in memory
    sealed: str = ""
    # player id → notes written on this card (bounded per person); in an anonymous session it
    # is stored sealed with the answers, like them
    note_counts: dict[str, int] = Field(default_factory=dict)
    # participants (role player, connected) when the card was revealed; None before the reveal
    present: int | None = None


class QuestionResult(Frozen):
    """What remains of a question once its card is revealed or closed."""

    question_id: str
    tally: Tally
    group_answer: GroupAnswer | None  # None for open questions
    consensus: Vote | None = None
    divergent: bool = False
    present: int = 0  # participants present at the reveal
    quorum: int = 0  # votes a group answer needed at that reveal (0 in states made before it)
    open_answers: tuple[OpenAnswer, ...] = ()
    votes: dict[str, str] = Field(default_factory=dict)  # name → value; empty if anonymous


class ClosedCard(Frozen):
    card_id: str
    outcome: Literal["played", "skipped"]
    results: tuple[QuestionResult, ...] = ()
    notes: tuple[Note, ...] = ()
    reader_name: str | None = None
    closed_at: float = 0.0


INDEXED_FROM = 8  # below, a scan is as fast as the index (21 players: 1.07 µs a scan, 0.32 indexed)
MAX_INDEXED = 1024  # tuples of players indexed at a time (each held, so its id stays its own)
_INDEX: dict[int, tuple[tuple[Player, ...], dict[str, Player]]] = {}


class RoomState(Frozen):
    version: int = 0
    phase: Phase = Phase.LOBBY
    settings: RoomSettings = RoomSettings()
    players: tuple[Player, ...] = ()
    reader_id: str | None = None
    pile: tuple[str, ...] = ()  # card ids still to draw, in dealing order
    parked: tuple[str, ...] = ()
    parked_notes: dict[str, tuple[Note, ...]] = Field(default_factory=dict)
    # card id → cards closed when it was set aside: it comes back after PARK_RETURN_AFTER more
    parked_at: dict[str, int] = Field(default_factory=dict)
    current: CurrentCard | None = None
    closed: tuple[ClosedCard, ...] = ()
    cards_total: int = 0
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    closed_chars: int = 0  # characters of notes and open answers on closed cards (bounded)
    locked: bool = False  # the facilitator closed the room to newcomers
    # issue 16: the group's actions (ids a1, a2… from action_seq), and the earlier session
    # this one follows up, if any (its snapshot and the statuses given to its actions)
    actions: tuple[Action, ...] = ()
    action_seq: int = 0
    follows: Earlier | None = None

    def player(self, player_id: str | None) -> Player | None:
        players = self.players
        if len(players) < INDEXED_FROM:
            return next((p for p in players if p.id == player_id), None)
        # a big room: asked at every vote, so the players are indexed once per tuple
        hit = _INDEX.get(id(players))
        if hit is None or hit[0] is not players:
            if len(_INDEX) >= MAX_INDEXED:
                _INDEX.clear()
            hit = (players, {p.id: p for p in players})
            _INDEX[id(players)] = hit
        return hit[1].get(player_id) if player_id is not None else None

    @property
    def cards_done(self) -> int:
        return len(self.closed)
