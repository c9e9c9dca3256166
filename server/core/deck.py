"""The deck file format (CONTRACT.md §1) as pydantic models, and its validation.

``validate_deck`` turns any parsed JSON value into either a ``Deck`` or the complete list of
problems, each with the path of the field at fault (``cards[3].questions[0].criterion``) and a
message key of the translation catalogue, so the edge can word it in the user's language.
The JSON Schema published at /api/schema/deck.json is generated from these same models.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from server.core.criteria import CRITERIA, CriterionId
from server.core.sectors import SECTORS, SectorId

DECK_FORMAT = "exploria-deck/1"
MAX_CARDS = 300
MAX_QUESTIONS = 10
MAX_THEMES = 30
MAX_TEXT = 2000
MAX_FILE_BYTES = 1024 * 1024

DeckId = Annotated[str, Field(pattern=r"^[a-z0-9-]{3,64}$")]
LocalId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=MAX_TEXT)]
YesNo = Literal["yes", "no"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Theme(_Model):
    id: LocalId
    title: ShortText
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = "#2a6f97"


class Question(_Model):
    id: LocalId
    kind: Literal["yes_no", "open"]
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    criterion: CriterionId | None = None
    risk_answer: YesNo | None = None


class Card(_Model):
    id: LocalId
    theme: LocalId
    title: ShortText
    situation: LongText = ""
    facilitator_tip: LongText | None = None
    questions: Annotated[list[Question], Field(min_length=1, max_length=MAX_QUESTIONS)]
    # optional, added to exploria-deck/1 without changing it: files without them stay valid
    sectors: Annotated[list[SectorId], Field(max_length=len(SECTORS))] | None = Field(
        default=None,
        description="The sectors the card suits (ids of the fixed list); absent or empty: any sector.",
    )
    place: Literal["first", "last"] | None = Field(
        default=None,
        description='Dealt before ("first") or after ("last") the shuffled cards of a session, '
        "whatever the selection by count or theme: an opening card, a closing debrief card.",
    )

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


class Deck(_Model):
    format: Literal["exploria-deck/1"]
    id: DeckId
    title: ShortText
    language: Literal["fr", "en"]
    description: LongText = ""
    author: Annotated[str, Field(max_length=200)] = ""
    version: Annotated[str, Field(max_length=40)] = "1.0"
    themes: Annotated[list[Theme], Field(min_length=1, max_length=MAX_THEMES)]
    cards: Annotated[list[Card], Field(min_length=1, max_length=MAX_CARDS)]

    _cards_by_id: dict[str, Card] = PrivateAttr(default_factory=dict)
    _themes_by_id: dict[str, Theme] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._cards_by_id = {c.id: c for c in self.cards}
        self._themes_by_id = {t.id: t for t in self.themes}

    # read straight from pydantic's slot: ``self._cards_by_id`` goes through the model's
    # ``__getattr__``, and a vote asks for its card several times
    def card(self, card_id: str) -> Card | None:
        return self.__pydantic_private__["_cards_by_id"].get(card_id)  # type: ignore[index,no-any-return]

    def theme(self, theme_id: str) -> Theme | None:
        return self.__pydantic_private__["_themes_by_id"].get(theme_id)  # type: ignore[index,no-any-return]

    def to_file(self) -> dict[str, Any]:
        """The deck as a file: the export format, without empty optional fields."""
        return self.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deck: where, and a catalogue key with its parameters."""

    path: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


# pydantic error types → catalogue keys (``deck.problem.<key>``)
_PYDANTIC_KEYS = {
    "missing": "missing",
    "extra_forbidden": "unknown_field",
    "string_type": "not_text",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "bad_pattern",
    "literal_error": "not_allowed",
    "list_type": "not_list",
    "too_short": "too_few",
    "too_long": "too_many",
    "model_type": "not_object",
    "model_attributes_type": "not_object",
    "dict_type": "not_object",
}


def format_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _problem_from_pydantic(err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    key = _PYDANTIC_KEYS.get(kind, "invalid")
    ctx = err.get("ctx") or {}
    params: dict[str, Any] = {}
    if kind in ("string_too_long", "string_too_short") or kind in ("too_long", "too_short"):
        params["limit"] = ctx.get("max_length", ctx.get("min_length"))
    elif kind == "literal_error":
        # pydantic words the choices in English ("'yes' or 'no'"): keep them language-neutral
        params["expected"] = str(ctx.get("expected", "")).replace("' or '", "', '")
    elif kind == "string_pattern_mismatch":
        last = loc[-1] if loc else ""
        key = {"color": "bad_color", "id": "bad_id"}.get(str(last), "bad_pattern")
        if len(loc) == 1 and loc[0] == "id":
            key = "bad_deck_id"
    if loc and loc[-1] == "format" and kind == "literal_error":
        key = "bad_format"
        params = {"expected": DECK_FORMAT}
    elif loc and loc[-1] == "criterion" and kind == "literal_error":
        key = "unknown_criterion"
        params = {"expected": ", ".join(CRITERIA)}
    elif len(loc) >= 2 and loc[-2] == "sectors" and kind == "literal_error":
        key = "unknown_sector"
        params = {"expected": ", ".join(SECTORS)}
    elif kind == "string_too_short" and params.get("limit") == 1:
        key = "empty"
    return Problem(format_path(loc), key, params)


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


# Control characters (but line feed and tab) and the invisible bidirectional overrides: no deck
# text needs them, and they are how text is made to read differently from what it is.
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _control_problems(value: Any, loc: tuple[int | str, ...] = ()) -> list[Problem]:
    """Every string of the file (keys included) that holds a forbidden character."""
    if isinstance(value, str):
        found = _FORBIDDEN_CHARS.search(value)
        if found is None:
            return []
        return [Problem(format_path(loc), "control_character", {"code": f"U+{ord(found.group()):04X}"})]
    problems: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _FORBIDDEN_CHARS.search(key):
                problems.append(Problem(format_path((*loc, "")), "control_character", {"code": "?"}))
            problems += _control_problems(item, (*loc, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            problems += _control_problems(item, (*loc, i))
    return problems


def _semantic_problems(data: dict[str, Any]) -> list[Problem]:
    """Cross-field rules, checked on the raw data so they are reported with structural ones."""
    problems: list[Problem] = _control_problems(data)
    themes = _dicts(data.get("themes"))
    problems += _duplicate_ids(themes, "themes")
    known_themes = {t.get("id") for _, t in themes} if isinstance(data.get("themes"), list) else None
    cards = _dicts(data.get("cards"))
    problems += _duplicate_ids(cards, "cards")
    for i, card in cards:
        problems += _card_problems(card, f"cards[{i}]", known_themes)
    return problems


def _duplicate_ids(items: list[tuple[int, dict[str, Any]]], where: str) -> list[Problem]:
    """An id used twice in one list (``where``), reported at each use."""
    ids = Counter(item.get("id") for _, item in items)
    return [
        Problem(f"{where}[{i}].id", "duplicate_id", {"id": item.get("id")})
        for i, item in items
        if ids[item.get("id")] > 1
    ]


def _card_problems(card: dict[str, Any], where: str, known_themes: set[Any] | None) -> list[Problem]:
    """One card's cross-field rules: its theme, its sectors, its questions."""
    problems: list[Problem] = []
    theme = card.get("theme")
    if isinstance(theme, str) and known_themes is not None and theme not in known_themes:
        problems.append(Problem(f"{where}.theme", "unknown_theme", {"theme": theme}))
    sectors = card.get("sectors")
    if isinstance(sectors, list):
        seen: set[object] = set()
        for k, sector in enumerate(sectors):
            if isinstance(sector, str) and sector in seen:
                problems.append(Problem(f"{where}.sectors[{k}]", "duplicate_sector", {"sector": sector}))
            seen.add(sector)
    questions = _dicts(card.get("questions"))
    problems += _duplicate_ids(questions, f"{where}.questions")
    for j, q in questions:
        problems += _question_problems(q, f"{where}.questions[{j}]")
    return problems


def _question_problems(q: dict[str, Any], qwhere: str) -> list[Problem]:
    problems: list[Problem] = []
    if q.get("kind") == "yes_no":
        if q.get("criterion") is None:
            problems.append(Problem(f"{qwhere}.criterion", "criterion_required"))
        if q.get("risk_answer") is None:
            problems.append(Problem(f"{qwhere}.risk_answer", "risk_answer_required"))
    elif q.get("kind") == "open" and q.get("risk_answer") is not None:
        problems.append(Problem(f"{qwhere}.risk_answer", "risk_answer_open"))
    return problems


def validate_deck(data: Any) -> Deck | list[Problem]:
    """A valid ``Deck``, or every problem found (never an exception)."""
    if not isinstance(data, dict):
        return [Problem("", "not_object")]
    problems = []
    deck: Deck | None = None
    try:
        deck = Deck.model_validate(data)
    except ValidationError as exc:
        problems = [_problem_from_pydantic(e) for e in exc.errors(include_url=False)]
    problems += _semantic_problems(data)
    if problems or deck is None:
        return sorted(problems, key=lambda p: _path_key(p.path))
    return deck


def _path_key(path: str) -> list[Any]:
    """Sort problems in document order: cards[10] after cards[9]."""
    return [int(x) if x.isdigit() else x for x in re.split(r"[\[\].]+", path) if x]


def parse_deck(data: Any) -> Deck:
    """A ``Deck`` from trusted data (built-in files, stored copies); raises on any problem."""
    result = validate_deck(data)
    if isinstance(result, list):
        raise ValueError("; ".join(f"{p.path}: {p.key}" for p in result))
    return result


def deck_json_schema() -> dict[str, Any]:
    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "/api/schema/deck.json"
    schema["title"] = "ExplorIA deck (exploria-deck/1)"
    return schema
