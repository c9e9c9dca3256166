"""The follow-up parts of the Markdown summary: the group's actions and the comparison with
the earlier session (issue 16)."""

from server.summary import compare, text
from server.summary.compare import ActionOut, EarlierActionOut, LevelPoint
from server.summary.mdwriter import Writer, inline, level_text
from server.summary.model import Summary


def _action_line(w: Writer, a: ActionOut | EarlierActionOut, box: str) -> str:
    # the owner is typed by people: made inert; the other details are the app's own words
    parts = [
        f"**{w.label(key)}** " + (inline(value, single=True) if key == "actions.field.owner" else value)
        for key, value in compare.details(a, w.lang)
    ]
    return f"- [{box}] {inline(a.text, single=True)}" + (" — " + " · ".join(parts) if parts else "")


def actions(w: Writer, s: Summary) -> None:
    """The group's actions as a checklist (issue 16)."""
    tr, add = w.tr, w.add
    add(f"## {tr('actions.section')}", "")
    if not s.actions:
        add(tr("actions.none"), "")
        return
    for a in s.actions:
        add(_action_line(w, a, " "))
    add("")


def compare_earlier(w: Writer, s: Summary) -> None:
    """A follow-up: then and now per criterion, the earlier actions, the questions asked in
    both sessions."""
    f = s.follows
    if f is None:
        return
    tr, add, lang = w.tr, w.add, w.lang
    add(f"## {tr('actions.compare.section')}", "")
    add(
        tr(
            "actions.compare.intro",
            title=inline(f.title or f.deck_title, single=True),
            code=inline(f.code, single=True) if f.code else "—",
            date=text.day(f.date, lang),
        )
    )
    if f.source == "import":
        add("", tr("actions.compare.imported"))
    add(
        "",
        f"| {tr('summary.col.criterion')} | {tr('actions.compare.then')} | "
        f"{tr('actions.compare.now')} | {tr('actions.compare.trend')} |",
    )
    add("|---|---|---|---|")
    for c in f.criteria:
        then = _point(w, c.then) if c.then else tr("actions.compare.not_asked")
        add(f"| {c.label} | {then} | {_point(w, c.now)} | {c.trend_label} |")
    add("", f"### {tr('actions.compare.earlier_actions')}", "")
    if not f.actions:
        add(tr("actions.compare.no_earlier_actions"))
    for a in f.actions:
        add(_action_line(w, a, "x" if a.status == "done" else " ") + f" — **{a.status_label}**")
    add("", f"### {tr('actions.compare.questions')}", "")
    if not f.questions:
        add(tr("actions.compare.no_common_questions"))
    for q in f.questions:
        add(
            f"- {inline(q.text, single=True)} ({inline(q.card_title, single=True)}) — "
            f"{w.label('actions.compare.then')} **{q.then_label}** · "
            f"{w.label('actions.compare.now')} **{q.now_label}**"
        )
    add("")


def _point(w: Writer, p: LevelPoint) -> str:
    words = level_text(p.level, p.indicative, w.lang)
    return words + " · " + compare.point_words(p, w.lang)
