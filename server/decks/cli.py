"""``python -m server.decks``: check deck files written by hand, print the deck JSON Schema.

    python -m server.decks validate [--lang en] [--quiet] FILE…
    python -m server.decks schema > docs/deck.schema.json

``validate`` applies the same rules as the server (size, UTF-8, JSON, then the deck format) and
prints one line per problem, ``FILE: path: message``, in French unless ``--lang en``. The exit
status is 0 when every file is a valid deck, 1 otherwise (2 for a bad command line).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from server.core.deck import MAX_FILE_BYTES, Deck, deck_json_schema, validate_deck
from server.i18n import LANGUAGES, translate


@dataclass(frozen=True)
class Line:
    """One problem of a file, already worded: ``path`` is empty for the file as a whole."""

    path: str
    message: str


def parse_bytes(raw: bytes, lang: str) -> tuple[Any, Line | None]:
    """The JSON value of a deck file, or the problem that stops it being read (as the API does)."""
    if len(raw) > MAX_FILE_BYTES:
        return None, Line("", translate(lang, "error.deck_too_large", limit=MAX_FILE_BYTES // 1024))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, Line("", translate(lang, "error.not_utf8"))
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        where = translate(lang, "error.bad_json_at", line=exc.lineno, column=exc.colno)
        return None, Line("", where)


def check_bytes(raw: bytes, lang: str) -> Deck | list[Line]:
    data, unreadable = parse_bytes(raw, lang)
    if unreadable is not None:
        return [unreadable]
    result = validate_deck(data)
    if isinstance(result, Deck):
        return result
    return [Line(p.path, translate(lang, f"deck.problem.{p.key}", **p.params)) for p in result]


def check_file(path: Path, lang: str) -> Deck | list[Line]:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # enough to know it is too large
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return [Line("", translate(lang, "studio.cli.unreadable", reason=reason))]
    return check_bytes(raw, lang)


def validate(files: Sequence[str], lang: str, quiet: bool, out: TextIO) -> int:
    status = 0
    for name in files:
        result = check_file(Path(name), lang)
        if isinstance(result, Deck):
            if not quiet:
                ok = translate(lang, "studio.cli.valid", cards=len(result.cards), themes=len(result.themes))
                print(f"{name}: {ok}", file=out)
            continue
        status = 1
        for line in result:
            where = f"{line.path}: " if line.path else ""
            print(f"{name}: {where}{line.message}", file=out)
    return status


def schema_text() -> str:
    """The JSON Schema as committed in docs/deck.schema.json."""
    return json.dumps(deck_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m server.decks", description="ExplorIA deck files: check them, or print their schema."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check deck files; exit status 0 if all are valid")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--lang", choices=LANGUAGES, default="fr", help="language of the messages")
    check.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid files")
    commands.add_parser("schema", help="print the JSON Schema of the deck format")
    args = parser.parse_args(argv)
    if args.command == "schema":
        out.write(schema_text())
        return 0
    return validate(args.files, args.lang, args.quiet, out)
