"""The message format of the translation layer: plurals, French elision, braces — in Python
(server/i18n.py) and in the browser's copy (static/js/i18n.js, run in Chromium) on one table."""

import base64
import json
from typing import Any

import pytest

from server.i18n import catalogue, elide, format_message, plural_category, translate
from tests.helpers import ROOT

# (language, message, parameters, expected)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("fr", "{count} {count|carte|cartes}", {"count": 0}, "0 carte"),
    ("fr", "{count} {count|carte|cartes}", {"count": 1}, "1 carte"),
    ("fr", "{count} {count|carte|cartes}", {"count": 2}, "2 cartes"),
    ("fr", "{count} {count|carte|cartes}", {"count": 1.5}, "1.5 carte"),
    ("fr", "{count} {count|carte|cartes}", {"count": "12"}, "12 cartes"),
    ("en", "{count} {count|card|cards}", {"count": 0}, "0 cards"),
    ("en", "{count} {count|card|cards}", {"count": 1}, "1 card"),
    ("en", "{count} {count|card|cards}", {"count": 2}, "2 cards"),
    (
        "fr",
        "{a} {a|signal|signaux}, {b} {b|question tranchée|questions tranchées}",
        {"a": 1, "b": 3},
        "1 signal, 3 questions tranchées",
    ),
    ("fr", "{n|Il reste une carte|Il reste des cartes}", {"n": 4}, "Il reste des cartes"),
    ("fr", "{count} {count|carte|cartes}", {"count": "beaucoup"}, "beaucoup cartes"),
    ("fr", "{count} {count|carte|cartes}", {}, "{count} {count|carte|cartes}"),
    ("fr", "au tour {name|de} de tirer", {"name": "Paul"}, "au tour de Paul de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": "Amélie"}, "au tour d'Amélie de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": "Éric"}, "au tour d'Éric de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": "Hugo"}, "au tour d'Hugo de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": "Yves"}, "au tour d'Yves de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": "Yann"}, "au tour de Yann de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": "Œdipe"}, "au tour d'Œdipe de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": "« Zed »"}, "au tour de « Zed » de tirer"),
    ("fr", "au tour {name|de} de tirer", {"name": ""}, "au tour de  de tirer"),
    ("fr", "{name|De} commence", {"name": "Inès"}, "D'Inès commence"),
    ("fr", "Je pense {name|que} oui", {"name": "Anne"}, "Je pense qu'Anne oui"),
    ("fr", "{title|le} jeu", {"title": "atelier"}, "l'atelier jeu"),
    ("fr", "chez {name|à}", {"name": "Amélie"}, "chez à Amélie"),
    ("fr", "objet ({{ … }}) de {name}", {"name": "Amélie"}, "objet ({ … }) de Amélie"),
    ("fr", "{x} et {y}", {"x": 1}, "1 et {y}"),
    ("fr", "{x}", {"x": "{y}"}, "{y}"),
]


@pytest.mark.parametrize(("lang", "text", "params", "expected"), CASES)
def test_python_format(lang: str, text: str, params: dict[str, Any], expected: str) -> None:
    assert format_message(lang, text, params) == expected


def test_plural_rules_differ_between_languages() -> None:
    assert [plural_category("fr", n) for n in (0, 1, 1.99, 2, 10)] == ["one", "one", "one", "other", "other"]
    assert [plural_category("en", n) for n in (0, 1, 1.5, 2)] == ["other", "one", "other", "other"]
    assert plural_category("fr", None) == plural_category("fr", True) == "other"
    assert elide("la", "équipe") == "l'équipe" and elide("de", "Zoé") == "de Zoé"


def test_translate_keeps_old_call_sites_working() -> None:
    assert translate("fr", "ui.play.cards_left", count=1) == "1 carte restante"
    assert translate("fr", "ui.play.cards_left", count=0) == "0 carte restante"
    assert translate("fr", "ui.play.cards_left", count=7) == "7 cartes restantes"
    assert translate("en", "ui.play.cards_left", count=0) == "0 cards left"
    assert translate("fr", "summary.see_cards", cards="3", count=1).startswith("voir la carte n°\u00a03 ")
    assert translate("fr", "summary.see_cards", cards="3, 5", count=2).startswith("voir les cartes n°")
    assert translate("fr", "ui.play.reader_draws", name="Amélie").startswith("C'est au tour d'Amélie de")
    assert translate("fr", "ui.play.reader_draws", name="Bruno").startswith("C'est au tour de Bruno de")
    assert translate("en", "ui.play.reader_draws", name="Amélie").startswith("It's Amélie")
    # an unknown key is shown as itself; a missing parameter stays visible, nothing raises
    assert translate("fr", "no.such.key") == "no.such.key"
    assert "{count}" in translate("fr", "ui.play.cards_left")
    assert translate("fr", "deck.problem.not_object") == translate("fr", "deck.problem.not_object", x=1)
    assert "{ … }" in translate("fr", "deck.problem.not_object")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_catalogue_message_is_well_formed(lang: str) -> None:
    """Each {a|b|c} has one form (elision, French only) or two (plural); no brace is left open."""
    import re

    for key, text in catalogue(lang).items():  # type: ignore[arg-type]
        bare = text.replace("{{", "").replace("}}", "")
        fields = re.findall(r"\{([^{}]*)\}", bare)
        assert bare.count("{") == bare.count("}") == len(fields), key
        for field in fields:
            name, *forms = field.split("|")
            assert re.fullmatch(r"\w+", name), (key, field)
            assert len(forms) in (0, 1, 2), (key, field)
            if len(forms) == 1:
                assert lang == "fr" and forms[0][-1:] in "ea", (key, field)


def test_javascript_format_matches_the_table() -> None:
    """static/js/i18n.js, imported as a module in Chromium, gives the same answers."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    source = (ROOT / "static" / "js" / "i18n.js").read_text("utf-8")
    url = "data:text/javascript;base64," + base64.b64encode(source.encode()).decode()
    cases = [[lang, text, params] for lang, text, params, _ in CASES]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=20000)
        try:
            page = browser.new_page()
            got = page.evaluate(
                """async ([url, cases]) => {
                    const m = await import(url);
                    return {
                      out: cases.map(([lang, text, params]) => m.formatMessage(lang, text, params)),
                      plural: [0, 1, 1.99, 2].map((n) => m.pluralCategory("fr", n))
                        .concat([0, 1, 2].map((n) => m.pluralCategory("en", n))),
                      global: globalThis.exploriaFormat === m.formatMessage,
                      i18n: m.i18n("some.key", {}),
                    };
                }""",
                [url, cases],
            )
        finally:
            browser.close()
    expected = [e for *_, e in CASES]
    pairs = list(zip(got["out"], expected, strict=True))
    assert got["out"] == expected, json.dumps(pairs, ensure_ascii=False)
    assert got["plural"] == ["one", "one", "one", "other", "other", "one", "other"]
    assert got["global"] is True and got["i18n"] == "some.key"
