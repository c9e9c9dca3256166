"""The summary built from the pure core: content, anonymity, partial sessions, each format."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from server.core import commands as c
from server.core.rules import apply
from server.summary import csv_export, markdown
from server.summary.chart import chart_svg
from server.summary.html import render_report
from server.summary.model import build_summary, summary_json_schema
from server.summary.render import render_json
from tests.summary.factory import NASTY, mini_deck, play

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "summary.schema.json").read_text("utf-8"))
NAMES = ["Zoé Quincampoix", "Xavier Vortigern", "Yannick Ubuesque"]


def test_schema_file_is_up_to_date() -> None:
    assert summary_json_schema() == SCHEMA, "regenerate docs/summary.schema.json (docs/summary.md)"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_session_facts_and_synthesis() -> None:
    deck = mini_deck()
    state = play(deck, players=3, anonymous=False, names=NAMES)
    s = build_summary(deck, state, "ABCDEF", now=1_700_000_000)
    sess = s.session
    assert sess.deck.title == "Mini deck de test" and sess.deck.version == "1.0"
    assert sess.language == "fr" and sess.finished and not sess.anonymous
    assert sess.duration_seconds == 3 * 300 + 60
    assert sess.participants.count == 3 and sess.participants.names == NAMES
    assert sess.cards.played == 3 and sess.cards.total == 3 and sess.cards.not_drawn == 0
    assert [c.criterion for c in s.synthesis.criteria][:2] == ["autonomie", "reconnaissance"]
    assert {d.id for d in s.synthesis.dimensions} == {"engagement", "bien_etre"}
    assert all(c.level_label and c.label for c in s.synthesis.criteria)
    card = s.cards[0]
    assert card.reader in NAMES
    yes_no = [q for q in card.questions if q.kind == "yes_no"]
    assert all(len(q.votes) == 3 for q in yes_no)
    opened = [q for q in card.questions if q.kind == "open"]
    assert all(a.author in NAMES for q in opened for a in q.open_answers)
    jsonschema.validate(json.loads(render_json(s)), SCHEMA)


def test_anonymous_summary_names_nobody_anywhere() -> None:
    deck = mini_deck()
    state = play(deck, players=3, anonymous=True, names=NAMES)
    s = build_summary(deck, state, "ABCDEF")
    assert s.session.participants == s.session.participants.model_copy(update={"count": 3, "names": None})
    assert s.session.facilitator is None
    outputs = [
        render_json(s).decode(),
        markdown.render_markdown(s),
        csv_export.render_csv(s).decode("utf-8-sig"),
        render_report(s, "web", token="t", kind="player"),
    ]
    for out in outputs:
        for name in NAMES:
            assert name not in out
        assert "Fanny" not in out
    for card in s.cards:
        assert card.reader is None
        for q in card.questions:
            assert q.votes == [] and all(a.author is None for a in q.open_answers)


def test_lobby_and_half_played_sessions_are_valid() -> None:
    deck = mini_deck()
    lobby = play(deck, players=2, cards=0, finish=False)
    s = build_summary(deck, lobby, "ABCDEF")
    jsonschema.validate(json.loads(render_json(s)), SCHEMA)
    assert s.session.phase == "playing" and s.cards == []
    assert all(c.level == "not_assessed" for c in s.synthesis.criteria)
    assert s.next_steps[0].id == "nothing_played"

    half = play(deck, players=2, cards=1, finish=False)
    half = apply(deck, half, "fac", c.Draw(), 1_700_001_000)
    half = apply(deck, half, "fac", c.AddNote("en cours"), 1_700_001_000)
    s = build_summary(deck, half, "ABCDEF")
    jsonschema.validate(json.loads(render_json(s)), SCHEMA)
    assert len(s.cards) == 1 and s.current_card is not None
    assert s.current_card.notes[0].text == "en cours"
    assert s.session.cards.in_play == 1 and s.session.duration_seconds is None
    assert s.next_steps[0].id == "unfinished"
    assert "session en cours" in markdown.render_markdown(s)


def test_next_steps_follow_the_levels() -> None:
    deck = mini_deck()
    state = play(deck, players=3, seed=3)
    s = build_summary(deck, state, "ABCDEF")
    levels = {c.criterion: c.level for c in s.synthesis.criteria}
    ids = [step.id for step in s.next_steps]
    for criterion, level in levels.items():
        assert (f"criterion.{criterion}" in ids) == (level in ("watch", "alert"))
    assert "cse.unknown" in ids and "share" in ids and "prevention" in ids
    assert ("duerp" in ids) != ("duerp_none" in ids)
    assert ("cse_monitoring" in ids) == (levels["surveillance"] in ("watch", "alert"))
    assert [g.number for g in s.appropriation_steps] == list(range(1, 10))
    assert {1, 5} <= {g.number for g in s.appropriation_steps if g.priority}


def test_english_session() -> None:
    deck = mini_deck()
    state = play(deck, players=2, language="en")
    s = build_summary(deck, state, "ABCDEF")
    md = markdown.render_markdown(s)
    assert s.language == "en" and "## What next?" in md and "Autonomy" in md
    lines = csv_export.render_csv(s).decode("utf-8-sig").splitlines()
    assert lines[0] == "Field;Value" and "AI system;No AI system named" in lines
    header = lines[lines.index("") + 1]
    assert header.startswith("Card no.;Card id;Card;Theme")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("**gras** _it_ `code`", "\\*\\*gras\\*\\* \\_it\\_ \\`code\\`"),
        ("# titre", "\\# titre"),
        ("- liste", "\\- liste"),
        ("1. un", "1\\. un"),
        ("[lien](http://x) ![img](y)", "\\[lien\\](http://x) \\!\\[img\\](y)"),
        ("a | b ~~c~~ &amp;", "a \\| b \\~\\~c\\~\\~ \\&amp;"),
        ("ligne 1\n> cite\n===", "ligne 1\\\n  \\> cite\\\n  \\==="),
        ("", "—"),
    ],
)
def test_markdown_escapes_user_text(raw: str, expected: str) -> None:
    assert markdown.inline(raw) == expected


@pytest.mark.parametrize("value", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_never_start_a_formula(value: str) -> None:
    assert csv_export.cell(value) == "'" + value
    assert csv_export.cell("ok =1") == "ok =1"
    assert csv_export.cell(3) == 3


def test_csv_has_a_row_per_question_and_parses_back() -> None:
    deck = mini_deck()
    state = play(deck, players=3)
    data = csv_export.render_csv(build_summary(deck, state, "ABCDEF"))
    assert data.startswith(b"\xef\xbb\xbf")
    everything = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    gap = everything.index([])  # the framing rows, an empty row, then the table
    frame = dict(everything[1:gap])
    assert everything[0] == ["Information", "Valeur"]
    assert frame["Système d'IA"] == "Aucun système d'IA nommé"
    assert frame["Code de la session"] == "ABCDEF"
    rows = everything[gap + 1 :]
    assert len(rows[0]) == len(csv_export.COLUMNS)
    assert len(rows) == 1 + sum(len(card.questions) for card in deck.cards)
    assert {r[2] for r in rows[1:]} == {card.title for card in deck.cards}


def test_html_and_chart_keep_user_text_inert() -> None:
    deck = mini_deck()
    state = play(
        deck,
        players=2,
        anonymous=False,
        names=["<b>Bob</b>", "Al"],
        note=NASTY,
        open_text="<img src=x onerror=alert(1)>",
    )
    s = build_summary(deck, state, "ABCDEF")
    page = render_report(s, "web", token="tok", kind="facilitator")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Bob" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert " style=" not in page and "onclick" not in page
    svg = chart_svg(s)
    assert svg.startswith("<svg") and "<title" in svg and "Autonomie" in svg


@pytest.mark.parametrize(
    ("size", "step", "monitoring"),
    [
        ("50_plus", "cse.50_plus", "cse_monitoring"),
        ("11_49", "cse.11_49", "monitoring_small"),
        ("under_11", "cse.under_11", "monitoring_small"),
        (None, "cse.unknown", "cse_monitoring"),
    ],
)
def test_who_to_inform_depends_on_the_company_size(size: str | None, step: str, monitoring: str) -> None:
    from server.summary import advice

    criteria = [("surveillance", "alert"), ("autonomie", "ok")]
    plan = advice.plan("fr", criteria=criteria, divergent=0, finished=True, played=3, company_size=size)  # type: ignore[arg-type]
    ids = [s.id for s in plan.next_steps]
    assert step in ids and monitoring in ids
    assert sum(i.startswith("cse.") for i in ids) == 1
    text = next(s.text for s in plan.next_steps if s.id == step)
    if size == "50_plus":
        assert "L2312-8" in text and "au moins 50 salariés" in text
    if size == "under_11":
        assert "directement les salariés" in text


def test_to_clarify_criteria_get_their_own_step_tied_to_the_guide() -> None:
    from server.summary import advice

    plan = advice.plan(
        "fr",
        criteria=[("responsabilite", "not_assessed")],
        divergent=0,
        finished=True,
        played=2,
        to_clarify=[("responsabilite", 2)],
        insufficient=1,
    )
    step = next(s for s in plan.next_steps if s.id == "clarify.responsabilite")
    assert step.title == "Responsabilité\u00a0: à clarifier"
    assert "2 questions" in step.text and "qui sait" in step.text
    assert step.guide_steps == (3, 7) and "étapes 3 et 7" in step.text
    assert {3, 7} <= {g.number for g in plan.steps if g.priority}
    insufficient = next(s for s in plan.next_steps if s.id == "insufficient")
    assert insufficient.text.startswith("1 question n'a pas")
