"""The room state: frozen values, replaced (never mutated) by each command.

The whole state is serialisable to JSON (pydantic), which is how it is stored: the database row
of a room holds its latest state, so a restarted or another process picks the game up exactly.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.core.sectors import SectorId
from server.core.tally import GroupAnswer, Tally

Vote = Literal["yes", "no", "unsure"]
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


class RoomSettings(Frozen):
    """Chosen when the room is created; never changed afterwards."""

    anonymous: bool = True
    selection: Literal["all", "random", "themes", "cards"] = "all"
    card_count: Annotated[int, Field(ge=1, le=300)] | None = None  # for selection="random"
    themes: tuple[str, ...] = ()  # for selection="themes"
    cards: tuple[str, ...] = ()  # for selection="cards"
    timer_minutes: TimerMinutes = 0
    language: Literal["fr", "en"] | None = None  # None: the deck's language
    max_players: Annotated[int, Field(ge=1, le=5000)] = 1000
    facilitator_name: Annotated[str, Field(max_length=40)] = ""
    sectors: tuple[SectorId, ...] = ()  # deal only cards tagged with one of them, or untagged


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


class QuestionResult(Frozen):
    """What remains of a question once its card is revealed or closed."""

    question_id: str
    tally: Tally
    group_answer: GroupAnswer | None  # None for open questions
    consensus: Vote | None = None
    divergent: bool = False
    open_answers: tuple[OpenAnswer, ...] = ()
    votes: dict[str, str] = Field(default_factory=dict)  # name → value; empty if anonymous


class ClosedCard(Frozen):
    card_id: str
    outcome: Literal["played", "skipped"]
    results: tuple[QuestionResult, ...] = ()
    notes: tuple[Note, ...] = ()
    reader_name: str | None = None
    closed_at: float = 0.0


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

    def player(self, player_id: str | None) -> Player | None:
        return next((p for p in self.players if p.id == player_id), None)

    @property
    def cards_done(self) -> int:
        return len(self.closed)
