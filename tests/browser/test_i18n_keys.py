"""Every translation key the pages and scripts use exists in the French and English catalogues.

Templates call ``t('key')``; scripts call ``i18n("key")`` (the one call pattern static/js uses
for translations). Keys built at run time (``answer.${v}``) are not literal and are skipped.
"""

import re

import pytest

from tests.browser.conftest import catalogue
from tests.helpers import ROOT

TEMPLATE_KEY = re.compile(r"""\bt\(\s*(['"])([A-Za-z0-9_.\-]+)\1\s*[,)]""")
SCRIPT_KEY = re.compile(r"""\bi18n\(\s*(['"])([A-Za-z0-9_.\-]+)\1\s*[,)]""")


def used_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    sources = [(p, TEMPLATE_KEY) for p in (ROOT / "templates").rglob("*.html")]
    sources += [(p, SCRIPT_KEY) for p in (ROOT / "static" / "js").rglob("*.js")]
    for path, pattern in sources:
        for match in pattern.finditer(path.read_text("utf-8")):
            found.setdefault(match.group(2), set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_keys() -> None:
    keys = used_keys()
    assert "ui.skip_to_content" in keys  # templates
    assert "ui.play.draw" in keys  # scripts
    assert len(keys) > 100


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_used_key_is_translated(lang: str) -> None:
    known = catalogue(lang)
    missing = {k: sorted(v) for k, v in used_keys().items() if not known.get(k)}
    assert not missing, f"keys missing from the {lang} catalogue: {missing}"


def test_ui_catalogues_have_the_same_keys() -> None:
    import json

    fr = json.loads((ROOT / "server/locales/fr/ui.json").read_text("utf-8"))
    en = json.loads((ROOT / "server/locales/en/ui.json").read_text("utf-8"))
    assert set(fr) == set(en), sorted(set(fr) ^ set(en))
    assert all(k.startswith("ui.") for k in fr)
