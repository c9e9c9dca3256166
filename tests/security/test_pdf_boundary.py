"""The PDF renderer reads nothing but our static files, and no text reaches its CSS (issue 12.1).

A deck title once broke out of the CSS string of the running header (``\\r`` was not escaped)
and pointed WeasyPrint at any local path: a FIFO, a 512 MiB file, /dev/zero. The payloads below
are played through the real server; the files they point at are watched with inotify, so an
open by the server or its PDF worker process is seen whatever the reason it happened.
"""

import ctypes
import ctypes.util
import os
import select
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.summary.pdf import STATIC, ResourceRefused, StaticFetcher, css_string
from tests.helpers import ServerProcess
from tests.summary.session import play_session
from tests.summary.test_summary_http import fetch

IN_OPEN, IN_ACCESS = 0x20, 0x01


class Watch:
    """inotify on a few paths: did anybody open or read them?"""

    def __init__(self, paths: list[Path]) -> None:
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK)
        assert self.fd >= 0, "inotify is not available"
        for path in paths:
            assert self.libc.inotify_add_watch(self.fd, str(path).encode(), IN_OPEN | IN_ACCESS) >= 0

    def events(self) -> int:
        count = 0
        while select.select([self.fd], [], [], 0.2)[0]:
            data = os.read(self.fd, 65536)
            offset = 0
            while offset < len(data):
                _, _, _, length = struct.unpack_from("iIII", data, offset)
                offset += 16 + length
                count += 1
        return count

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def bait(tmp_path: Path) -> Iterator[tuple[dict[str, Path], Watch]]:
    """A stylesheet, an image and a FIFO outside static/, watched."""
    files = {"css": tmp_path / "bait.css", "png": tmp_path / "bait.png", "fifo": tmp_path / "bait.fifo"}
    files["css"].write_text("@page { size: 77mm }")
    files["png"].write_bytes(b"\x89PNG\r\n\x1a\n")
    os.mkfifo(files["fifo"])
    watch = Watch(list(files.values()))
    yield files, watch
    watch.close()


def _payloads(files: dict[str, Path]) -> list[str]:
    css, png, fifo = (files[k].as_uri() for k in ("css", "png", "fifo"))
    return [
        # the original finding, minus the carriage return that the deck checks now refuse
        f'Atelier" }} }} @page {{ background: url({fifo}) }} @page {{ size: 77mm; @top-left {{ content: "',
        f"Atelier' }} @import url({css}); @page {{ size: 77mm }} '",
        f'<link rel="stylesheet" href="{css}"><img src="{png}"><style>@page{{size:77mm}}</style>',
        f"\\22 }} @page {{ size: 77mm; background: url({png}) }} \\",
    ]


def _deck(title: str, text: str) -> dict[str, Any]:
    return {
        "format": "exploria-deck/1",
        "id": "deck-css",
        "title": title[:200],
        "language": "fr",
        "description": text,
        "author": text[:200],
        "themes": [{"id": "t", "title": title[:200]}],
        "cards": [
            {
                "id": f"k{i}",
                "theme": "t",
                "title": title[:200],
                "situation": text,
                "facilitator_tip": text,
                "questions": [
                    {
                        "id": "q1",
                        "kind": "yes_no",
                        "text": text,
                        "criterion": "autonomie",
                        "risk_answer": "no",
                    },
                    {"id": "q2", "kind": "open", "text": text},
                ],
            }
            for i in range(3)
        ],  # the scripted session plays three cards
    }


def _page_sizes(pdf: bytes, tmp: Path) -> set[str]:
    path = tmp / "out.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    return {
        line.split(":", 1)[1].strip()
        for line in out.splitlines()
        if line.startswith("Page") and " size:" in line
    }


def test_a_carriage_return_or_bidi_override_in_a_deck_is_refused(fresh_server: ServerProcess) -> None:
    deck = _deck("Atelier\r} } @page { size: 77mm }", "ok")
    deck["cards"][0]["questions"][1]["text"] = "Qui \u202eraconte ?"
    status, body = fresh_server.request("POST", "/api/decks", deck)
    assert status == 422
    paths = {e["path"]: e["message"] for e in body["errors"]}
    assert "title" in paths and "U+000D" in paths["title"]
    assert "cards[0].questions[1].text" in paths
    assert "contrôle" in paths["title"]  # in the UI language, French by default


def test_payloads_leave_the_page_size_alone_and_open_no_outside_file(
    fresh_server: ServerProcess, bait: tuple[dict[str, Path], Watch], tmp_path: Path
) -> None:
    files, watch = bait
    for payload in _payloads(files):
        deck = _deck(payload, payload + " " + payload)
        deck["id"] = f"deck-css-{abs(hash(payload)) % 10**8}"
        status, body = fresh_server.request("POST", "/api/decks", deck)
        assert status == 201, body
        game = play_session(
            fresh_server,
            deck["id"],
            names=("Ana", "Ben", "Cy"),
            facilitator_name='Anim" } @page { size: 77mm }',
        )
        status, pdf, ctype = fetch(fresh_server, game.code, "pdf", game.facilitator_token)
        assert status == 200 and ctype == "application/pdf"
        sizes = _page_sizes(pdf, tmp_path)
        assert sizes and all("A4" in s for s in sizes), (payload, sizes)
    assert watch.events() == 0, "the PDF renderer opened a file outside static/"


def test_the_fetcher_serves_static_files_and_refuses_everything_else(
    bait: tuple[dict[str, Path], Watch], tmp_path: Path
) -> None:
    files, watch = bait
    fetcher = StaticFetcher(STATIC)
    ok = fetcher.fetch((STATIC / "css" / "report-pdf.css").as_uri())
    assert b"@font-face" in ok.read()
    link = STATIC / "css" / "zz-test-link.css"
    refused = [
        "file:///dev/zero",
        "file:///etc/passwd",
        files["fifo"].as_uri(),
        files["css"].as_uri(),
        (STATIC / ".." / ".." / "etc" / "passwd").as_uri(),
        STATIC.as_uri() + "/%2e%2e/pyproject.toml",
        "http://127.0.0.1:9/x.css",
        "data:text/css,@page{size:77mm}",
        "ftp://127.0.0.1/x",
        "file://remote-host/static/css/report.css",
        link.as_uri(),
    ]
    try:
        link.symlink_to(files["css"])
        for url in refused:
            with pytest.raises(ResourceRefused):
                fetcher.fetch(url)
    finally:
        link.unlink(missing_ok=True)
    assert watch.events() == 0
    assert len(fetcher.refused) == len(refused)


@pytest.mark.parametrize("text", ['a"b', "a'b", "a\\b", "a\rb\nc\fd", "}{;@", "«\u00a0é\u00a0»"])
def test_css_strings_cannot_be_broken_out_of(text: str) -> None:
    quoted = css_string(text)
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == '"'
    assert not set(inner) & set("\"'\\\r\n\f{};@") - {"\\"}
    assert all(part[:6].isalnum() for part in inner.split("\\")[1:])


def test_even_a_deck_that_skipped_the_checks_cannot_steer_the_page(
    bait: tuple[dict[str, Path], Watch],
) -> None:
    """The original payload, carriage return included, straight into the renderer (as if a
    stored deck predated the checks): the page stays A4 and no outside file is read."""
    from server.core.deck import Deck
    from server.summary.model import build_summary
    from server.summary.pdf import render_pdf
    from tests.summary.factory import mini_deck, play

    files, watch = bait
    payload = (
        f"Atelier\r}} }} @page {{ background: url({files['fifo'].as_uri()}) }} "
        f'@page {{ size: 77mm; @top-left {{ content: "'
    )
    deck = Deck.model_construct(**{**dict(mini_deck()), "title": payload})
    deck.model_post_init(None)
    state = play(deck, players=3)
    pdf = render_pdf(build_summary(deck, state, "ABCDEF"))
    tmp = files["css"].parent
    assert all("A4" in s for s in _page_sizes(pdf, tmp))
    assert watch.events() == 0
