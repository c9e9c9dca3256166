"""The facilitator's guide: a page in French and English, and the same template as a tagged PDF,
served by the real server; its French follows French typography."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from server.i18n import LOCALES_DIR
from tests.helpers import ROOT, ServerProcess

ARTIFACTS = ROOT / "test-artifacts" / "guide"


def load(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES_DIR / lang / "guide.json").read_text("utf-8"))
    return data


def test_catalogues_match_and_french_typography_holds() -> None:
    fr, en = load("fr"), load("en")
    assert set(fr) == set(en) and all(k.startswith("guide.") for k in fr)
    for key, text in fr.items():
        assert not re.search(r"[^\u00a0\u202f][?!:;](\s|$)", text), (key, text)
        assert not re.search(r"«[^\u00a0\u202f]|[^\u00a0\u202f]»", text), (key, text)
        assert "(s)" not in text and " '" not in text, (key, text)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            (
                "Guide d'animation",
                "45 minutes",
                "90 minutes",
                "180 minutes",
                "Glossaire",
                "Dialogue social technologique",
                "Excès de confiance",
                "Paradoxe de la performance",
                "trois premières actions",
                "ne sont pas ceux du LaborIA",
                "Préventeurs",
            ),
        ),
        (
            "en",
            (
                "Facilitator's guide",
                "45 minutes",
                "180 minutes",
                "Glossary",
                "DUERP",
                "Overconfidence",
                "Performance paradox",
                "three first actions",
            ),
        ),
    ],
)
def test_the_page_in_each_language(server: ServerProcess, lang: str, words: tuple[str]) -> None:
    status, page = server.request("GET", f"/guide?lang={lang}")
    assert status == 200
    html = page.decode().replace("&#39;", "'")
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html, word
    assert "guide." not in re.sub(r"<[^>]+>", "", html)  # no key left untranslated
    assert f'href="/guide.pdf?lang={lang}"' in html and " style=" not in html


def test_the_pdf_from_the_same_template(server: ServerProcess, tmp_path: Path) -> None:
    import urllib.request

    with urllib.request.urlopen(server.base + "/guide.pdf?lang=fr", timeout=60) as r:
        assert r.headers["content-type"] == "application/pdf"
        body = r.read()
    assert body.startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "guide-fr.pdf"
    pdf.write_bytes(body)
    text = (
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, timeout=30)
        .stdout.decode()
        .replace("\u00a0", " ")
    )
    for word in (
        "Guide d'animation",
        "Trois déroulés",
        "Fiche repère",
        "Glossaire",
        "guide d'animation",
        "Page 2 /",
    ):
        assert word in text, word
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, timeout=20).stdout.decode()
    assert re.search(r"Tagged:\s+yes", info)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(pdf), str(ARTIFACTS / "guide-fr")], check=True, timeout=60
    )
    assert list(ARTIFACTS.glob("guide-fr-*.png"))
