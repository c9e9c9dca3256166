"""French typography of every French string of the project: a checker and a fixer.

    python scripts/typography.py --check   # lists each violation as file:line where — rule: excerpt
    python scripts/typography.py --fix     # rewrites what can be rewritten safely, then checks

``--fix`` is idempotent and only touches the strings it changes (a JSON file keeps its layout).
The rules (docs/i18n.md):

- ``nbsp`` — a non-breaking space U+00A0 (never a plain, thin or narrow space, never nothing)
  before ? ! : ; and %, after « and before ». Not in URLs ("https://"), times and ratios
  ("10:30"), query strings ("?lang=en"), "file:x" or "!=" — a sign counts only when a space or
  the end of the text follows it. Fixed automatically.
- ``plural`` — no "carte(s)", "signal(aux)", "(x)", "(es)", and no count followed by a word in
  the plural ("{count} cartes", wrong for 1): write ``{count|carte|cartes}``. A pseudo-plural
  with a parameter up to four words before it is fixed automatically: "{n} carte(s) jouée(s)"
  becomes "{n} {n|carte jouée|cartes jouées}" (read the rest of the sentence for agreement);
  a count followed by a plural word is only reported (its adjectives and verbs need a person).
- ``inclusive`` — no median point, "(e)", ".e.s", "/e", "-e-s", no doublets like "celles et
  ceux": epicene words (les personnes, l'équipe, les membres) or the plural ("les participants").
- ``elision`` — "de {name}" before a text parameter: write ``{name|de}`` (gives "d'Amélie").
  Fixed automatically.
- ``spelling`` — "autodiagnostic", never "auto-diagnostic". Fixed automatically.
- ``quotes`` — French quotes « », not "…" or “…” (fixed when they come in pairs); ``ellipsis`` —
  "…", not "...". Fixed automatically.

Scanned: server/locales/fr/*.json (every value), decks in cards/ whose language is fr (every
text field), templates/**/*.html (text and user-facing attributes, which are shared by both
languages — their punctuation must come from the catalogue), static/js/*.js string literals.
The plural rule also runs on the English catalogues and decks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBSP = "\u00a0"
SPACES = " \u202f\u2009\u2007\t"  # what must become U+00A0 before or after a sign

# placeholders that hold numbers: no elision before them ("de {count}")
NUMERIC_PARAMS = frozenset(
    {
        "count",
        "n",
        "total",
        "done",
        "limit",
        "minutes",
        "seconds",
        "hours",
        "hour",
        "minute",
        "day",
        "year",
        "yes",
        "no",
        "unsure",
        "expected",
        "cards",
        "answered",
        "skipped",
        "played",
        "parked",
        "open",
        "yes_no",
        "risks",
        "number",
        "index",
        "line",
        "column",
        "value",
        "percent",
        "size",
        "max",
        "min",
        "date",
        "present",
        "voters",
        "votes",
        "quorum",
        "players",
        "people",
        "questions",
        "notes",
        "themes",
    }
)

# words ending in s or x that are not plurals (a count before them needs no choice)
NOT_PLURALS = frozenset(
    {
        "fois",
        "mois",
        "temps",
        "avis",
        "cas",
        "accès",
        "succès",
        "progrès",
        "pas",
        "plus",
        "moins",
        "dans",
        "sous",
        "vers",
        "sans",
        "puis",
        "alors",
        "après",
        "depuis",
        "lors",
        "très",
        "jamais",
        "toujours",
        "yes",
        "is",
        "was",
        "has",
        "this",
        "as",
        "its",
        "always",
        "across",
        "less",
        "thus",
        "minus",
        "his",
        "previous",
        "various",
    }
)
# counts that never say how many things (dates, positions, votes shown as words)
NOT_COUNTS = frozenset(
    {
        "day",
        "year",
        "hour",
        "minute",
        "date",
        "number",
        "index",
        "line",
        "column",
        "value",
        "percent",
        "yes",
        "no",
        "unsure",
    }
)


def is_count(param: str) -> bool:
    """Whether a parameter holds a number of things (by its name)."""
    return (
        (param in NUMERIC_PARAMS and param not in NOT_COUNTS)
        or param.endswith(("count", "total", "_n"))
        or param.startswith(("n_", "nb_", "num_"))
    )


# deck fields that hold identifiers, not text
NON_TEXT_FIELDS = frozenset(
    {
        "format",
        "id",
        "language",
        "version",
        "color",
        "theme",
        "kind",
        "criterion",
        "risk_answer",
        "polarity",
        "type",
        "sectors_ids",
    }
)

_L = r"[^\W\d_]"  # a letter
# a sign is prose punctuation when a space, a closing sign or the end of the text follows it
_PROSE_AFTER = r"(?=$|[\s)\]»”\"'’.,…?!<])"


@dataclass(frozen=True)
class Finding:
    rule: str
    start: int
    end: int
    message: str


@dataclass(frozen=True)
class Violation:
    place: str  # file:line and the key or field
    rule: str
    message: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.place} — {self.rule}: {self.message} … {self.excerpt}"


# ---------------------------------------------------------------- rules on one French text

_SPACE_BEFORE = re.compile(
    rf"[{SPACES}]+(?=[?!:;]{_PROSE_AFTER})|[{SPACES}]+(?=»)|(?<=[\d}}])[{SPACES}]+(?=%)"
)
_NO_SPACE_BEFORE = re.compile(
    rf"(?<=[\w)\]}}»”…%])(?<!&\w\w)(?<!&\w\w\w)(?<!&\w\w\w\w)(?<!&#\d\d)(?<!&#\d\d\d)"  # not &nbsp;
    rf"(?=[?!:;]{_PROSE_AFTER})|(?<=[\w)\]}}…?!.])(?=»)|(?<=[\d}}])(?=%)"
)
_AFTER_OPEN = re.compile(rf"(?<=«)[{SPACES}]*(?!{NBSP})")
_PLURAL = re.compile(rf"{_L}+\((?:s|x|es|aux|ux)\)", re.IGNORECASE)
_COUNTED_PLURAL = re.compile(rf"\{{(\w+)\}}[{SPACES}{NBSP}]+({_L}{{2,}}[sx])\b")
_INCLUSIVE = re.compile(
    rf"{_L}+\((?:e|ne|le|te|se|ère|rice|trice|euse|ive)s?\)"  # salarié(e)
    rf"|{_L}[·•∙⋅]{_L}"  # salarié·e·s
    rf"|{_L}\.(?:e|ne|le|te|rice|euse)(?:\.?s)?\b"  # salarié.e.s
    rf"|{_L}/(?:e|ne|le|es)\b"  # salarié/e
    rf"|{_L}-(?:e|ne|le)-s\b"  # salarié-e-s
    r"|\b(?:celles et ceux|ceux et celles|tous et toutes|toutes et tous|chacun et chacune"
    r"|chacune et chacun|ils et elles|elles et ils)\b",
    re.IGNORECASE,
)
_ELISION = re.compile(r"\b(de|que|le|la|jusque|lorsque|puisque)\s+\{(\w+)\}", re.IGNORECASE)
_SPELLING = re.compile(r"\b([Aa])uto[-\s\u2011]diagnostic", re.IGNORECASE)
_QUOTES = re.compile(r'["“”]')
_QUOTED = re.compile(r'(?:"|“)\s*([^"“”]*?)\s*(?:"|”)')
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")


def _nbsp_findings(text: str) -> Iterator[Finding]:
    for m in _SPACE_BEFORE.finditer(text):
        sign = text[m.end()]
        yield Finding("nbsp", m.start(), m.end(), f"a plain or narrow space before « {sign} »")
    for m in _NO_SPACE_BEFORE.finditer(text):
        sign = text[m.end()]
        yield Finding("nbsp", m.start(), m.end(), f"no space before « {sign} »")
    for m in _AFTER_OPEN.finditer(text):
        if m.end() < len(text):
            yield Finding("nbsp", m.start(), m.end(), "« not followed by a non-breaking space")


def check_text(text: str, *, french: bool = True, prose: bool = True) -> list[Finding]:
    """The violations in one text (``french=False``: only the plural rule; ``prose=False``, for
    text inside code or markup: no quote or ellipsis rule)."""
    found = [
        Finding("plural", m.start(), m.end(), f"pseudo-plural « {m.group()} »: use {{count|singular|plural}}")
        for m in _PLURAL.finditer(text)
    ]
    found += [
        Finding(
            "plural",
            m.start(),
            m.end(),
            f"« {m.group()} » is plural even for 1: use {{{m.group(1)}|singular|plural}}",
        )
        for m in _COUNTED_PLURAL.finditer(text)
        if is_count(m.group(1)) and m.group(2).lower() not in NOT_PLURALS
    ]
    if not french:
        return found
    found += _nbsp_findings(text)
    found += [
        Finding("inclusive", m.start(), m.end(), f"« {m.group()} »: use epicene words or the plural")
        for m in _INCLUSIVE.finditer(text)
    ]
    found += [
        Finding("elision", m.start(), m.end(), f"« {m.group()} »: write {{{m.group(2)}|{m.group(1)}}}")
        for m in _ELISION.finditer(text)
        if m.group(2) not in NUMERIC_PARAMS
    ]
    found += [
        Finding("spelling", m.start(), m.end(), f"« {m.group()} »: write autodiagnostic")
        for m in _SPELLING.finditer(text)
    ]
    if prose:
        found += [
            Finding("quotes", m.start(), m.end(), "French quotes are « »") for m in _QUOTES.finditer(text)
        ]
        found += [
            Finding("ellipsis", m.start(), m.end(), "write the ellipsis … (one sign)")
            for m in _ELLIPSIS.finditer(text)
        ]
    return sorted(found, key=lambda f: (f.start, f.rule))


_MARKED = r"[^\W\d_][^\s{}(),.;:!?]*\((?:s|x|es|aux|ux)\)"
_COUNTED_RUN = re.compile(
    rf"\{{(\w+)\}}(\s+)((?:[^\s{{}},.;:!?]+\s+){{0,3}}{_MARKED}(?![\w(]))", re.IGNORECASE
)


def _plural_word(word: str) -> tuple[str, str]:
    stem, _, mark = word[:-1].rpartition("(")
    if mark.lower() in ("aux", "ux"):
        for end in ("ail", "al"):
            if stem.lower().endswith(end):
                return stem, stem[: -len(end)] + "aux"
        return stem, stem + mark
    return stem, stem + mark


def fix_plurals(text: str) -> str:
    """``"{count} carte(s) restante(s)"`` → ``"{count} {count|carte restante|cartes restantes}"``:
    a pseudo-plural within four words after a parameter takes that parameter's count."""

    def counted(m: re.Match[str]) -> str:
        one, other = [], []
        for word in re.split(r"(\s+)", m.group(3)):
            a, b = _plural_word(word) if re.fullmatch(_MARKED, word, re.IGNORECASE) else (word, word)
            one.append(a)
            other.append(b)
        return f"{{{m.group(1)}}}{m.group(2)}{{{m.group(1)}|{''.join(one)}|{''.join(other)}}}"

    return _COUNTED_RUN.sub(counted, text)


def fix_text(text: str) -> str:
    """``text`` with every automatic fix applied (idempotent)."""
    text = fix_plurals(text)
    if len(_QUOTES.findall(text)) % 2 == 0:  # paired quotes only
        text = _QUOTED.sub(lambda m: f"«{NBSP}{m.group(1)}{NBSP}»", text)
    text = _ELLIPSIS.sub("…", text)
    text = _SPACE_BEFORE.sub(NBSP, text)
    text = _NO_SPACE_BEFORE.sub(NBSP, text)
    text = re.sub(rf"«[{SPACES}{NBSP}]*", "«" + NBSP, text)
    text = re.sub(f"«{NBSP}$", "«", text)
    text = _ELISION.sub(
        lambda m: m.group(0) if m.group(2) in NUMERIC_PARAMS else f"{{{m.group(2)}|{m.group(1)}}}", text
    )
    return _SPELLING.sub(lambda m: m.group(1) + "utodiagnostic", text)


# ---------------------------------------------------------------- JSON files, layout kept

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def json_strings(source: str) -> Iterator[tuple[str, int, int]]:
    """(path, start, end) of every string *value* of a JSON text, in order ("cards[3].title")."""
    stack: list[list[object]] = []  # [kind, key or index, expecting a key]
    for m in _JSON_TOKEN.finditer(source):
        tok = m.group()
        top = stack[-1] if stack else None
        if tok in "{[":
            stack.append(["obj", "", True] if tok == "{" else ["arr", 0, False])
        elif tok in "}]":
            stack.pop()
        elif tok == ":":
            if top:
                top[2] = False
        elif tok == ",":
            if top and top[0] == "obj":
                top[2] = True
            elif top:
                top[1] = int(str(top[1])) + 1
        elif tok.startswith('"'):
            if top and top[0] == "obj" and top[2]:
                top[1] = json.loads(tok)
                continue
            yield _json_path(stack), m.start(), m.end()


def _json_path(stack: list[list[object]]) -> str:
    out = ""
    for kind, key, _ in stack:
        out += f"[{key}]" if kind == "arr" else (f".{key}" if out else str(key))
    return out


def _line(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _excerpt(text: str, start: int, end: int) -> str:
    shown = text[max(0, start - 30) : end + 30].replace(NBSP, "⍽").replace("\u202f", "⍿")
    return repr(shown)


def scan_json(
    path: Path, *, french: bool, skip: frozenset[str] = frozenset(), fix: bool = False, root: Path = ROOT
) -> list[Violation]:
    """The violations of one JSON file (string values); with ``fix``, rewrite it first."""
    source = path.read_text("utf-8")
    if fix:
        pieces, last = [], 0
        for where, start, end in json_strings(source):
            value = json.loads(source[start:end])
            if where.rsplit(".", 1)[-1] not in skip:
                fixed = fix_text(value) if french else fix_plurals(value)
                if fixed != value:
                    pieces += [source[last:start], json.dumps(fixed, ensure_ascii=False)]
                    last = end
        if pieces:
            source = "".join(pieces) + source[last:]
            path.write_text(source, "utf-8")
    out = []
    for where, start, end in json_strings(source):
        if where.rsplit(".", 1)[-1].split("[")[0] in skip:
            continue
        value = json.loads(source[start:end])
        for f in check_text(value, french=french):
            out.append(
                Violation(
                    f"{_rel(path, root)}:{_line(source, start)} {where}",
                    f.rule,
                    f.message,
                    _excerpt(value, f.start, f.end),
                )
            )
    return out


# ---------------------------------------------------------------- templates and scripts

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_RAW_BLOCKS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TEXT_ATTR = re.compile(
    r"""\b(?:title|alt|aria-label|placeholder|aria-description)\s*=\s*(["'])(.*?)\1""", re.S
)
# text shared by both languages may not carry its own French punctuation
_SHARED_PUNCT = re.compile(rf"[{SPACES}{NBSP}]*[?!;«»]|(?<=[\w\}}])[{SPACES}{NBSP}]*:(?=\s|$)")


def _mask_template(source: str) -> str:
    """The template with each Jinja expression as "{x}", tags and comments and scripts blanked,
    newlines kept (so line numbers stay true)."""

    def keep_lines(m: re.Match[str], text: str = "") -> str:
        return text + "\n" * m.group().count("\n")

    masked = _JINJA.sub(lambda m: keep_lines(m, "{x}" if m.group().startswith("{{") else ""), source)
    return _RAW_BLOCKS.sub(keep_lines, masked)


def _template_texts(source: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of the literal text of a template: text nodes and user-facing attributes,
    each Jinja expression replaced by "{x}" (so the rules see a placeholder)."""
    masked = _mask_template(source)
    for m in re.finditer(r">([^<>]+)<", masked):
        yield m.start(1), m.group(1)
    for m in re.finditer(r"<[^<>]+>", masked):
        for a in _TEXT_ATTR.finditer(m.group()):
            yield m.start(), a.group(2)


def scan_template(path: Path, *, fix: bool = False, root: Path = ROOT) -> list[Violation]:
    source = path.read_text("utf-8")
    if fix:
        fixed = _SPELLING.sub(lambda m: m.group(1) + "utodiagnostic", source)
        if fixed != source:
            path.write_text(fixed, "utf-8")
            source = fixed
    out = []
    masked_source = _mask_template(source)
    for offset, text in _template_texts(source):
        line = _line(masked_source, offset + len(text) - len(text.lstrip()))
        place = f"{_rel(path, root)}:{line}"
        for f in check_text(text, prose=False):
            if f.rule == "nbsp":
                continue  # reported below, as shared punctuation
            out.append(Violation(place, f.rule, f.message, _excerpt(text, f.start, f.end)))
        for m in _SHARED_PUNCT.finditer(re.sub(r"&#?\w+;", " ", text)):
            out.append(
                Violation(
                    place,
                    "nbsp",
                    "punctuation written in a template is shown in both "
                    "languages: take it from the catalogue (e.g. summary.colon)",
                    _excerpt(text, m.start(), m.end()),
                )
            )
    return out


def js_literals(source: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of the string literals of a script, comments skipped; a template literal's
    ${…} parts become "{x}"."""
    i, n = 0, len(source)
    last_code = ""
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            i = source.find("*/", i + 2)
            i = n if i < 0 else i + 2
        elif c == "/" and last_code in "(,=:[!&|?{};+-*%<>~^":
            j = i + 1  # a regular expression literal
            in_class = False
            while j < n and source[j] != "\n":
                if source[j] == "\\":
                    j += 2
                    continue
                if source[j] == "[":
                    in_class = True
                elif source[j] == "]":
                    in_class = False
                elif source[j] == "/" and not in_class:
                    break
                j += 1
            i, last_code = j + 1, "r"
        elif c in "'\"`":
            j, depth, buf = i + 1, 0, []
            while j < n:
                ch = source[j]
                if ch == "\\":
                    buf.append(source[j : j + 2])
                    j += 2
                    continue
                if c == "`" and source.startswith("${", j):
                    depth += 1
                    buf.append("{x}")
                    j += 2
                    while j < n and depth:
                        depth += {"{": 1, "}": -1}.get(source[j], 0)
                        j += 1
                    continue
                if ch == c or (ch == "\n" and c != "`"):
                    break
                buf.append(ch)
                j += 1
            yield i, "".join(buf)
            i, last_code = j + 1, "s"
        else:
            if not c.isspace():
                last_code = c
            i += 1


def scan_script(path: Path, root: Path = ROOT) -> list[Violation]:
    source = path.read_text("utf-8")
    out = []
    for offset, text in js_literals(source):
        if not re.search(rf"{_L}{{3}}", text):
            continue
        for f in check_text(text, prose=False):
            # only unmistakable prose in code: a word, a plain space, then the sign
            around = text[max(0, f.start - 1) : f.end + 1]
            if f.rule == "nbsp" and not re.search(rf"[\w)»][{SPACES}][?!:;»]", around):
                continue
            out.append(
                Violation(
                    f"{_rel(path, root)}:{_line(source, offset)}",
                    f.rule,
                    f.message,
                    _excerpt(text, f.start, f.end),
                )
            )
    return out


# ---------------------------------------------------------------- the project


def _rel(path: Path, root: Path = ROOT) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _deck_language(path: Path) -> str:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return ""
    return str(data.get("language", "")) if isinstance(data, dict) else ""


def scan(root: Path = ROOT, *, fix: bool = False) -> list[Violation]:
    """Every violation of the project under ``root`` (with ``fix``: after fixing what can be)."""
    out: list[Violation] = []
    for lang_dir in sorted((root / "server" / "locales").glob("*")):
        for path in sorted(lang_dir.glob("*.json")):
            out += scan_json(path, french=lang_dir.name == "fr", fix=fix, root=root)
    for path in sorted((root / "cards").glob("*.json")):
        out += scan_json(path, french=_deck_language(path) == "fr", skip=NON_TEXT_FIELDS, fix=fix, root=root)
    for path in sorted((root / "templates").rglob("*.html")):
        out += scan_template(path, fix=fix, root=root)
    for path in sorted((root / "static" / "js").rglob("*.js")):
        out += scan_script(path, root)
    return out


def main(argv: list[str] | None = None, run: Callable[..., list[Violation]] = scan) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="list the violations (the default)")
    mode.add_argument("--fix", action="store_true", help="fix what can be fixed, then list the rest")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project (default: this one)")
    args = parser.parse_args(argv)
    found = run(args.root, fix=args.fix)
    for v in found:
        print(v)
    print(
        f"French typography: {len(found)} to fix." if found else "French typography: nothing to fix.",
        file=sys.stderr,
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
