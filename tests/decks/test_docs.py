"""The published format: schema file, served schema and the example of docs/decks.md agree."""

import json
import re
import subprocess
import sys
from pathlib import Path

from server.core.deck import Deck, deck_json_schema, validate_deck
from server.decks.cli import schema_text
from server.i18n import catalogue
from tests.helpers import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "deck.schema.json"
GUIDE = ROOT / "docs" / "decks.md"
STUDIO_SOURCES = [
    ROOT / "static" / "js" / "studio.js",
    ROOT / "templates" / "studio.html",
    ROOT / "server" / "decks" / "cli.py",
]
# t('studio.key'…) in the script, the template and the CLI
KEY_USE = r"""\bt\(\s*['"`]((?:studio|deck\.problem|error|answer)\.[a-z_.]+)['"`]"""


def test_committed_schema_is_generated_from_the_models() -> None:
    assert SCHEMA_FILE.read_text("utf-8") == schema_text(), (
        "docs/deck.schema.json is stale: run `python -m server.decks schema > docs/deck.schema.json`"
    )
    result = subprocess.run(
        [sys.executable, "-m", "server.decks", "schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert result.stdout == schema_text()


def test_served_schema_is_the_committed_one(server: ServerProcess) -> None:
    status, served = server.request("GET", "/api/schema/deck.json")
    assert status == 200
    assert served == json.loads(SCHEMA_FILE.read_text("utf-8")) == deck_json_schema()


def test_the_guide_example_is_a_valid_deck() -> None:
    text = GUIDE.read_text("utf-8")
    match = re.search(r"<!-- deck-example[^>]*-->\s*```json\n(.*?)\n```", text, re.S)
    assert match, "docs/decks.md lost its marked example"
    result = validate_deck(json.loads(match.group(1)))
    assert isinstance(result, Deck), result
    kinds = {q.kind for card in result.cards for q in card.questions}
    assert kinds == {"yes_no", "open"} and result.cards[0].facilitator_tip


def test_the_guide_names_every_criterion_and_limit() -> None:
    text = GUIDE.read_text("utf-8")
    for criterion in (
        "autonomie",
        "reconnaissance",
        "savoir_faire",
        "surveillance",
        "relations_humaines",
        "responsabilite",
    ):
        assert f"`{criterion}`" in text
    for limit in ("1 MiB", "1–300 cards", "2,000"):
        assert limit in text


def test_studio_strings_exist_in_both_languages() -> None:
    fr = json.loads((ROOT / "server/locales/fr/studio.json").read_text("utf-8"))
    en = json.loads((ROOT / "server/locales/en/studio.json").read_text("utf-8"))
    assert fr.keys() == en.keys()
    assert all(k.startswith(("studio.", "deck.problem.")) for k in fr)
    assert all(v.strip() for v in [*fr.values(), *en.values()])
    used: set[str] = set()
    for path in STUDIO_SOURCES:
        source = path.read_text("utf-8")
        used |= set(re.findall(KEY_USE, source))
    assert used, "no translation key found in the studio sources"
    for lang in ("fr", "en"):
        missing = sorted(k for k in used if k not in catalogue(lang))
        assert not missing, f"{lang}: {missing}"
