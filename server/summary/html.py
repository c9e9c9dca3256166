"""The summary as HTML, for the web report and for the PDF (same templates, two modes).

``mode="web"`` adds the toolbar (downloads, print, share links) and links the stylesheet and
script from /static; ``mode="pdf"`` adds a title page and leaves styling to the PDF renderer,
which is handed the same stylesheet directly. Jinja autoescaping keeps every text inert.
"""

import re
from typing import Any, Literal

from server.i18n import translate
from server.summary import compare, text
from server.summary.chart import chart_svg
from server.summary.guide import LEVELS, LIMITS, OFFICIAL, REMEMBER, RULES
from server.summary.model import CardNotes, NoteOut, Summary
from server.templating import render

Mode = Literal["web", "pdf"]
DOWNLOADS = ("pdf", "md", "csv", "json")
# The PDF's open answers: about 12,000 characters in all, shared between the open questions,
# from 200 (two lines) to 600 (five lines) each. Laying out text is what the PDF costs.
OPEN_ANSWERS_CHARS = 12_000
OPEN_ANSWERS_PER_QUESTION = (200, 600)


_INDENT = re.compile(r"\n[ \t]+")


def report_html(s: Summary) -> str:
    """The page the PDF is laid out from. The templates' indentation is only whitespace to the
    page (no element of the report keeps white space), but the HTML parser would still read
    it all."""
    return _INDENT.sub("\n", render_report(s, "pdf"))


def render_report(s: Summary, mode: Mode, **extra: Any) -> str:
    lang = s.language
    order = {card.card_id: card.order for card in s.cards}

    def card_numbers(notes: list[CardNotes]) -> str:
        return translate(lang, "summary.list_sep").join(
            str(order[n.card_id]) for n in notes if n.card_id in order
        )

    def card_ref(card_id: str) -> str:
        """« card 7 »: the synthesis points to the numbered cards rather than repeat titles."""
        return translate(lang, "summary.card_ref", number=order.get(card_id, "?"))

    asked = sum(1 for card in s.cards for q in card.questions if q.open_answers)
    low, high = OPEN_ANSWERS_PER_QUESTION
    budget = min(high, max(low, OPEN_ANSWERS_CHARS // max(asked, 1)))

    def flow(answers: list[NoteOut]) -> tuple[str, int]:
        """Open answers as one run of text (far cheaper to lay out than one box each), for the
        PDF: the same answer given by several people once, with its count or its authors, the
        most frequent first; within ``budget`` characters, so the PDF of a long session with a
        big group stays short and fast (every answer is in the web report, Markdown and JSON).
        Returns the text and how many answers were left out."""
        groups: dict[str, list[NoteOut]] = {}
        for a in answers:
            text = " ".join(a.text.split())
            groups.setdefault(text.casefold(), []).append(a)
        ranked = sorted(groups.values(), key=len, reverse=True)  # stable: first given first
        parts: list[str] = []
        used = shown = 0
        for same in ranked:
            part = translate(lang, "summary.quote", text=" ".join(same[0].text.split()))
            authors = [a.author for a in same if a.author]
            if authors:
                part += f" ({translate(lang, 'summary.list_sep').join(authors)})"
            elif len(same) > 1:
                part += f" (×{len(same)})"
            if parts and used + len(part) > budget:
                break
            parts.append(part)
            used += len(part) + 3
            shown += len(same)
        return " · ".join(parts), len(answers) - shown

    def notes_flow(notes: list[NoteOut]) -> str:
        """A card's notes as one run of text in the PDF, each with its author if named."""
        return " · ".join(" ".join(n.text.split()) + (f" ({n.author})" if n.author else "") for n in notes)

    sess = s.session
    heading = sess.title or sess.deck.title
    return render(
        "report/report.html",
        heading=heading,
        # one running header for the PDF: the session's title (or the deck's) and its code
        running_title=translate(lang, "summary.running_title", title=heading, code=sess.code),
        rules=RULES,
        official=OFFICIAL,
        any_indicative=any(c.indicative for c in s.synthesis.criteria),
        turnout=lambda voted, present: text.turnout(voted, present, lang),
        basis=lambda q: text.basis(q.group_answer, q.consensus, q.quorum, lang),
        rests_on=lambda c: text.rests_on(c.answered, c.to_clarify, c.insufficient, c.divided, lang),
        plural=lambda key, number, **params: text.plural(lang, key, number, **params),
        cards_line=text.cards_line(
            sess.cards.played, sess.cards.skipped, sess.cards.parked, sess.cards.total, lang
        ),
        quorum_line=text.quorum_line(sess.quorum.percent, sess.quorum.minimum, lang),
        s=s,
        lang=lang,
        mode=mode,
        chart=chart_svg(s),
        chart_narrow=chart_svg(s, "narrow") if mode == "web" else "",
        crit={c.criterion: c for c in s.synthesis.criteria},
        when=lambda iso: text.when(iso, lang),
        day=lambda iso: text.day(iso, lang),
        duration=lambda seconds: text.duration(seconds, lang),
        answer=lambda value: text.answer(value, lang),
        level_word=lambda value: text.level(value, lang),
        levels=LEVELS,
        limits=LIMITS,
        remember=REMEMBER,
        card_numbers=card_numbers,
        card_ref=card_ref,
        flow=flow,
        notes_flow=notes_flow,
        downloads=DOWNLOADS,
        action_details=lambda a: compare.details(a, lang),
        point_words=lambda p: compare.point_words(p, lang),
        **extra,
    )
