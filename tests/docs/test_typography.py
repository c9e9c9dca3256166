"""Every French string of the project follows the typography rules of docs/i18n.md.

The scan is scripts/typography.py (``--check`` lists the same violations, ``--fix`` repairs most
of them). The rules themselves are tested here on small texts, false positives included, so the
whole-project test cannot pass by checking nothing.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.typography import NBSP, check_text, fix_plurals, fix_text, js_literals, scan
from tests.helpers import ROOT


def test_every_french_string_of_the_project() -> None:
    found = scan(ROOT)
    assert not found, "French typography (fix with `python scripts/typography.py --fix`):\n" + "\n".join(
        str(v) for v in found
    )


def rules(text: str) -> list[str]:
    return [f.rule for f in check_text(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Thème : {theme}",
        "Pourquoi ?",
        "Stop !",
        "un ; deux",
        "Thème: x",
        "Pourquoi?",
        "« oui »",
        "«\u00a0oui »",
        "« oui\u00a0»",
        "50 %",
        "50%",
        "{value} %",
        "Thème\u202f: x",
        " :",
        "carte(s)",
        "{n} signal(aux)",
        "les salarié·e·s",
        "connecté(e)",
        "les salarié.e.s",
        "celles et ceux qui",
        "au tour de {name}",
        "que {title}",
        "l'auto-diagnostic",
        "Auto-diagnostic",
        "« Pourquoi\u00a0?»",
        'le mot "IA"',
        "le mot “IA”",
        "Attendez...",
        "{count} cartes restantes",
        "{done}/{total} réponses",
        "{present} personnes",
        "{answer_count} réponses",
    ],
)
def test_rules_catch(text: str) -> None:
    assert rules(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Thème\u00a0: {theme}",
        "Pourquoi\u00a0?",
        "Stop\u00a0!",
        "un\u00a0; deux",
        "«\u00a0oui\u00a0»",
        "https://exploria.example.fr/r/ABC?lang=en",
        "à 10:30",
        "ratio 3:4",
        "file:x",
        "a != b",
        "{hour}:{minute}",
        "{x}\u00a0: y",
        "Oui\u00a0?!",
        "&nbsp; et &amp;",
        "de {count} {count|carte|cartes}",
        "{count} {count|carte|cartes}",
        "{name|de}",
        "l'autodiagnostic",
        "Bien-être · Autonomie",
        "Exporter (JSON)",
        "le {date}",
        "« ",
        "{count} fois",
        "{day} {month} {year}",
        "{limit} Kio",
        "{name} partages",
        "Carte {n} sur {total}",
    ],
)
def test_rules_let_pass(text: str) -> None:
    assert not rules(text), (text, check_text(text))


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("Thème : {theme}. Pourquoi? Stop !", f"Thème{NBSP}: {{theme}}. Pourquoi{NBSP}? Stop{NBSP}!"),
        ("« oui » et «non»", f"«{NBSP}oui{NBSP}» et «{NBSP}non{NBSP}»"),
        ("Thème\u202f: 50 %", f"Thème{NBSP}: 50{NBSP}%"),
        ("C'est au tour de {name} de tirer.", "C'est au tour {name|de} de tirer."),
        ("l'Auto-diagnostic et l'auto-diagnostic", "l'Autodiagnostic et l'autodiagnostic"),
        ("https://a.fr/?x=1 à 10:30", "https://a.fr/?x=1 à 10:30"),
        ('le mot "IA" et “ le travail ”...', f"le mot «{NBSP}IA{NBSP}» et «{NBSP}le travail{NBSP}»…"),
        ("« Pourquoi ?»", f"«{NBSP}Pourquoi{NBSP}?{NBSP}»"),
    ],
)
def test_fix(text: str, fixed: str) -> None:
    assert fix_text(text) == fixed
    assert fix_text(fixed) == fixed  # idempotent
    assert not [r for r in rules(fixed) if r != "plural"]


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("{count} carte(s) restante(s)", "{count} {count|carte restante|cartes restantes}"),
        ("{done} carte(s) traitée(s) sur {total}", "{done} {done|carte traitée|cartes traitées} sur {total}"),
        (
            "{a} question(s), {b} signal(aux) de risque",
            "{a} {a|question|questions}, {b} {b|signal|signaux} de risque",
        ),
        ("{done} of {total} card(s) done", "{done} of {total} {total|card|cards} done"),
        ("{n} yes/no question(s) · {m} open", "{n} {n|yes/no question|yes/no questions} · {m} open"),
        ("Le(s) fichier(s) choisi(s)", "Le(s) fichier(s) choisi(s)"),  # no count: left to a person
    ],
)
def test_fix_plurals(text: str, fixed: str) -> None:
    assert fix_plurals(text) == fixed and fix_plurals(fixed) == fixed
    assert ("plural" in rules(fixed)) == ("(s)" in fixed)


def test_english_strings_only_get_the_plural_rule() -> None:
    assert [f.rule for f in check_text("Theme: x. Why? card(s)", french=False)] == ["plural"]
    assert [f.rule for f in check_text("{count} cards, {yes} yes", french=False)] == ["plural"]


def test_script_literals_skip_comments_and_regexes() -> None:
    source = (
        "// the browser's copy\nconst re = /\\{(\\w+)\\}/g; /* it's */\n"
        'const a = `x${b ? "" : " is-away"}y`; const c = \'Thème : x\';\n'
    )
    assert [text for _, text in js_literals(source)] == ["x{x}y", "Thème : x"]


def test_scan_and_fix_a_project(tmp_path: Path) -> None:
    """--check finds a planted violation in each kind of file with its place; --fix repairs the
    fixable ones without touching the rest of a file's layout; a second --fix changes nothing."""
    for sub in ("server/locales/fr", "server/locales/en", "cards", "templates/report", "static/js"):
        (tmp_path / sub).mkdir(parents=True)
    fr = '{\n "a.colon": "Thème : {theme}",\n "a.plural": "{count} carte(s)",\n "a.ok": "Bien\\u00a0!"\n}\n'
    (tmp_path / "server/locales/fr/ui.json").write_text(fr, "utf-8")
    (tmp_path / "server/locales/en/ui.json").write_text('{\n "a.plural": "{count} card(s)"\n}\n', "utf-8")
    deck = {
        "format": "exploria-deck/1",
        "id": "x-fr",
        "language": "fr",
        "title": "L'auto-diagnostic",
        "cards": [{"id": "c1", "situation": "Un outil ?", "questions": [{"id": "q1", "text": "Oui?"}]}],
    }
    (tmp_path / "cards/x-fr.json").write_text(json.dumps(deck, ensure_ascii=False, indent=2), "utf-8")
    (tmp_path / "templates/report/a.html").write_text(
        "<p>\n{{ t('a') }} : {{ b }}</p>\n<p title=\"les salarié·e·s\">ok</p>\n", "utf-8"
    )
    (tmp_path / "static/js/a.js").write_text("const x = 'Deux carte(s) : voir';\n", "utf-8")

    found = {(v.place, v.rule) for v in scan(tmp_path)}
    assert found == {
        ("server/locales/en/ui.json:2 a.plural", "plural"),
        ("server/locales/fr/ui.json:2 a.colon", "nbsp"),
        ("server/locales/fr/ui.json:3 a.plural", "plural"),
        ("cards/x-fr.json:5 title", "spelling"),
        ("cards/x-fr.json:9 cards[0].situation", "nbsp"),
        ("cards/x-fr.json:13 cards[0].questions[0].text", "nbsp"),
        ("templates/report/a.html:2", "nbsp"),
        ("templates/report/a.html:3", "inclusive"),
        ("static/js/a.js:1", "plural"),
        ("static/js/a.js:1", "nbsp"),
    }, sorted(found)

    left = {(v.place, v.rule) for v in scan(tmp_path, fix=True)}
    assert left == {p for p in found if not p[0].startswith(("server", "cards"))}, sorted(left)
    text = (tmp_path / "server/locales/fr/ui.json").read_text("utf-8")
    assert text == fr.replace("Thème : ", f"Thème{NBSP}: ").replace(  # layout and escapes kept
        "carte(s)", "{count|carte|cartes}"
    )
    assert "{count} {count|card|cards}" in (tmp_path / "server/locales/en/ui.json").read_text("utf-8")
    assert (
        json.loads((tmp_path / "cards/x-fr.json").read_text("utf-8"))["cards"][0]["questions"][0]["text"]
        == f"Oui{NBSP}?"
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    scan(tmp_path, fix=True)
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_command_line(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "server" / "locales", tmp_path / "server" / "locales")
    (tmp_path / "server/locales/fr/extra.json").write_text('{"x": "Pourquoi ?"}', "utf-8")
    cmd = [sys.executable, str(ROOT / "scripts" / "typography.py"), "--root", str(tmp_path)]
    checked = subprocess.run([*cmd, "--check"], capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 1 and "server/locales/fr/extra.json:1 x — nbsp" in checked.stdout
    fixed = subprocess.run([*cmd, "--fix"], capture_output=True, text=True, timeout=30, check=False)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    extra = json.loads((tmp_path / "server/locales/fr/extra.json").read_text("utf-8"))
    assert extra == {"x": f"Pourquoi{NBSP}?"}
