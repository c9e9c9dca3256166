"""Broken deck files, each with the answer the API must give: status, path of the field, code.

Built from one small valid deck so that each case breaks exactly one thing.
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MINI = json.loads((ROOT / "tests" / "fixtures" / "mini-deck.json").read_text("utf-8"))


def valid_deck(deck_id: str = "corpus-deck") -> dict[str, Any]:
    deck = copy.deepcopy(MINI)
    deck["id"] = deck_id
    return deck


@dataclass(frozen=True)
class Broken:
    name: str
    body: bytes
    status: int
    path: str
    code: str


def _json(deck: Any) -> bytes:
    return json.dumps(deck, ensure_ascii=False).encode("utf-8")


def _mutated(
    name: str, change: Callable[[dict[str, Any]], Any], path: str, code: str, status: int = 422
) -> Broken:
    deck = valid_deck(f"broken-{name.replace('_', '-')}")
    change(deck)
    return Broken(name, _json(deck), status, path, code)


def _q(deck: dict[str, Any], card: int = 0, question: int = 0) -> dict[str, Any]:
    q: dict[str, Any] = deck["cards"][card]["questions"][question]
    return q


def _many_cards(deck: dict[str, Any], n: int) -> None:
    template = deck["cards"][0]
    deck["cards"] = [{**copy.deepcopy(template), "id": f"c{i}"} for i in range(n)]


def corpus() -> list[Broken]:
    latin1 = (
        json.dumps(valid_deck("broken-latin1"), ensure_ascii=False)
        .replace("Mini deck", "Jeu réduit")
        .encode("latin-1")
    )
    huge = valid_deck("broken-huge")
    huge["description"] = "x" * (1024 * 1024)
    return [
        Broken("not_json", b'{"format": "exploria-deck/1", "id": ', 422, "", "bad_json_at"),
        Broken("empty_file", b"", 422, "", "bad_json_at"),
        Broken("not_utf8", latin1, 422, "", "not_utf8"),
        Broken("too_large", _json(huge), 422, "", "deck_too_large"),
        Broken("not_an_object", b"[]", 422, "", "not_object"),
        _mutated("wrong_format", lambda d: d.update(format="exploria-deck/2"), "format", "bad_format"),
        _mutated("missing_format", lambda d: d.pop("format"), "format", "missing"),
        _mutated("missing_title", lambda d: d.pop("title"), "title", "missing"),
        _mutated("title_not_text", lambda d: d.update(title=42), "title", "not_text"),
        _mutated("title_too_long", lambda d: d.update(title="t" * 201), "title", "too_long"),
        _mutated("bad_deck_id", lambda d: d.update(id="Mon Jeu"), "id", "bad_deck_id"),
        _mutated("unknown_language", lambda d: d.update(language="de"), "language", "not_allowed"),
        _mutated("missing_themes", lambda d: d.pop("themes"), "themes", "missing"),
        _mutated("bad_color", lambda d: d["themes"][0].update(color="blue"), "themes[0].color", "bad_color"),
        _mutated(
            "duplicate_theme",
            lambda d: d["themes"][1].update(id="organisation"),
            "themes[1].id",
            "duplicate_id",
        ),
        _mutated(
            "undeclared_theme", lambda d: d["cards"][1].update(theme="rh"), "cards[1].theme", "unknown_theme"
        ),
        _mutated(
            "unknown_criterion",
            lambda d: _q(d).update(criterion="bonheur"),
            "cards[0].questions[0].criterion",
            "unknown_criterion",
        ),
        _mutated(
            "yes_no_without_risk_answer",
            lambda d: _q(d).pop("risk_answer"),
            "cards[0].questions[0].risk_answer",
            "risk_answer_required",
        ),
        _mutated(
            "yes_no_without_criterion",
            lambda d: _q(d, 0, 1).pop("criterion"),
            "cards[0].questions[1].criterion",
            "criterion_required",
        ),
        _mutated(
            "bad_risk_answer",
            lambda d: _q(d).update(risk_answer="oui"),
            "cards[0].questions[0].risk_answer",
            "not_allowed",
        ),
        _mutated(
            "open_with_risk_answer",
            lambda d: _q(d, 0, 2).update(risk_answer="yes"),
            "cards[0].questions[2].risk_answer",
            "risk_answer_open",
        ),
        _mutated(
            "unknown_kind",
            lambda d: _q(d).update(kind="multiple"),
            "cards[0].questions[0].kind",
            "not_allowed",
        ),
        _mutated("duplicate_card_id", lambda d: d["cards"][2].update(id="c1"), "cards[2].id", "duplicate_id"),
        _mutated(
            "duplicate_question_id",
            lambda d: _q(d, 0, 1).update(id="q1"),
            "cards[0].questions[1].id",
            "duplicate_id",
        ),
        _mutated("empty_deck", lambda d: d.update(cards=[]), "cards", "too_few"),
        _mutated("too_many_cards", lambda d: _many_cards(d, 301), "cards", "too_many"),
        _mutated(
            "situation_too_long",
            lambda d: d["cards"][0].update(situation="s" * 2001),
            "cards[0].situation",
            "too_long",
        ),
        _mutated(
            "question_too_long",
            lambda d: _q(d, 2).update(text="q" * 2001),
            "cards[2].questions[0].text",
            "too_long",
        ),
        _mutated(
            "empty_question_text", lambda d: _q(d).update(text=""), "cards[0].questions[0].text", "empty"
        ),
        _mutated(
            "card_without_questions",
            lambda d: d["cards"][1].update(questions=[]),
            "cards[1].questions",
            "too_few",
        ),
        _mutated(
            "too_many_questions",
            lambda d: d["cards"][1].update(
                questions=[{"id": f"q{i}", "kind": "open", "text": "?"} for i in range(11)]
            ),
            "cards[1].questions",
            "too_many",
        ),
        _mutated(
            "misspelt_field",
            lambda d: d["cards"][0].update(titel="Planning"),
            "cards[0].titel",
            "unknown_field",
        ),
        _mutated(
            "questions_not_list",
            lambda d: d["cards"][1].update(questions="q1"),
            "cards[1].questions",
            "not_list",
        ),
        _mutated("card_not_object", lambda d: d["cards"].append("c4"), "cards[3]", "not_object"),
        _mutated("bad_card_id", lambda d: d["cards"][0].update(id="carte un"), "cards[0].id", "bad_id"),
        Broken("taken_by_builtin", _json(valid_deck("exploria-fr")), 409, "", "deck_id_taken"),
    ]
