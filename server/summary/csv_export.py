"""The summary as CSV: one row per question of each played card, for spreadsheets.

The file opens with a few header rows that frame the session (its title, organisation, the AI
system under discussion, the company size, the quorum), one "field; value" pair a row, then an
empty row, then the table itself with its column headers (docs/summary.md).

Made to open right in a spreadsheet set to a French locale (Excel, LibreOffice Calc): UTF-8
with a byte order mark (so accents survive), ``;`` as separator (``,`` is the decimal mark
there), CRLF line ends. Headers and values are worded in the session language; the column
order is fixed (docs/summary.md). A cell that a spreadsheet would read as a formula (starting
with = + - @, a tab or a carriage return) gets a leading apostrophe, so it stays text.
"""

import csv
import io
from typing import Final

from server.i18n import translate
from server.summary import text
from server.summary.model import Summary

COLUMNS: Final = (
    "card_order",
    "card_id",
    "card",
    "theme",
    "question_id",
    "question",
    "kind",
    "criterion",
    "yes",
    "no",
    "unsure",
    "answers",
    "present",
    "voted",
    "quorum",
    "group_answer",
    "consensus",
    "risk",
    "divergent",
)
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str | int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    out = str(value)
    return "'" + out if out.startswith(_FORMULA_START) else out


def render_csv(s: Summary) -> bytes:
    lang = s.language

    def tr(key: str) -> str:
        return translate(lang, key)

    def yes_no(flag: bool) -> str:
        return tr("answer.yes") if flag else tr("answer.no")

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for meta in _frame_rows(s):
        writer.writerow([cell(v) for v in meta])
    writer.writerow([])
    writer.writerow([tr(f"summary.csv.{c}") for c in COLUMNS])
    for card in s.cards:
        if card.outcome != "played":
            continue
        for q in card.questions:
            row: list[object] = [
                card.order,
                card.card_id,
                card.title,
                card.theme.title,
                q.id,
                q.text,
                tr(f"summary.kind.{q.kind}"),
                q.criterion_label or "",
                q.tally.yes,
                q.tally.no,
                q.tally.unsure,
                q.tally.answered,
                q.present,
                q.voted,
                q.quorum,
                text.answer(q.group_answer, lang) if q.group_answer else "",
                yes_no(q.consensus) if q.kind == "yes_no" else "",
                yes_no(q.risk) if q.kind == "yes_no" else "",
                yes_no(q.divergent) if q.kind == "yes_no" else "",
            ]
            writer.writerow([cell(v) for v in row])
    for block in _action_blocks(s):  # issue 16: each block after an empty row
        writer.writerow([])
        for row in block:
            writer.writerow([cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


ACTION_COLUMNS: Final = ("id", "action", "owner", "due", "criterion", "step", "card")
COMPARE_COLUMNS: Final = (
    "criterion",
    "then_level",
    "then_answered",
    "then_risks",
    "then_to_clarify",
    "now_level",
    "now_answered",
    "now_risks",
    "now_to_clarify",
    "trend",
)
EARLIER_COLUMNS: Final = ("id", "earlier_action", "owner", "due", "criterion", "step", "status")
COMMON_COLUMNS: Final = ("card_id", "card", "question_id", "question", "then", "now")


def _action_blocks(s: Summary) -> list[list[list[object]]]:
    """The actions (when there are any), then for a follow-up the comparison per criterion,
    the earlier actions with their status and the questions asked in both sessions."""
    lang = s.language

    def head(prefix: str, columns: tuple[str, ...]) -> list[object]:
        return [translate(lang, f"actions.csv.{prefix}{c}") for c in columns]

    blocks: list[list[list[object]]] = []
    if s.actions:
        blocks.append(
            [head("", ACTION_COLUMNS)]
            + [
                [
                    a.id,
                    a.text,
                    a.owner,
                    a.due or "",
                    a.criterion_label or "",
                    a.guide_step or "",
                    a.card_title or "",
                ]
                for a in s.actions
            ]
        )
    f = s.follows
    if f is None:
        return blocks
    rows: list[list[object]] = [head("", COMPARE_COLUMNS)]
    for c in f.criteria:
        then: list[object] = (
            [c.then.level_label, c.then.answered, c.then.risks, c.then.to_clarify]
            if c.then
            else ["", "", "", ""]
        )
        rows.append(
            [c.label, *then, c.now.level_label, c.now.answered, c.now.risks, c.now.to_clarify, c.trend_label]
        )
    blocks.append(rows)
    blocks.append(
        [head("", EARLIER_COLUMNS)]
        + [
            [a.id, a.text, a.owner, a.due or "", a.criterion_label or "", a.guide_step or "", a.status_label]
            for a in f.actions
        ]
    )
    if f.questions:
        blocks.append(
            [head("", COMMON_COLUMNS)]
            + [
                [q.card_id, q.card_title, q.question_id, q.text, q.then_label, q.now_label]
                for q in f.questions
            ]
        )
    return blocks


def _frame_rows(s: Summary) -> list[list[str]]:
    lang = s.language
    sess = s.session

    def tr(key: str) -> str:
        return translate(lang, key)

    system = sess.ai_system
    rows = [
        [tr("summary.csv.meta"), tr("summary.csv.value")],
        [tr("summary.field.title"), sess.title or sess.deck.title],
        [tr("summary.field.organisation"), sess.organisation],
        [
            tr("summary.field.ai_system"),
            (system.name or tr("summary.unknown")) if system else tr("summary.no_ai_system"),
        ],
        [tr("summary.field.purpose"), system.purpose if system else ""],
        [tr("summary.field.users"), system.users if system else ""],
        [tr("summary.field.stage"), (system.stage_label or "") if system else ""],
        [tr("summary.field.company_size"), sess.company_size_label or ""],
        [tr("summary.field.deck"), sess.deck.title],
        [tr("summary.field.code"), sess.code],
        [tr("summary.field.date"), text.when(sess.started_at or sess.created_at, lang)],
        [tr("summary.field.quorum"), text.quorum_line(sess.quorum.percent, sess.quorum.minimum, lang)],
    ]
    return rows
