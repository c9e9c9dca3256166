"""The PDF's compact layout (issue 15): what a long session's PDF keeps, and how long it is.

The PDF of a session is laid out by WeasyPrint, whose time goes with the text and the boxes
on the page: the cards are compact blocks, and the open answers of a long session with a big
group are cut to a few lines per question (the most frequent first), the rest pointed to the
web report and the Markdown export. Nothing else is left out.
"""

import re
import subprocess
from pathlib import Path

from server.summary.html import render_report
from server.summary.model import build_summary
from server.summary.pdf import render_pdf
from server.summary.schema import NoteOut
from tests.summary.factory import big_deck, mini_deck, play

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def text_of(html: str) -> str:
    """The page's words, every run of white space (no-break spaces too) as one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def test_a_long_session_keeps_every_result_and_cuts_open_answers_visibly() -> None:
    deck = big_deck(50)
    s = build_summary(deck, play(deck, players=30), "LONG01")
    html = render_report(s, "pdf")
    text = text_of(html)
    for card in s.cards:
        assert f"{card.order}. {card.title}" in text, card.title
        for q in card.questions:
            if q.kind == "yes_no":
                # the question, the group's answer, the votes and the turnout, on one line
                assert q.text in text
        assert card.notes[0].text in text
    assert text.count("30 sur 30 ont répondu") == 200
    assert text.count("Réponse du groupe :") == 200
    # 30 answers to each open question: a few shown, the others counted and pointed to
    left_out = re.findall(
        r"… et (\d+) autres réponses : voir le rapport en ligne ou l'export Markdown\.", text
    )
    assert len(left_out) == 50 and all(20 <= int(n) < 30 for n in left_out), left_out[:3]


def test_a_short_session_keeps_every_open_answer() -> None:
    deck = mini_deck()
    s = build_summary(deck, play(deck, players=8), "SHORT1")
    text = text_of(render_report(s, "pdf"))
    answers = [a.text for card in s.cards for q in card.questions for a in q.open_answers]
    assert answers and all(a in text for a in answers)
    assert "autres réponses" not in text and "autre réponse" not in text


def test_the_same_answer_is_shown_once_with_its_count_most_frequent_first() -> None:
    deck = mini_deck()
    s = build_summary(deck, play(deck, players=3), "SAME01")
    card = s.cards[0]
    i, q = next((i, q) for i, q in enumerate(card.questions) if q.kind == "open")
    answers = [NoteOut(text="Rare", author=None)] + [NoteOut(text=" Plus  de temps ", author=None)] * 3
    answers.append(NoteOut(text="plus de temps", author=None))
    questions = list(card.questions)
    questions[i] = q.model_copy(update={"open_answers": answers})
    cards = [card.model_copy(update={"questions": questions}), *s.cards[1:]]
    text = text_of(render_report(s.model_copy(update={"cards": cards}), "pdf"))
    assert "« Plus de temps » (×4) · « Rare »" in text


def test_the_pdf_of_a_long_session_is_short(tmp_path: Path) -> None:
    """50 cards × 30 people: 58 pages before the compact layout (one card a page), about 22
    now. Fewer pages is what makes it fast; the time itself is measured by
    bench/bench_summary.py, not here."""
    deck = big_deck(50)
    body = render_pdf(build_summary(deck, play(deck, players=30, anonymous=False, uniform=True), "LONG02"))
    path = tmp_path / "long.pdf"
    path.write_bytes(body)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=20).stdout.decode()
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 15 <= pages <= 26, pages
    assert re.search(r"Tagged:\s+yes", info)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=20
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "50. Carte n°" in flat and "(Participant 0)" in flat and "Fanny Animatrice" in flat
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "long-session.pdf").write_bytes(body)
