"""``python -m server.decks``: run as a trainer would, in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

from server.i18n import translate
from tests.decks.corpus import corpus, valid_deck

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.decks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def write(tmp: Path, name: str, data: bytes) -> str:
    path = tmp / name
    path.write_bytes(data)
    return str(path)


def test_valid_files_exit_zero(tmp_path: Path) -> None:
    deck = write(tmp_path, "ok.json", json.dumps(valid_deck()).encode())
    result = run("validate", deck, str(ROOT / "cards" / "exploria-fr.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        f"{deck}: valide (3 cartes, 2 thèmes)",
        f"{ROOT / 'cards' / 'exploria-fr.json'}: valide (42 cartes, 5 thèmes)",
    ]
    assert run("validate", "--quiet", deck).stdout == ""


def test_problems_one_line_each_in_french_by_default(tmp_path: Path) -> None:
    deck = valid_deck()
    deck["cards"][0]["questions"][0]["criterion"] = "bonheur"
    deck["cards"][1]["theme"] = "rh"
    deck["cards"][2]["questions"][0].pop("risk_answer")
    path = write(tmp_path, "broken.json", json.dumps(deck).encode())
    result = run("validate", path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[1] == f"{path}: cards[1].theme: " + translate("fr", "deck.problem.unknown_theme", theme="rh")
    assert lines[2] == f"{path}: cards[2].questions[0].risk_answer: " + translate(
        "fr", "deck.problem.risk_answer_required"
    )
    assert lines[0].startswith(f"{path}: cards[0].questions[0].criterion: ")

    english = run("validate", "--lang", "en", path).stdout.splitlines()
    unknown = translate("en", "deck.problem.unknown_theme", theme="rh")
    assert english[1] == f"{path}: cards[1].theme: {unknown}"


def test_unreadable_files(tmp_path: Path) -> None:
    not_json = write(tmp_path, "not.json", b'{"format": ')
    latin1 = write(tmp_path, "latin1.json", json.dumps({"title": "é"}, ensure_ascii=False).encode("latin-1"))
    big = write(tmp_path, "big.json", b" " * (1024 * 1024 + 1))
    missing = str(tmp_path / "missing.json")
    good = write(tmp_path, "good.json", json.dumps(valid_deck()).encode())
    result = run("validate", "--lang", "en", not_json, latin1, big, missing, good)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{not_json}: " + translate("en", "error.bad_json_at", line=1, column=12),
        f"{latin1}: " + translate("en", "error.not_utf8"),
        f"{big}: " + translate("en", "error.deck_too_large", limit=1024),
        f"{missing}: " + translate("en", "studio.cli.unreadable", reason="No such file or directory"),
        f"{good}: valid (3 cards, 2 themes)",
    ]


def test_whole_corpus_is_refused(tmp_path: Path) -> None:
    cases = [c for c in corpus() if c.status == 422]
    paths = [write(tmp_path, f"{c.name}.json", c.body) for c in cases]
    result = run("validate", "--lang", "en", *paths)
    assert result.returncode == 1
    for case, path in zip(cases, paths, strict=True):
        prefix = f"{path}: {case.path}: " if case.path else f"{path}: "
        assert any(line.startswith(prefix) for line in result.stdout.splitlines()), case.name


def test_bad_command_line() -> None:
    assert run("validate").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("validate", "--lang", "de", "x.json").returncode == 2
