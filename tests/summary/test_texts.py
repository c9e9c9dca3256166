"""Every text of the summary comes from the catalogues, complete in French and English."""

import json
import re

import pytest

from server.i18n import LOCALES_DIR
from server.summary import csv_export, markdown
from server.summary.html import render_report
from server.summary.model import build_summary
from server.summary.render import render_json
from tests.summary.factory import big_deck, mini_deck, play

KEY = re.compile(r"(?<![/\w-])(?:summary|criterion|level|answer|dimension|error)\.[a-z_0-9.]+[a-z0-9]")


def load(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES_DIR / lang / "summary.json").read_text("utf-8"))
    return data


def test_both_catalogues_have_the_same_keys() -> None:
    fr, en = load("fr"), load("en")
    assert set(fr) == set(en), sorted(set(fr) ^ set(en))
    assert all(k.startswith("summary.") and v.strip() for k, v in (*fr.items(), *en.items()))


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("finished", [True, False])
def test_no_untranslated_key_shows_in_any_format(lang: str, finished: bool) -> None:
    deck = big_deck(12)  # every criterion, at every level the seeds give
    state = play(deck, players=6, language=lang, finish=finished, cards=None if finished else 5, seed=11)
    s = build_summary(deck, state, "ABCDEF")
    outputs = {
        "md": markdown.render_markdown(s),
        "csv": csv_export.render_csv(s).decode("utf-8-sig"),
        "web": render_report(s, "web", token="t", kind="facilitator"),
        "pdf-html": render_report(s, "pdf"),
        # next steps have ids such as "criterion.autonomie": stable ids, not texts
        "json": re.sub(r'"id": "[^"]*"', "", render_json(s).decode()),
    }
    for name, text in outputs.items():
        leaked = set(KEY.findall(text))
        assert not leaked, (name, sorted(leaked)[:10])


def test_levels_and_next_steps_cover_every_case() -> None:
    deck = mini_deck()
    seen_levels: set[str] = set()
    seen_steps: set[str] = set()
    for seed in range(12):
        s = build_summary(deck, play(deck, players=4, seed=seed), "ABCDEF")
        seen_levels |= {c.level for c in s.synthesis.criteria}
        seen_steps |= {step.id.split(".")[0] for step in s.next_steps}
    assert seen_levels == {"ok", "watch", "alert", "not_assessed"} or seen_levels >= {
        "ok",
        "alert",
        "not_assessed",
    }
    assert {"criterion", "cse", "share", "revisit"} <= seen_steps


def test_french_summary_texts_follow_french_typography() -> None:
    for key, text in load("fr").items():
        assert not re.search(r"[^\u00a0\u202f][?!:;](\s|$)", text), (key, text)
        assert not re.search(r"«[^\u00a0\u202f]|[^\u00a0\u202f]»", text), (key, text)
        assert "(s)" not in text and "(aux)" not in text, (key, text)


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("fr", 0, "0 sur 3 a répondu"),
        ("fr", 1, "1 sur 3 a répondu"),
        ("fr", 2, "2 sur 3 ont répondu"),
        ("en", 1, "1 of 3 answered"),
        ("en", 3, "3 of 3 answered"),
    ],
)
def test_turnout_has_real_plurals(lang: str, n: int, expected: str) -> None:
    from server.summary.text import turnout

    assert turnout(n, 3, lang) == expected


def test_cards_line_has_real_plurals() -> None:
    from server.summary.text import cards_line

    assert cards_line(1, 0, 2, 40, "fr") == "1 jouée, 0 passée, 2 mises de côté, sur 40 prévues"
    assert cards_line(4, 1, 1, 1, "en") == "4 played, 1 skipped, 1 set aside, of 1 planned"
