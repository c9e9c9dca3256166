"""The summary as Markdown: reads well as plain text, renders well on any Markdown viewer.

Every text typed by a person (names, notes, open answers) and every deck text goes through
``inline``: Markdown's special characters are backslash-escaped and line starts that would
open a block (a heading, a list, a quote, a rule…) are neutralised, so the text stays text
whatever it contains. Line breaks inside a text become hard breaks indented under their item.
"""

from collections.abc import Iterable

from server.i18n import translate
from server.summary import text
from server.summary.guide import LEVELS, LIMITS, OFFICIAL, REMEMBER, RULES
from server.summary.markdown_followup import actions, compare_earlier
from server.summary.mdwriter import Writer, inline, level_text
from server.summary.model import CardOut, CriterionOut, NoteOut, QuestionOut, Summary


def render_markdown(s: Summary) -> str:
    w = Writer(s.language)
    tr, add = w.tr, w.add
    sess = s.session
    add(f"# {tr('summary.doc_title')} — {inline(sess.title or sess.deck.title, single=True)}", "")
    add(f"_{tr('summary.tagline')}_", "")
    if not sess.finished:
        add(f"> **{tr('summary.unfinished_banner')}**", "")

    add(f"## {tr('summary.section.session')}", "")
    for key, value in _session_rows(s):
        add(f"- **{w.label(key)}** {value}")
    if sess.participants.names:
        add(
            "",
            f"**{w.label('summary.participants_names')}** "
            + ", ".join(inline(n, single=True) for n in sess.participants.names),
        )
    add("")

    _synthesis(w, s)
    compare_earlier(w, s)
    _next_steps(w, s)
    actions(w, s)

    add(f"## {tr('summary.section.cards')}", "")
    if not s.cards:
        add(tr("summary.no_cards"), "")
    for card in s.cards:
        _card(w, card)
    asides = [(c, "summary.aside.parked") for c in s.parked_cards]
    if s.current_card:
        asides.append((s.current_card, "summary.aside.current"))
    if asides:
        add(f"### {tr('summary.aside.title')}", "")
        for aside, key in asides:
            add(
                f"- {inline(aside.title, single=True)} ({inline(aside.theme.title, single=True)}) — {tr(key)}"
            )
            add(*(f"  - {_note(n, indent='    ')}" for n in aside.notes))
        add("")

    _guide(w, s)
    add("---", "", tr("summary.official.inspired"), "")
    for key, url in OFFICIAL:
        add(f"- [{tr(f'summary.official.{key}')}]({url})")
    add("", f"_{tr('summary.footer', date=text.when(s.generated_at, s.language))}_", "")
    return "\n".join(w.lines)


def _synthesis(w: Writer, s: Summary) -> None:
    tr, add, lang = w.tr, w.add, w.lang
    add(f"## {tr('summary.section.synthesis')}", "", tr("summary.synthesis_intro"), "")
    crit = {c.criterion: c for c in s.synthesis.criteria}
    order = {card.card_id: card.order for card in s.cards}
    for dim in s.synthesis.dimensions:
        add(f"### {dim.label}", "")
        add(
            f"| {tr('summary.col.criterion')} | {tr('summary.col.level')} | "
            f"{tr('summary.col.basis')} | {tr('summary.col.divergent')} |"
        )
        add("|---|---|---|---|")
        for cid in dim.criteria:
            c = crit[cid]
            counts = text.rests_on(c.answered, c.to_clarify, c.insufficient, c.divided, lang)
            if c.answered:
                counts = tr("summary.chart.bar_counts", risks=c.risks, answered=c.answered) + " · " + counts
            add(
                f"| {c.label} | {level_text(c.level, c.indicative, lang)} | {counts} | "
                f"{len(c.divergent_questions)} |"
            )
        add("")
        for cid in dim.criteria:
            _criterion_details(w, crit[cid], order)


def _criterion_details(w: Writer, c: CriterionOut, order: dict[str, int]) -> None:
    """Under a dimension's table: what one criterion rests on (nothing when it rests on
    nothing worth a line)."""
    tr, add, lang = w.tr, w.add, w.lang
    if not (
        c.risk_questions
        or c.divergent_questions
        or c.to_clarify_questions
        or c.insufficient_questions
        or c.notes
    ):
        return
    add(f"#### {c.label} — {level_text(c.level, c.indicative, lang)}", "", f"_{c.description}_", "")
    for key, items in (
        ("summary.risk_questions", c.risk_questions),
        ("summary.to_clarify_questions", c.to_clarify_questions),
        ("summary.insufficient_questions", c.insufficient_questions),
    ):
        if not items:
            continue
        add(w.label(key), "")
        for q in items:
            extra = ""
            if q.group_answer == "insufficient":
                voted = q.tally.yes + q.tally.no + q.tally.unsure
                extra = " · " + text.turnout(voted, q.present, lang)
            add(
                f"- {inline(q.text)} — {tr('summary.group_answer_short')} "
                f"**{text.answer(q.group_answer, lang)}**"
                + (f" ({tr('summary.flag.consensus')})" if q.consensus else "")
                + extra
                + f" ({tr('summary.card_ref', number=order.get(q.card_id, '?'))})"
            )
        add("")
    if c.divergent_questions:
        add(w.label("summary.divergent_questions"), "")
        for q in c.divergent_questions:
            add(
                f"- {inline(q.text)} — {_tally(q.tally.yes, q.tally.no, q.tally.unsure, lang)}"
                f" ({tr('summary.card_ref', number=order.get(q.card_id, '?'))})"
            )
        add("")
    if c.notes:  # the notes are under their cards: point to them
        numbers = [str(order[n.card_id]) for n in c.notes if n.card_id in order]
        see = tr("summary.see_cards", cards=tr("summary.list_sep").join(numbers), count=len(numbers))
        add(f"{w.label('summary.criterion_notes')} {see}", "")


def _next_steps(w: Writer, s: Summary) -> None:
    tr, add = w.tr, w.add
    add(f"## {tr('summary.section.next_steps')}", "")
    for i, step in enumerate(s.next_steps, start=1):
        add(f"{i}. **{step.title}** — {step.text}")
    add("", f"### {tr('summary.appropriation.title')}", "", tr("summary.appropriation.intro"), "")
    for g in s.appropriation_steps:
        mark = f" **[{tr('summary.appropriation.priority')}]**" if g.priority else ""
        add(f"{g.number}. **{g.title}**{mark} — {g.text}")
    add("", f"### {tr('summary.remember.title')}", "")
    for key in REMEMBER:
        add(f"- **{tr(f'summary.remember.{key}.title')}** — {tr(f'summary.remember.{key}.text')}")
    add("")


def _guide(w: Writer, s: Summary) -> None:
    tr, add, lang = w.tr, w.add, w.lang
    add(f"## {tr('summary.section.guide')}", "", tr("summary.guide.intro"), "")
    dims = {d.id: d.label for d in s.synthesis.dimensions}
    for c in s.synthesis.criteria:
        add(f"- **{c.label}** ({dims[c.dimension]}) — {c.description}")
    add("", f"**{tr('summary.guide.rule_title')}**", "")
    quorum = text.quorum_line(s.session.quorum.percent, s.session.quorum.minimum, lang)
    for i, key in enumerate(RULES, start=1):
        add(f"{i}. {tr(f'summary.guide.rule.{key}', quorum=quorum)}")
    add("", f"**{tr('summary.guide.levels_title')}**", "")
    for lv in LEVELS:
        add(f"- **{text.level(lv, lang)}** — {tr(f'summary.guide.level.{lv}')}")
    add("", f"**{tr('summary.guide.limits_title')}**", "")
    for key in LIMITS:
        add(f"- {tr(f'summary.guide.limit.{key}')}")
    add("")


def _tally(yes: int, no: int, unsure: int, lang: str) -> str:
    return translate(lang, "summary.tally", yes=yes, no=no, unsure=unsure)


def _note(n: NoteOut, indent: str = "  ") -> str:
    body = inline(n.text, indent)
    if n.author:
        return f"{body} — _{inline(n.author, single=True)}_"
    return body


def _session_rows(s: Summary) -> Iterable[tuple[str, str]]:
    lang = s.language
    sess = s.session

    def tr(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    if sess.title:
        yield "summary.field.title", inline(sess.title, single=True)
    if sess.organisation:
        yield "summary.field.organisation", inline(sess.organisation, single=True)
    system = sess.ai_system
    if system is None:
        yield "summary.field.ai_system", tr("summary.no_ai_system")
    else:
        name = inline(system.name, single=True) if system.name else tr("summary.unknown")
        stage = f" ({system.stage_label})" if system.stage_label else ""
        yield "summary.field.ai_system", name + stage
        if system.purpose:
            yield "summary.field.purpose", inline(system.purpose, single=True)
        if system.users:
            yield "summary.field.users", inline(system.users, single=True)
    if sess.company_size_label:
        yield "summary.field.company_size", sess.company_size_label
    version = tr("summary.version", version=inline(sess.deck.version, single=True))
    yield "summary.field.deck", f"{inline(sess.deck.title, single=True)} ({version})"
    yield "summary.field.code", sess.code
    yield "summary.field.language", tr(f"summary.language.{sess.language}")
    yield "summary.field.date", text.when(sess.started_at or sess.created_at, lang)
    yield (
        "summary.field.duration",
        (text.duration(sess.duration_seconds, lang) if sess.finished else tr("summary.duration.in_progress")),
    )
    if sess.facilitator:
        yield "summary.field.facilitator", inline(sess.facilitator, single=True)
    yield "summary.field.participants", str(sess.participants.count)
    yield "summary.field.anonymity", tr("summary.anonymous.yes" if sess.anonymous else "summary.anonymous.no")
    cards = sess.cards
    yield "summary.field.cards", text.cards_line(cards.played, cards.skipped, cards.parked, cards.total, lang)
    yield "summary.field.quorum", text.quorum_line(sess.quorum.percent, sess.quorum.minimum, lang)


def _question(w: Writer, q: QuestionOut) -> None:
    tr, add, lang = w.tr, w.add, w.lang
    if q.kind == "open":
        add(f"- {inline(q.text)} _({tr('summary.open_question')})_")
        if not q.open_answers:
            add(f"  - {tr('summary.no_open_answers')}")
        add(*(f"  - {_note(a, indent='    ')}" for a in q.open_answers))
        return
    flags = [
        tr(f"summary.flag.{f}")
        for f, on in (("consensus", q.consensus), ("risk", q.risk), ("divergent", q.divergent))
        if on
    ]
    add(f"- {inline(q.text)}")
    add(
        f"  {tr('summary.group_answer_short')} **{text.answer(q.group_answer, lang)}**"
        f" ({_tally(q.tally.yes, q.tally.no, q.tally.unsure, lang)}"
        f" · {text.turnout(q.voted, q.present, lang)}"
        f" · {text.basis(q.group_answer, q.consensus, q.quorum, lang)})"
        f" · {q.criterion_label or '—'}" + "".join(f" · **{f}**" for f in flags)
    )


def _card(w: Writer, card: CardOut) -> None:
    tr, add = w.tr, w.add
    add(f"### {card.order}. {inline(card.title, single=True)}", "")
    meta = f"{w.label('summary.field.theme')} {inline(card.theme.title, single=True)}"
    if card.outcome == "skipped":
        meta += f" · {tr('summary.outcome.skipped')}"
    if card.reader:
        meta += f" · {tr('summary.read_by', name=inline(card.reader, single=True))}"
    add(f"_{meta}_", "")
    if card.situation:
        add(f"> {inline(card.situation, '> ')}", "")
    if card.outcome == "played":
        for q in card.questions:
            _question(w, q)
        add("")
    if card.notes:
        add(w.label("summary.notes"), "")
        add(*(f"- {_note(n)}" for n in card.notes))
        add("")
