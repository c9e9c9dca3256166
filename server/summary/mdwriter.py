"""Markdown's building blocks: people's texts made inert, and lines written in one language."""

import re

from server.i18n import translate
from server.summary import text

# ASCII punctuation with a meaning in CommonMark or GitHub Flavored Markdown, anywhere in a line
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!{}])")
# what opens a block at the start of a line once the above is escaped: - + = (lists, setext
# underlines) and a number followed by . or ) (ordered lists)
_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


def inline(value: str, indent: str = "  ", *, single: bool = False) -> str:
    """``value`` as inert Markdown text; ``single`` folds it on one line (headings, cells)."""
    raw = value.replace("\r\n", "\n").replace("\r", "\n")
    if single:
        raw = " ".join(raw.split())
    lines = []
    for line in raw.split("\n"):
        line = line.strip()
        if not line:
            continue
        line = _SPECIAL.sub(r"\\\1", line)
        match = _LINE_START.match(line)
        if match:
            head = match.group(1)
            line = head + "\\" + line[len(head) :] if head[0].isdigit() else "\\" + line
        lines.append(line)
    return ("\\\n" + indent).join(lines) or "—"


class Writer:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.lines: list[str] = []

    def tr(self, key: str, **params: object) -> str:
        return translate(self.lang, key, **params)

    def label(self, key: str, **params: object) -> str:
        """A label followed by a colon, with French spacing in French ("Thème :")."""
        return self.tr(key, **params) + self.tr("summary.colon")

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)


def level_text(value: str, indicative: bool, lang: str) -> str:
    words = text.level(value, lang)
    return f"{words} ({translate(lang, 'summary.flag.indicative')})" if indicative else words
